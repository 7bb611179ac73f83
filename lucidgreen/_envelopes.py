"""Pure decoders for every response shape the LucidGreen APIs use.

Each function takes ``(status, headers, body)`` — headers with lower-case names, the body as
bytes — and either returns plain data or raises an exception from :mod:`lucidgreen.errors`.
Nothing here performs I/O or reads a clock (``now`` is passed in), so the whole table of
shapes is tested without an event loop.

Shapes (the API's documented responses, error bodies and the ``returnCode`` envelopes):

- only a 2xx is a success; 1xx and 3xx are ``UnexpectedStatus`` (redirects are not followed)
- DRF page ``{"count", "next", "previous", "results"}`` and bare-array lists
- errors ``{"status": "invalid payload", "reason"}`` (400 and legacy 403), ``{"detail"}``,
  ``{"error"}``, DRF field dicts, bare lists, ``{"message", ...}``, empty bodies, HTML pages
- the ``returnCode`` family: success/warning (>= 1000), error (< 0), list (1-999 with
  ``count``/``items``), individual (1-999), each with an optional ``warning``
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import attrs

from . import errors
from ._http_dates import http_date, parse_retry_after  # their callers' home until now
from ._secrets import without_query

if TYPE_CHECKING:
    from ._raw import RawResponse

__all__ = [
    "DrfPage",
    "ReturnCodeIndividual",
    "ReturnCodeList",
    "ReturnCodeSuccess",
    "decode_json",
    "decode_object",
    "decode_page",
    "decode_return_code",
    "error_for",
    "http_date",
    "parse_retry_after",
]

Headers = Mapping[str, str]

_THROTTLE_WAIT = re.compile(r"available in (\d+(?:\.\d+)?) second", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_RETURN_CODE_KEYS = frozenset({"status", "returnCode", "warning"})
_MAX_SUMMARY_DEPTH = 20
_EXCERPT_CHARACTERS = 500


@attrs.frozen
class DrfPage:
    """One page of a Django REST Framework list, before its items are structured.

    ``response`` is the HTTP response it came in (set by the pager that fetched it).
    """

    count: int | None
    next: str | None
    previous: str | None
    results: list[Any]
    response: RawResponse[None] | None = attrs.field(default=None, eq=False, repr=False)

    def with_response(self, response: RawResponse[None]) -> DrfPage:
        """This page, come in ``response`` (every field by position: once per page)."""
        return DrfPage(self.count, self.next, self.previous, self.results, response)


@attrs.frozen
class ReturnCodeSuccess:
    """A positive or neutral ``returnCode`` (>= 1000) with its message."""

    return_code: int
    message: str
    warning: str | None = None


@attrs.frozen
class ReturnCodeList:
    """A ``returnCode`` list response (1-999) with ``count`` and ``items``."""

    return_code: int
    count: int
    items: list[Any]
    warning: str | None = None


@attrs.frozen
class ReturnCodeIndividual:
    """A ``returnCode`` data response (1-999); ``data`` holds the endpoint's own fields."""

    return_code: int
    data: dict[str, Any]
    warning: str | None = None


ReturnCodeResult = ReturnCodeSuccess | ReturnCodeList | ReturnCodeIndividual


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def decode_json(status: int, headers: Headers, body: bytes) -> Any:
    """The body as JSON; ``None`` for an empty body. Raises ``DecodeError`` on anything else."""
    del headers
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: hostile nesting depth
        raise errors.DecodeError(
            f"HTTP {status}: the body is not JSON ({exc}): {excerpt(_text(body))}",
            text=_text(body),
            status=status,
        ) from exc


def _shape_error(status: int, body: bytes, expected: str) -> errors.DecodeError:
    return errors.DecodeError(
        f"HTTP {status}: expected {expected}, got: {excerpt(_text(body))}",
        text=_text(body),
        status=status,
    )


