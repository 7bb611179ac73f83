"""Property tests: whatever status, headers and bytes arrive, the envelope decoders answer with
a valid result or a ``LucidGreenError``, never another exception.

The model converter is fuzzed on arbitrary JSON by ``tests/models/test_fuzz.py``;
these tests cover the layer in front of it, which sees the raw bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lucidgreen import _envelopes
from lucidgreen.errors import APIError, LucidGreenError, RateLimited

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Keys and values the real envelopes use, so generated JSON reaches every branch.
KEYS = st.sampled_from(
    [
        "count",
        "next",
        "previous",
        "results",
        "returnCode",
        "items",
        "message",
        "warning",
        "status",
        "request_id",
        "detail",
        "reason",
        "error",
        "error_description",
        "non_field_errors",
    ]
) | st.text(max_size=6)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([-1, 0, 1, 999, 1000, 1001, -9999]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.sampled_from(["success", "invalid payload", "http://x/api/v1.5/products/?page=2", ""]),
)
JSON = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=12,
)
RETRY_AFTER = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "0",
            "-5",
            "2.5",
            "1e999",
            "nan",
            "inf",
            "-inf",
            "31536000",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "Wed, 21 Oct 2015 07:28:00",
            "Wed, 21 Oct 2015 07:28:00 +9999",
            "Sun, 99 Foo 2015 99:99:99 GMT",
        ]
    ),
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "retry-after": RETRY_AFTER,
        "x-request-id": st.text(max_size=40),
        "content-type": st.sampled_from(["application/json", "text/html", ""]),
    },
)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(_json_bytes),
    st.text(max_size=60).map(str.encode),
    st.sampled_from(
        [
            b"",
            b"   ",
            b"<html><head><title>502 Bad Gateway</title></head></html>",
            b'{"returnCode": -3, "message": "bad"}',
            b'{"returnCode": 5, "count": "x", "items": []}',
            b'{"count": true, "next": 5, "results": []}',
            b'{"results": {}}',
            b"\xff\xfe\x00",
            b"NaN",
            b"1" * 5000,
            b"[" * 100_000,
            b"[" * 700 + b"]" * 700,
            b'{"a":' * 700 + b"1" + b"}" * 700,
        ]
    ),
)
STATUSES = st.one_of(st.integers(min_value=0, max_value=999), st.sampled_from([200, 204, 400, 429]))
NOW = st.floats(min_value=0, max_value=4e9)

DECODERS: list[Callable[[int, Any, bytes], Any]] = [
    _envelopes.decode_json,
    _envelopes.decode_object,
    _envelopes.decode_page,
    _envelopes.decode_return_code,
]


@FUZZ
@given(status=STATUSES, headers=HEADERS, body=BODIES, now=NOW)
@example(status=400, headers={}, body=b"[" * 700 + b"]" * 700, now=0.0)
@example(status=502, headers={}, body=b"[" * 100_000, now=0.0)
@example(status=200, headers={}, body=b'{"returnCode": -1, "message": 5}', now=0.0)
@example(status=429, headers={"retry-after": "1e999"}, body=b"", now=0.0)
def test_error_for_never_raises(status: int, headers: dict[str, str], body: bytes, now: float):
    """error_for returns None or an APIError for any answer, and its text renders."""
    error = _envelopes.error_for(status, headers, body, now=now)
    if error is None:
        assert 200 <= status < 300
        return
    assert isinstance(error, APIError)
    assert not 200 <= status < 300 or b"returnCode" in body
    assert isinstance(str(error), str)
    assert isinstance(repr(error), str)
    if isinstance(error, RateLimited) and error.retry_after is not None:
        assert error.retry_after >= 0


@pytest.mark.parametrize("decode", DECODERS, ids=lambda d: d.__name__)
@FUZZ
@given(status=STATUSES, headers=HEADERS, body=BODIES)
@example(status=200, headers={}, body=b"[" * 100_000)
@example(status=200, headers={}, body=b"\xff")
def test_decoders_raise_only_lucidgreen_errors(
    decode: Callable[[int, Any, bytes], Any], status: int, headers: dict[str, str], body: bytes
) -> None:
    """Every envelope decoder returns a value or raises a LucidGreenError, whatever the body."""
    try:
        decode(status, headers, body)
    except LucidGreenError as exc:
        text = str(exc)
    else:
        text = ""
    assert isinstance(text, str)


@FUZZ
@given(status=STATUSES, headers=HEADERS, page=JSON)
def test_decoded_pages_have_the_documented_types(
    status: int, headers: dict[str, str], page: Any
) -> None:
    """A page that decodes has a list of results, an int-or-None count and str-or-None links."""
    try:
        decoded = _envelopes.decode_page(status, headers, _json_bytes(page))
    except LucidGreenError:
        return
    assert isinstance(decoded.results, list)
    # type() rather than isinstance(): a JSON true must not pass as a count of 1.
    assert decoded.count is None or type(decoded.count) is int
    assert decoded.next is None or isinstance(decoded.next, str)
    assert decoded.previous is None or isinstance(decoded.previous, str)


@FUZZ
@given(value=RETRY_AFTER, now=NOW)
def test_retry_after_is_none_or_a_non_negative_number(value: str, now: float) -> None:
    """Any Retry-After header parses to None or a non-negative, non-NaN number of seconds."""
    seconds = _envelopes.parse_retry_after(value, now=now)
    assert seconds is None or (seconds >= 0 and not math.isnan(seconds))
