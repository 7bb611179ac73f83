"""Every documented response shape through the pure envelope decoders (no event loop)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lucidgreen import _envelopes as env
from lucidgreen import errors

NOW = 1_700_000_000.0
JSON = {"content-type": "application/json"}


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


ERROR_CASES: list[tuple[str, int, dict[str, str], bytes, type[errors.APIError], dict[str, Any]]] = [
    (
        "400 invalid payload",
        400,
        JSON,
        body({"status": "invalid payload", "reason": {"items": ["Unknown LucidID(s)."]}}),
        errors.InvalidPayload,
        {
            "reason": {"items": ["Unknown LucidID(s)."]},
            "message": "invalid payload: items: Unknown LucidID(s).",
        },
    ),
    (
        "legacy 403 invalid payload",
        403,
        JSON,
        body({"status": "invalid payload", "reason": {"items": ["Unknown LucidID(s)."]}}),
        errors.InvalidPayload,
        {"status": 403, "reason": {"items": ["Unknown LucidID(s)."]}},
    ),
    (
        "403 without invalid payload is a permission error",
        403,
        JSON,
        body({"detail": "You do not have permission to perform this action."}),
        errors.PermissionDenied,
        {"message": "You do not have permission to perform this action."},
    ),
    (
        "403 with an empty body",
        403,
        {},
        b"",
        errors.PermissionDenied,
        {"message": "Forbidden"},
    ),
    (
        "400 business rule detail",
        400,
        JSON,
        body({"detail": "This case has already been scanned for another dispensary."}),
        errors.BadRequest,
        {"detail": "This case has already been scanned for another dispensary."},
    ),
    (
        "400 DRF field dict",
        400,
        JSON,
        body(
            {
                "case_uuid": ["This field is required."],
                "pos_product_id": ["This field is required."],
            }
        ),
        errors.BadRequest,
        {
            "message": "case_uuid: This field is required.; "
            "pos_product_id: This field is required.",
            "data": {
                "case_uuid": ["This field is required."],
                "pos_product_id": ["This field is required."],
            },
        },
    ),
    (
        "400 bare list",
        400,
        JSON,
        body(["items should be specified when transaction type is complete or return."]),
        errors.BadRequest,
        {"message": "items should be specified when transaction type is complete or return."},
    ),
    (
        "400 message with extra fields",
        400,
        JSON,
        body(
            {
                "message": "This transaction contains non-imported lucid ids.",
                "non_imported_lucidids": ["a"],
                "valid_transaction": False,
            }
        ),
        errors.BadRequest,
        {
            "message": "This transaction contains non-imported lucid ids.",
            "data": {
                "message": "This transaction contains non-imported lucid ids.",
                "non_imported_lucidids": ["a"],
                "valid_transaction": False,
            },
        },
    ),
    (
        "400 invalid LucidIDs nested dict",
        400,
        JSON,
        body({"items": {"Invalid LucidIDs": ["invalid_lucid_id_format"]}}),
        errors.BadRequest,
        {"message": "items: Invalid LucidIDs: invalid_lucid_id_format"},
    ),
    (
        "400 export error body",
        400,
        JSON,
        body({"error": "export_date is a future date."}),
        errors.BadRequest,
        {"message": "export_date is a future date."},
    ),
    (
        "401 empty body",
        401,
        {},
        b"",
        errors.AuthenticationError,
        {"message": "Unauthorized", "body": ""},
    ),
    (
        "401 oauth error body",
        401,
        JSON,
        body({"error": "invalid_client"}),
        errors.AuthenticationError,
        {"message": "invalid_client"},
    ),
    (
        "404 detail",
        404,
        JSON,
        body({"detail": "Not found."}),
        errors.NotFound,
        {"message": "Not found."},
    ),
    (
        "405 detail",
        405,
        JSON,
        body({"detail": 'Method "PUT" not allowed.'}),
        errors.MethodNotAllowed,
        {"message": 'Method "PUT" not allowed.'},
    ),
    (
        "429 with Retry-After seconds",
        429,
        {"retry-after": "7", **JSON},
        body({"detail": "Request was throttled. Expected available in 7 seconds."}),
        errors.RateLimited,
        {"retry_after": 7.0},
    ),
    (
        "429 with Retry-After as an HTTP date",
        429,
        {"retry-after": "Tue, 14 Nov 2023 22:13:50 GMT"},
        b"",
        errors.RateLimited,
        {"retry_after": 30.0},
    ),
    (
        "429 without Retry-After falls back to the detail text",
        429,
        JSON,
        body({"detail": "Request was throttled. Expected available in 12 seconds."}),
        errors.RateLimited,
        {"retry_after": 12.0},
    ),
    (
        "429 with nothing to go on",
        429,
        {},
        b"",
        errors.RateLimited,
        {"retry_after": None},
    ),
    ("500 empty", 500, {}, b"", errors.ServerError, {"message": "Internal Server Error"}),
    (
        "502 HTML page from a proxy",
        502,
        {"content-type": "text/html"},
        b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
        errors.ServerError,
        {"message": "HTML error page: 502 Bad Gateway"},
    ),
    ("503 empty", 503, {}, b"", errors.ServerError, {"status": 503}),
    (
        "negative returnCode inside a 404",
        404,
        JSON,
        body({"status": 404, "returnCode": -10000000000, "message": "The cake is a lie."}),
        errors.ReturnCodeError,
        {"return_code": -10000000000, "message": "The cake is a lie."},
    ),
    (
        "negative returnCode inside a 200",
        200,
        JSON,
        body({"status": 200, "returnCode": -5, "message": "nope"}),
        errors.ReturnCodeError,
        {"return_code": -5, "status": 200},
    ),
    (
        "the request id is taken from the response",
        404,
        {"x-request-id": "req-123"},
        b"",
        errors.NotFound,
        {"request_id": "req-123"},
    ),
    ("418 is a plain APIError", 418, {}, b"", errors.APIError, {"status": 418}),
]


@pytest.mark.parametrize(
    ("status", "headers", "raw", "exc_type", "attributes"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_error_shape_maps_to_exact_exception(
    status: int,
    headers: dict[str, str],
    raw: bytes,
    exc_type: type[errors.APIError],
    attributes: dict[str, Any],
) -> None:
    """Each documented error body becomes exactly its exception class with its attributes."""
    error = env.error_for(status, headers, raw, now=NOW)
    assert type(error) is exc_type
    assert error.status == status if "status" not in attributes else True
    assert error.body == raw.decode()
    assert error.headers == headers
    for name, expected in attributes.items():
        assert getattr(error, name) == expected, name


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_2xx_statuses_are_not_errors(status: int) -> None:
    """A 2xx without a negative returnCode decodes to no error."""
    assert env.error_for(status, {}, body({"status": "success"}), now=NOW) is None


@pytest.mark.parametrize("status", [0, 99, 100, 101, 103, 199, 300, 301, 302, 303, 304, 307, 308])
def test_1xx_and_3xx_are_unexpected_status(status: int) -> None:
    """Only a 2xx is a success: an interim or redirect answer is UnexpectedStatus, whatever
    its body says (a redirect is never followed, so nothing the call asked for happened)."""
    error = env.error_for(status, {}, body({"status": "success"}), now=NOW)
    assert type(error) is errors.UnexpectedStatus
    assert error.status == status


def test_a_redirect_names_its_target_without_the_query() -> None:
    """The redirect's Location is in the message, its query (a signature?) is not."""
    headers = {"location": "https://cdn.example/f.json?X-Amz-Signature=s3cr3t"}
    error = env.error_for(307, headers, b"", now=NOW, method="DELETE", url="https://h/api/x/")
    assert error is not None
    assert "https://cdn.example/f.json" in str(error)
    assert "s3cr3t" not in str(error)
    assert str(error).startswith("HTTP 307 DELETE /api/x/: Temporary Redirect: redirect to")