def decode_object(status: int, headers: Headers, body: bytes) -> dict[str, Any]:
    """A single JSON object (a resource). An empty or non-object body is a ``DecodeError``."""
    data = decode_json(status, headers, body)
    if not isinstance(data, dict):
        raise _shape_error(status, body, "a JSON object")
    return data


def decode_page(status: int, headers: Headers, body: bytes) -> DrfPage:
    """A DRF page, or a bare JSON array treated as the one and only page."""
    data = decode_json(status, headers, body)
    if isinstance(data, list):
        return DrfPage(count=len(data), next=None, previous=None, results=data)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise _shape_error(status, body, 'a page {"count", "next", "previous", "results"}')
    count, next_url, previous = data.get("count"), data.get("next"), data.get("previous")
    if (
        (count is not None and (not isinstance(count, int) or isinstance(count, bool)))
        or (next_url is not None and not isinstance(next_url, str))
        or (previous is not None and not isinstance(previous, str))
    ):
        raise _shape_error(status, body, "integer count and string-or-null next/previous")
    return DrfPage(
        count=count, next=next_url or None, previous=previous or None, results=data["results"]
    )


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def decode_return_code(status: int, headers: Headers, body: bytes) -> ReturnCodeResult:
    """The ``returnCode`` family of envelopes. A negative code raises ``ReturnCodeError``."""
    data = decode_json(status, headers, body)
    code = data.get("returnCode") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(code, int) or isinstance(code, bool):
        raise _shape_error(status, body, "an object with an integer returnCode")
    warning = _optional_str(data, "warning")
    message = data.get("message")
    if code < 0:
        raise errors.ReturnCodeError(
            message if isinstance(message, str) else f"returnCode {code}",
            return_code=code,
            status=status,
            body=_text(body),
            data=data,
            headers=headers,
            request_id=headers.get("x-request-id"),
        )
    if code >= 1000:
        return ReturnCodeSuccess(code, message if isinstance(message, str) else "", warning)
    if code == 0:
        raise _shape_error(status, body, "a returnCode other than 0 (undocumented)")
    if "items" in data or "count" in data:
        items, count = data.get("items"), data.get("count")
        if not isinstance(items, list) or not isinstance(count, int) or isinstance(count, bool):
            raise _shape_error(status, body, "a returnCode list with integer count and items")
        return ReturnCodeList(code, count, items, warning)
    fields = {key: value for key, value in data.items() if key not in _RETURN_CODE_KEYS}
    return ReturnCodeIndividual(code, fields, warning)


# --- errors -----------------------------------------------------------------------------


def _summarise(value: Any, depth: int = 0) -> str:
    """Field errors as ``field: message; other: message`` for exception text."""
    if depth > _MAX_SUMMARY_DEPTH:  # a hostile body nested deep enough to exhaust the stack
        return "…"
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_summarise(item, depth + 1)}" for key, item in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(_summarise(item, depth + 1) for item in value)
    return str(value)


def _message_of(status: int, data: Any, text: str) -> str:
    """The most useful human message in an error body, whatever its shape."""
    if isinstance(data, dict):
        for key in ("detail", "message", "error_description", "error"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value
        if data.get("status") == "invalid payload":
            return f"invalid payload: {_summarise(data.get('reason'))}"
        if data:
            return _summarise(data)
    if isinstance(data, list) and data:
        return _summarise(data)
    title = _HTML_TITLE.search(text)
    if title:
        return f"HTML error page: {' '.join(title.group(1).split())}"
    if text.strip():
        return excerpt(text)
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _is_invalid_payload(data: Any) -> bool:
    return isinstance(data, dict) and (data.get("status") == "invalid payload" or "reason" in data)


def lenient_json(body: bytes) -> Any:
    """Error bodies are often not JSON (HTML from a proxy, nothing at all): never raise."""
    try:
        return json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):
        return None


def _unexpected_message(status: int, headers: Headers) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unexpected status"
    location = without_query(headers.get("location") or "") or None
    if status in (301, 302, 303, 307, 308):
        where = f" to {location}" if location else ""
        return (
            f"{phrase}: redirect{where} not followed (the SDK follows none for an API call, "
            "and for a presigned download only one to https)"
        )
    return f"{phrase}: not an answer the SDK can act on"


