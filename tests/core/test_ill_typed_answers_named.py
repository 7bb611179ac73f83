"""The exchange's check of a transport's answer, without an event loop: a well-typed
``Response`` passes (any ``Mapping`` of headers, an ``int`` subclass as status), and each
ill-typed part is named without showing its value."""

from __future__ import annotations

from http import HTTPStatus
from types import MappingProxyType
from typing import Any

import pytest

from lucidgreen import Response
from lucidgreen._answers import header_text, ill_typed

HEADERS = {"content-type": "application/json", "x-request-id": "abc"}


@pytest.mark.parametrize(
    "answer",
    [
        Response(200, HEADERS, b"{}"),
        Response(HTTPStatus.OK, HEADERS, b"{}"),
        Response(200, MappingProxyType(HEADERS), b"{}"),
        Response(204, {}, b""),
    ],
    ids=["dict", "HTTPStatus", "mapping proxy", "empty"],
)
def test_a_well_typed_answer_passes_with_its_header_text(answer: Response) -> None:
    """What passes gives its header values one a line, as echo-hiding searches them."""
    assert ill_typed(answer) is None
    assert header_text(answer) == "\n".join(answer.headers.values())


SECRET = "s3cr3t-value"
ILL_TYPED: dict[str, tuple[Any, str]] = {
    "None": (None, "returned NoneType, not a lucidgreen.Response"),
    "a dict": ({"status": 200}, "returned dict, not"),
    "a bool status": (Response(True, HEADERS, b"{}"), "status is bool"),
    "a str status": (Response(SECRET, HEADERS, b"{}"), "status is str"),  # type: ignore[arg-type]
    "a str body": (Response(200, HEADERS, SECRET), "body is str"),  # type: ignore[arg-type]
    "a list of headers": (Response(200, [(SECRET, SECRET)], b""), "headers are list"),  # type: ignore[arg-type]
    "an int header": (Response(200, {"retry-after": 1}, b""), "header value that is not a str"),  # type: ignore[dict-item]
    "a bytes url": (Response(200, HEADERS, b"", SECRET.encode()), "url is bytes"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", sorted(ILL_TYPED))
def test_an_ill_typed_answer_is_named_without_its_value(name: str) -> None:
    """Refused by the fast check, and said in words holding none of the answer's values."""
    answer, said = ILL_TYPED[name]
    assert header_text(answer) is None
    wrong = ill_typed(answer)
    assert wrong is not None
    assert said in wrong
    assert SECRET not in wrong
    assert "True" not in wrong