def test_positive_return_code_in_200_is_not_an_error() -> None:
    """A 200 carrying a positive returnCode is a success."""
    raw = body({"status": 200, "returnCode": 1000000000, "message": "There is cake."})
    assert env.error_for(200, JSON, raw, now=NOW) is None


def test_api_error_text_names_status_message_and_request_id_only() -> None:
    """str() of an APIError shows status, message and request id, not headers."""
    error = env.error_for(
        404, {"x-request-id": "r1", "set-cookie": "secret"}, body({"detail": "Not found."}), now=NOW
    )
    assert error is not None
    assert str(error) == "HTTP 404: Not found. (request id r1)"
    assert "secret" not in repr(error)


def test_error_carries_the_request_context_built_complete() -> None:
    """method, URL (query dropped), the request id sent, and the outcome flags are set by
    error_for itself, and str() names the call: ``HTTP 400 POST /path: message (request id)``."""
    error = env.error_for(
        400,
        {},
        body({"detail": "Sale already processed."}),
        now=NOW,
        method="POST",
        url="https://h.example/api/v1.2/transactions/?token=abc",
        request_id="sent-1",
        prior_outcome_unknown=True,
    )
    assert isinstance(error, errors.BadRequest)
    assert (error.method, error.url, error.request_id) == (
        "POST",
        "https://h.example/api/v1.2/transactions/",
        "sent-1",
    )
    assert error.prior_outcome_unknown
    assert error.outcome_unknown
    assert str(error) == (
        "HTTP 400 POST /api/v1.2/transactions/: Sale already processed. (request id sent-1)"
    )
    assert "abc" not in str(error) + repr(error) + repr(vars(error))


