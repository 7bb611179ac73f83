"""A client option of the wrong type is a ``TypeError`` at construction, naming the option.

Python callers without a type checker pass anything; a value of the wrong kind must fail
where it was passed, not as an obscure error on the first request.
"""

from __future__ import annotations

from typing import Any

import pytest

from lucidgreen import RetailClient, SourceClient

REMOTE = "https://api.corp.example"


@pytest.mark.parametrize("cls", [SourceClient, RetailClient])
@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("default_headers", [("X-A", "1")], "default_headers must be a mapping"),
        ("default_headers", "X-A: 1", "default_headers must be a mapping"),
        ("default_headers", {"X-A": 1}, "name and value must be str"),
        ("default_headers", {b"X-A": "1"}, "name and value must be str"),
        ("proxy", b"http://proxy:3128", "proxy must be a str"),
        ("trust_env", "no", "trust_env must be True or False"),
        ("trust_env", 0, "trust_env must be True or False"),
        ("ssl", "off", "ssl must be an ssl.SSLContext or False"),
        ("ssl", 0, "ssl must be an ssl.SSLContext or False"),
        ("max_connections", "10", "max_connections must be an int"),
        ("max_connections", True, "max_connections must be an int"),
        ("max_connections", 10.0, "max_connections must be an int"),
    ],
)
def test_an_option_of_the_wrong_type_is_refused_by_name(
    cls: type[SourceClient], option: str, value: Any, words: str
) -> None:
    with pytest.raises(TypeError, match=words):
        cls("id", "secret-abcdef", base_url=REMOTE, **{option: value})


def test_the_refusal_never_shows_the_client_secret() -> None:
    with pytest.raises(TypeError) as caught:
        SourceClient("id", "secret-abcdef", base_url=REMOTE, default_headers={"X": 1})  # type: ignore[dict-item]
    assert "secret-abcdef" not in str(caught.value)


@pytest.mark.parametrize("identifier", [123, None, b"tag"])
async def test_a_collection_identifier_that_is_not_a_string_is_a_type_error(
    identifier: object,
) -> None:
    async with SourceClient(token="t", base_url="http://127.0.0.1:9") as source:
        with pytest.raises(TypeError, match="collection identifier"):
            await source.collections.get(identifier)  # type: ignore[arg-type]