def error_for(
    status: int,
    headers: Headers,
    body: bytes,
    *,
    now: float,
    method: str | None = None,
    url: str | None = None,
    request_id: str | None = None,
    prior_outcome_unknown: bool = False,
    outcome_unknown: bool = False,
) -> errors.APIError | None:
    """The exception an answer stands for, or ``None`` when it is a success.

    Only a 2xx is a success, and a 2xx body carrying a negative ``returnCode`` is an error
    too. 1xx and 3xx are :class:`~lucidgreen.UnexpectedStatus`. The error is built complete
    from the request's context: ``method`` and ``url`` (its query is dropped), the
    ``request_id`` the SDK sent (the server's ``X-Request-ID`` wins), and the outcome flags
    (see :class:`~lucidgreen.APIError`).
    """
    success = 200 <= status < 300
    # A 2xx is an error only through a returnCode envelope: without the key's bytes it is a
    # success, decided before copying headers or decoding a (maybe 10 MB) body to text.
    if success and b"returnCode" not in body:
        return None
    headers = errors.ResponseHeaders(headers)
    data = lenient_json(body)
    if success and _return_code_of(data) is None:
        return None
    text = _text(body)
    common: dict[str, Any] = {
        "status": status,
        "body": text,
        "data": data,
        "headers": headers,
        "request_id": headers.get("x-request-id") or request_id,
        "method": method,
        "url": url,
        "prior_outcome_unknown": prior_outcome_unknown,
        "outcome_unknown": outcome_unknown,
    }
    returned = _return_code_error(data, common)
    if returned is not None:
        return returned
    if success:
        return None
    if status < 400:
        return errors.UnexpectedStatus(_unexpected_message(status, headers), **common)
    return _refusal(status, headers, data, text, now=now, common=common)


_BY_STATUS: dict[int, type[errors.APIError]] = {
    401: errors.AuthenticationError,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    405: errors.MethodNotAllowed,
}


def _return_code_of(data: Any) -> int | None:
    """The negative ``returnCode`` of a decoded envelope, else None."""
    if not isinstance(data, dict):
        return None
    code = data.get("returnCode")
    if not isinstance(code, int) or isinstance(code, bool) or code >= 0:
        return None
    return code


def _return_code_error(data: Any, common: dict[str, Any]) -> errors.ReturnCodeError | None:
    """A ``returnCode`` envelope with a negative code (on any status), else None."""
    code = _return_code_of(data)
    if code is None:
        return None
    message = data.get("message")
    return errors.ReturnCodeError(
        message if isinstance(message, str) else f"returnCode {code}", return_code=code, **common
    )


def _refusal(
    status: int, headers: Headers, data: Any, text: str, *, now: float, common: dict[str, Any]
) -> errors.APIError:
    """The error of a 4xx or 5xx answer."""
    message = _message_of(status, data, text)
    detail = data.get("detail") if isinstance(data, dict) else None
    detail = detail if isinstance(detail, str) else None
    if status in (400, 403) and isinstance(data, dict) and _is_invalid_payload(data):
        return errors.InvalidPayload(message, reason=data.get("reason"), detail=detail, **common)
    if status == 400:
        return errors.BadRequest(message, detail=detail or message, **common)
    if status == 429:
        retry_after = parse_retry_after(
            headers.get("retry-after"), now=now, date=headers.get("date")
        )
        if retry_after is None and detail:
            hinted = _THROTTLE_WAIT.search(detail)
            retry_after = float(hinted.group(1)) if hinted else None
        return errors.RateLimited(message, retry_after=retry_after, **common)
    kind = _BY_STATUS.get(status) or (errors.ServerError if status >= 500 else errors.APIError)
    return kind(message, **common)


def excerpt(text: str) -> str:
    """A short, single-line excerpt of a body for exception messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT_CHARACTERS else flat[:_EXCERPT_CHARACTERS] + "…"