def test_the_servers_request_id_wins_over_the_one_sent() -> None:
    """X-Request-ID from the server is the one support can look up."""
    error = env.error_for(500, {"x-request-id": "srv"}, b"", now=NOW, request_id="sent")
    assert error is not None
    assert error.request_id == "srv"


def test_a_5xx_to_a_write_can_say_its_outcome_is_unknown() -> None:
    """outcome_unknown passed by the caller (an unsafe write met a 5xx) is on the error."""
    error = env.error_for(502, {}, b"", now=NOW, method="POST", outcome_unknown=True)
    assert isinstance(error, errors.ServerError)
    assert error.outcome_unknown
    assert not error.prior_outcome_unknown


def test_error_headers_are_case_insensitive_and_read_only() -> None:
    """exc.headers.get("Content-Type") finds a header the transport stored lower-case, and
    the mapping cannot be changed behind the error's back."""
    error = env.error_for(
        429, {"content-type": "application/json", "retry-after": "3"}, b"{}", now=NOW
    )
    assert error is not None
    assert error.headers.get("Content-Type") == "application/json"
    assert error.headers["RETRY-AFTER"] == "3"
    assert "Retry-After" in error.headers
    assert dict(error.headers) == {"content-type": "application/json", "retry-after": "3"}
    assert not hasattr(error.headers, "__setitem__")


def test_retyped_keeps_every_field_and_subclass_fields() -> None:
    """retyped() turns an APIError into another class with status, body, headers, request
    id, method, URL, outcome flags and shared subclass fields unchanged."""
    original = env.error_for(
        400,
        {"X-Request-ID": "r9"},
        body({"detail": "no"}),
        now=NOW,
        method="GET",
        url="https://h/api/v1.2/package-uids-export/",
        prior_outcome_unknown=True,
    )
    assert isinstance(original, errors.BadRequest)
    again = errors.retyped(original, errors.InvalidPayload, reason={"x": 1})
    assert type(again) is errors.InvalidPayload
    for name in ("status", "body", "data", "request_id", "method", "url", "message", "detail"):
        assert getattr(again, name) == getattr(original, name), name
    assert dict(again.headers) == dict(original.headers)
    assert again.headers.get("x-request-id") == "r9"
    assert again.reason == {"x": 1}
    assert again.prior_outcome_unknown
    assert again.outcome_unknown
    assert str(again) == str(original)
    plain = errors.retyped(original, errors.ExportUnavailable, message="gone")
    assert type(plain) is errors.ExportUnavailable
    assert plain.message == "gone"
    assert not hasattr(plain, "detail")


