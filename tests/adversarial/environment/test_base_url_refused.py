"""A ``base_url`` that cannot be an origin is refused at construction, with a clear error,
before any request (and never sends the client secret to a path such as ``/?/o/token/``)."""

from __future__ import annotations

import pytest

from lucidgreen import RetailClient, SourceClient
from lucidgreen._config import check_base_url

REFUSED = {
    "https://api.example.com:99999": "port",
    "https://api.example.com:0": "port",
    "https://api.example.com:https": "port",
    "https://api.example.com:": "port",
    "https://api.example.com?": "query",
    "https://api.example.com/?": "query",
    "https://api.example.com#": "fragment",
    "https://api.example.com/#": "fragment",
    "https://api.exa\r\nmple.com": "control",
    "https://api.example.com\n": "control",
    "https://api.exa\x00mple.com": "control",
    "https://api example.com": "spaces",
    "https://@api.example.com": "credentials",
    "https://user:pw@api.example.com": "credentials",
    "https://api.example.com/api/v1.5": "path",
    "ftp://api.example.com": "absolute http",
    "http://api.example.com": "plain http",
}


@pytest.mark.parametrize(("url", "reason"), sorted(REFUSED.items()))
def test_bad_base_url_is_refused_with_its_reason(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_base_url(url)


@pytest.mark.parametrize("url", sorted(REFUSED))
@pytest.mark.parametrize("cls", [SourceClient, RetailClient])
def test_clients_refuse_it_at_construction(url: str, cls: type[SourceClient]) -> None:
    with pytest.raises(ValueError, match="base_url"):
        cls("id", "secret", base_url=url)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://api.example.com", "https://api.example.com"),
        ("https://api.example.com/", "https://api.example.com"),
        ("https://api.example.com:8443", "https://api.example.com:8443"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("http://localhost", "http://localhost"),
    ],
)
def test_good_origins_are_kept(url: str, origin: str) -> None:
    assert check_base_url(url) == origin


def test_a_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="base_url must be a str"):
        check_base_url(b"https://api.example.com")  # type: ignore[arg-type]
