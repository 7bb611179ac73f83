"""The values the send path builds for every request by hand, for speed (issue #26), are the
values the generic code built: a UUID4 request id, and a request copied field by field."""

from __future__ import annotations

import uuid
from typing import Any

import attrs

from lucidgreen._call import request_id
from lucidgreen._envelopes import DrfPage
from lucidgreen._headers import ResponseHeaders
from lucidgreen._raw import RawResponse
from lucidgreen._transport import Request


def test_request_ids_are_random_uuid4_hex_like_uuid4() -> None:
    """32 lower-case hex digits that parse as a version-4, RFC 4122 UUID; never repeated."""
    ids = [request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(hex=text)
        assert parsed.hex == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # The 122 random bits do vary: each of them was 0 and 1 somewhere in 2,000 ids.
    first = uuid.UUID(hex=ids[0]).int
    varying = 0
    for text in ids:
        varying |= uuid.UUID(hex=text).int ^ first
    assert varying.bit_count() == 122


def test_with_headers_keeps_every_other_field_of_the_request() -> None:
    """Each field, set to a value other than its default, survives ``with_headers``; the
    headers are merged (the extra one wins) and the original request is left as it was."""
    values: dict[str, Any] = {
        "method": "POST",
        "url": "https://api.example/x/",
        "params": {"page": "2"},
        "headers": {"A": "1", "B": "2"},
        "json": {"k": [1]},
        "form": {"f": "v"},
        "authenticated": False,
        "fresh_connection": True,
    }
    assert {field.name for field in attrs.fields(Request)} == set(values)
    original = Request(**values)
    copied = original.with_headers({"B": "3", "C": "4"})
    for name, value in values.items():
        if name != "headers":
            assert getattr(copied, name) == value, name
    assert copied.headers == {"A": "1", "B": "3", "C": "4"}
    assert original.headers == {"A": "1", "B": "2"}
    assert copied == attrs.evolve(original, headers={**original.headers, "B": "3", "C": "4"})


def test_a_page_with_its_response_keeps_every_other_field() -> None:
    """``DrfPage.with_response`` (once per page, instead of attrs.evolve) keeps each field."""
    page = DrfPage(count=3, next="/x/?page=2", previous="/x/", results=[{"uuid": "a"}])
    assert [field.name for field in attrs.fields(DrfPage)] == [
        "count",
        "next",
        "previous",
        "results",
        "response",
    ]
    response: RawResponse[None] = RawResponse(200, ResponseHeaders({}), "id", 0.5, 1)
    assert page.with_response(response) == page
    assert page.with_response(response).response is response
    assert attrs.astuple(page.with_response(response))[:4] == attrs.astuple(page)[:4]