def test_drf_page() -> None:
    """A DRF page keeps count, absolute links and the raw results."""
    raw = body(
        {
            "count": 356,
            "next": "https://h/api/v1.5/products/?page=2",
            "previous": None,
            "results": [{"uuid": "a"}],
        }
    )
    page = env.decode_page(200, JSON, raw)
    assert page == env.DrfPage(
        count=356,
        next="https://h/api/v1.5/products/?page=2",
        previous=None,
        results=[{"uuid": "a"}],
    )


def test_bare_array_is_a_single_page() -> None:
    """A bare-array list (brands_list) decodes as one complete page."""
    page = env.decode_page(200, JSON, body([{"uuid": "a"}, {"uuid": "b"}]))
    assert page.count == 2
    assert page.next is None
    assert len(page.results) == 2


@pytest.mark.parametrize(
    "raw",
    [
        body({"count": 1, "next": None}),
        body({"count": "1", "next": None, "results": []}),
        body({"count": 1, "next": 5, "results": []}),
        body("text"),
        b"{truncated",
        b"",
    ],
)
def test_malformed_pages_raise_decode_error_with_raw_text(raw: bytes) -> None:
    """A body that is not a page raises DecodeError carrying the raw text."""
    with pytest.raises(errors.DecodeError) as caught:
        env.decode_page(200, JSON, raw)
    assert caught.value.text == raw.decode()
    assert caught.value.status == 200


def test_decode_object_refuses_a_list() -> None:
    """A resource endpoint answering with an array is a DecodeError."""
    with pytest.raises(errors.DecodeError):
        env.decode_object(200, JSON, body([1, 2]))


def test_return_code_success_and_warning() -> None:
    """returnCode >= 1000 is a success/warning with its message."""
    decoded = env.decode_return_code(
        200, JSON, body({"status": 200, "returnCode": 1000000000, "message": "There is cake."})
    )
    assert decoded == env.ReturnCodeSuccess(1000000000, "There is cake.", None)


def test_return_code_error() -> None:
    """returnCode < 0 raises ReturnCodeError with code and message."""
    with pytest.raises(errors.ReturnCodeError) as caught:
        env.decode_return_code(
            404,
            JSON,
            body({"status": 404, "returnCode": -10000000000, "message": "The cake is a lie."}),
        )
    assert caught.value.return_code == -10000000000
    assert caught.value.message == "The cake is a lie."


def test_return_code_list_with_warning() -> None:
    """returnCode 1-999 with count/items is a list response and keeps its warning."""
    decoded = env.decode_return_code(
        200,
        JSON,
        body(
            {
                "status": 200,
                "warning": "Number of cakes may dwindle.",
                "returnCode": 999,
                "count": 2,
                "items": [{"type": "chocolate"}, {"type": "vanilla"}],
            }
        ),
    )
    assert decoded == env.ReturnCodeList(
        999, 2, [{"type": "chocolate"}, {"type": "vanilla"}], "Number of cakes may dwindle."
    )


def test_return_code_individual() -> None:
    """returnCode 1-999 without items is an individual response with its own fields."""
    decoded = env.decode_return_code(
        200,
        JSON,
        body(
            {
                "status": 200,
                "returnCode": 998,
                "cakesEaten": 2,
                "cakesMade": 6,
                "cakesTotal": 8,
            }
        ),
    )
    assert decoded == env.ReturnCodeIndividual(
        998, {"cakesEaten": 2, "cakesMade": 6, "cakesTotal": 8}, None
    )


@pytest.mark.parametrize(
    "raw",
    [
        body({"status": 200, "returnCode": 0}),
        body({"status": 200, "returnCode": "5"}),
        body({"status": 200, "returnCode": 5, "count": 2}),
        body({"status": 200}),
    ],
)
def test_malformed_return_codes_raise_decode_error(raw: bytes) -> None:
    """A returnCode body outside the documented family is a DecodeError."""
    with pytest.raises(errors.DecodeError):
        env.decode_return_code(200, JSON, raw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("-3", 0.0),
        ("1.5", 1.5),
        ("Tue, 14 Nov 2023 22:14:20 GMT", 60.0),
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Retry-After is read as delta-seconds or an HTTP date relative to now."""
    assert env.parse_retry_after(value, now=NOW) == expected
