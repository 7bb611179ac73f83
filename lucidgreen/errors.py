"""Every exception ``lucidgreen`` raises, in one place.

::

    LucidGreenError
    ├── APIError(status, body, headers, request_id)   the server answered with an error
    │   ├── BadRequest(detail)                        400, business rules ({"detail": ...})
    │   │   ├── InvalidPayload(reason)                "invalid payload" on 400 or legacy 403
    │   │   ├── TransactionAlreadyProcessed(order_id) a sale or void sent before
    │   │   ├── CaseAlreadyImported(case_uuid, package_uid)   the CaseID is in inventory
    │   │   └── LucidIDsRefused(lucid_ids)            LucidIDs a sale may not contain
    │   │       ├── UnknownLucidIDs(unknown, invalid) unknown, or not this dispensary's
    │   │       └── NonImportedLucidIDs               not imported into inventory yet
    │   ├── AuthenticationError                       401 after one renewal, bad credentials
    │   ├── PermissionDenied                          403 that is not a legacy invalid payload
    │   ├── NotFound                                  404
    │   │   └── ExportUnavailable                     404 of the package-UID export
    │   ├── MethodNotAllowed                          405
    │   ├── RateLimited(retry_after)                  429
    │   ├── ServerError                               5xx
    │   ├── ExportNotReady                            export still processing after the wait
    │   ├── ExportFailed / DispensaryNotConfigured    422 / 428 of the package-UID export
    │   └── ReturnCodeError(return_code, message)     a ``returnCode`` < 0 envelope
    │   └── UnexpectedStatus                          1xx or 3xx (redirects are never followed)
    ├── TransportError(request_sent)                  connection failure, timeout, lost answer
    │   ├── ConnectError                              the connection never opened: nothing sent
    │   ├── RequestTimeout (also TimeoutError)        no answer in time
    │   │   └── DeadlineExceeded                      ``RetryPolicy.deadline`` ran out
    │   └── WriteOutcomeUnknown                       a write's outcome is unclear: may have applied
    │       └── <E>OutcomeUnknown(E, WriteOutcomeUnknown)   any error E ending such a write
    ├── DecodeError(text)                             body or model mismatch, with the raw text
    │   ├── BadRecords(skipped, cursor)               records of a page that did not decode
    │   └── PageLayoutChanged(cursor)                 a resume cannot find where its cursor was
    ├── RateLimiterUnavailable                        the shared limiter's Redis did not answer
    ├── InvalidLucidID (also ValueError)              refused locally, before any request
    └── NaiveDatetimeError (also ValueError)          a datetime without offset, refused locally

``outcome_unknown`` is on every error: True when the server may have applied the write the
error reports (a lost answer, a 5xx, an undecodable 2xx to a write). Check before resending.

Every exception's text is built from the status, the method and path, the server's message
and the request id; never from request headers or a URL's query, so a bearer token, client
secret or presigned signature cannot leak through ``str()``. No exception is chained to an
aiohttp exception (whose ``request_info.headers`` holds ``Authorization``): not as
``__cause__``, not as ``__context__``.

Long because: the error tree is one module by design, every class drawn above and defined
here, so ``except`` clauses have one place to look.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ._headers import ResponseHeaders
from ._retyping import rebuilt, retyped
from ._secrets import scrubbed, without_query

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRecords",
    "BadRequest",
    "CaseAlreadyImported",
    "ConnectError",
    "DeadlineExceeded",
    "DecodeError",
    "DispensaryNotConfigured",
    "ExportFailed",
    "ExportNotReady",
    "ExportUnavailable",
    "InvalidLucidID",
    "InvalidPayload",
    "LucidGreenError",
    "LucidIDsRefused",
    "MethodNotAllowed",
    "NaiveDatetimeError",
    "NonImportedLucidIDs",
    "NotFound",
    "PageLayoutChanged",
    "PermissionDenied",
    "RateLimited",
    "RateLimiterUnavailable",
    "RequestTimeout",
    "ResponseHeaders",
    "ReturnCodeError",
    "ServerError",
    "ServerErrorOutcomeUnknown",
    "SkippedRecord",
    "TransactionAlreadyProcessed",
    "TransportError",
    "UnexpectedStatus",
    "UnknownLucidIDs",
    "WriteOutcomeUnknown",
    "retyped",
    "scrubbed",
]


def _path_of(url: str) -> str:
    """``/api/v1.5/products/`` of ``https://host/api/v1.5/products/``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return scheme
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


class LucidGreenError(Exception):
    """Base class of every error raised by ``lucidgreen``.

    ``outcome_unknown`` is True when the server may have applied the write this error
    reports, so resending it blindly could apply it twice.
    """

    outcome_unknown: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # The errors take keyword-only fields, which BaseException's own pickling (it calls
        # ``cls(*args)``) cannot pass: rebuild from the class, args and fields instead, so an
        # error crosses a process pool or ``copy.deepcopy`` with its type and every field.
        return rebuilt, (type(self), self.args, dict(vars(self)))


class APIError(LucidGreenError):
    """The server answered, and the answer is an error.

    ``body`` is the raw response text (decoded leniently), ``data`` the parsed JSON when the
    body was JSON, ``headers`` the response headers (a read-only mapping, case-insensitive:
    ``headers.get("Content-Type")``). ``request_id`` is the server's ``X-Request-ID`` or,
    when it sends none, the one the SDK sent.
    ``method`` and ``url`` name the request (the URL without its query); ``str()`` shows
    them: ``HTTP 400 POST /api/v1.2/transactions/: message (request id …)``.
    ``prior_outcome_unknown`` is True when an earlier attempt of the same call ended without
    a clear answer (a lost response or a 5xx), so the server may have acted on it already.
    Every field is set when the error is built (see :func:`retyped` to change its type).
    """

    outcome_unknown: bool
    prior_outcome_unknown: bool = False
    method: str | None
    url: str | None

    status: int
    body: str
    data: Any
    headers: Mapping[str, str]
    request_id: str | None
    message: str

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: str = "",
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        prior_outcome_unknown: bool = False,
        outcome_unknown: bool = False,
    ) -> None:
        self.message = message
        self.method = method
        self.url = None if url is None else without_query(url)
        self.prior_outcome_unknown = prior_outcome_unknown
        self.outcome_unknown = outcome_unknown or prior_outcome_unknown
        self.status = status
        self.body = body
        self.data = data
        self.headers = ResponseHeaders(headers or {})
        self.request_id = request_id
        super().__init__(message)

    _fields: ClassVar[tuple[str, ...]] = ()
    """Keyword arguments a subclass adds to ``__init__``, kept by :func:`retyped`."""

    def __str__(self) -> str:
        where = ""
        if self.method or self.url:
            where = " " + " ".join(p for p in (self.method, self.url and _path_of(self.url)) if p)
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"HTTP {self.status}{where}: {self.message}{suffix}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r})"


class BadRequest(APIError):
    """400: the request broke a validation or business rule.

    ``detail`` is the server's human-readable message when it sent one.
    """

    _fields: ClassVar[tuple[str, ...]] = ("detail",)
    detail: str | None

    def __init__(self, message: str, *, detail: str | None = None, **kwargs: Any) -> None:
        self.detail = detail
        super().__init__(message, **kwargs)


class InvalidPayload(BadRequest):
    """``{"status": "invalid payload", "reason": {...}}``, on 400 or on a legacy 403."""

    _fields: ClassVar[tuple[str, ...]] = ("reason",)
    reason: Any

    def __init__(self, message: str, *, reason: Any = None, **kwargs: Any) -> None:
        self.reason = reason
        super().__init__(message, **kwargs)


class AuthenticationError(APIError):
    """401 after one token renewal, or credentials refused by ``/o/token/``."""


class PermissionDenied(APIError):
    """403: the credentials may not act on this resource (another Brand or Company)."""


class NotFound(APIError):
    """404: no such resource, or it is not visible to these credentials."""


class MethodNotAllowed(APIError):
    """405: the endpoint does not accept this HTTP method."""


class RateLimited(APIError):
    """429: the budget is spent; ``retry_after`` is the server's wait in seconds, if known."""

    _fields: ClassVar[tuple[str, ...]] = ("retry_after",)
    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(APIError):
    """500-599: the server failed; retried by the default policy."""


class ReturnCodeError(APIError):
    """A ``returnCode`` envelope with a negative code."""

    _fields: ClassVar[tuple[str, ...]] = ("return_code",)
    return_code: int

    def __init__(self, message: str, *, return_code: int, **kwargs: Any) -> None:
        self.return_code = return_code
        super().__init__(message, **kwargs)

    def __str__(self) -> str:
        return f"returnCode {self.return_code}: {super().__str__()}"


class ExportNotReady(APIError):
    """The package-UID export still answered 202 when the wait ran out."""


class ExportFailed(APIError):
    """422: LucidRetail failed to build the package-UID export."""


class ExportUnavailable(NotFound):
    """404: no package-UID export exists for that date."""


class DispensaryNotConfigured(APIError):
    """428: the credentials are not linked to a dispensary, or the feature is off for it."""


class UnexpectedStatus(APIError):
    """A 1xx or 3xx answer. Redirects are never followed (one would carry the bearer token
    wherever it points), so nothing the SDK asked for happened as far as it can tell."""


class TransportError(LucidGreenError):
    """The request did not get an HTTP answer: connection refused or dropped, or a timeout.

    ``request_sent`` is False only when the failure happened before any byte of the request
    could have reached the server (for example a refused connection), which makes even a
    write safe to send again.
    """

    request_sent: bool

    def __init__(
        self, message: str, *, request_sent: bool = True, outcome_unknown: bool = False
    ) -> None:
        self.request_sent = request_sent
        if outcome_unknown:  # else the class's own answer (True for WriteOutcomeUnknown)
            self.outcome_unknown = True
        super().__init__(message)


class ConnectError(TransportError):
    """The connection (TCP or TLS) never opened: not one byte of the request was sent."""

    def __init__(self, message: str, *, request_sent: bool = False) -> None:
        super().__init__(message, request_sent=request_sent)


class RequestTimeout(TransportError, TimeoutError):
    """No answer arrived within the timeout (``except TimeoutError`` catches it too)."""


class DeadlineExceeded(RequestTimeout):
    """The call's ``RetryPolicy.deadline`` ran out. ``request_sent`` says whether any attempt
    left; when it is False the server never saw the call.

    ``retry_after``: when the deadline ran out waiting for rate-limit budget, the seconds
    until the limiter expects budget for a new call (a service may answer 503 with
    ``Retry-After``); None otherwise.
    """

    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool = True,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, request_sent=request_sent, outcome_unknown=outcome_unknown)


class WriteOutcomeUnknown(TransportError):
    """A write was sent but its outcome is unclear: the server may have applied it.

    Raised itself when the answer was lost. Any other error ``E`` that ends a write in doubt
    (a 5xx, a timeout after sending, a refusal of a resend after an attempt that may have
    applied) is raised as ``EOutcomeUnknown``, both an ``E`` and a ``WriteOutcomeUnknown``
    (e.g. :class:`ServerErrorOutcomeUnknown`), so this one ``except`` clause catches every
    such write. Check the resource's state (or resend, if the endpoint is idempotent for
    you) before assuming it failed.
    """

    @property
    def outcome_unknown(self) -> bool:
        """Always True: this type means the write may have applied, however it was built."""
        return True

    @outcome_unknown.setter
    def outcome_unknown(self, value: bool) -> None:
        del value  # an init or a copy passing False cannot make this error certain


class ServerErrorOutcomeUnknown(ServerError, WriteOutcomeUnknown):
    """A write the SDK will not resend was answered with a 5xx: the server may have applied
    it before failing. Both a :class:`ServerError` (status, body, headers, request id) and a
    :class:`WriteOutcomeUnknown`, so ``except lucidgreen.WriteOutcomeUnknown`` catches every
    write whose outcome is unclear, whether its answer was lost or was a 5xx.
    """


class DecodeError(LucidGreenError):
    """The body is not what the endpoint documents: bad JSON, or a shape the model refuses.

    ``text`` holds the raw body (first 100,000 characters) so nothing is lost.
    """

    text: str
    status: int | None

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        status: int | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self.text = text[:100_000]
        self.status = status
        self.outcome_unknown = outcome_unknown
        super().__init__(message)


@dataclasses.dataclass(frozen=True)
class SkippedRecord:
    """One record of a list page that did not decode, delivered as it was sent.

    ``index`` is its position in the page's ``results`` (0-based, as the server sent them),
    ``raw`` the record as JSON text, ``reason`` what the model refused (field paths within
    the record, e.g. ``not a string: {} @ $.name``), ``page`` the path of its page.
    """

    index: int
    raw: str
    reason: str
    page: str = ""


class BadRecords(DecodeError):
    """Records of a list page did not decode; every good record of that page came first.

    Raised by the pager right after the page holding them (``async for`` yields its good
    items first; ``pages()`` yields the page, with ``page.skipped``, first). ``skipped``
    lists the bad records (:class:`SkippedRecord`: index, raw JSON, reason); ``cursor``
    resumes after that page, past them: ``list(resume_from=exc.cursor)``.
    """

    skipped: tuple[SkippedRecord, ...]
    cursor: str | None

    def __init__(
        self,
        message: str,
        *,
        skipped: Sequence[SkippedRecord] = (),
        cursor: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.skipped = tuple(skipped)
        self.cursor = cursor
        super().__init__(message, **kwargs)


class PageLayoutChanged(DecodeError):
    """A resume could not find, on the server's pages, the record its cursor ended on.

    The list changed between the cursor and the resume (records removed or added before
    it, or another page size) more than the pager could follow: continuing would skip or
    repeat records, so nothing is yielded. The message names what changed; ``cursor`` is
    the cursor given. Start the walk again from the beginning.
    """

    cursor: str

    def __init__(self, message: str, *, cursor: str = "", **kwargs: Any) -> None:
        self.cursor = cursor
        super().__init__(message, **kwargs)


class RateLimiterUnavailable(LucidGreenError):
    """The limiter's shared store (Redis) could not be reached or answered in time.

    Raised by :class:`~lucidgreen.RedisRateLimiter` instead of waiting forever; no request
    was sent, so the call that needed the budget may simply be tried again later.
    """


class InvalidLucidID(LucidGreenError, ValueError):
    """An ID that cannot be a LucidID (or shortuuid), refused before any request is sent."""

    value: str

    def __init__(self, message: str, *, value: str = "") -> None:
        self.value = value
        super().__init__(message)


# --- Documented business rules (typed 400s) and the local datetime check ----------------
# Raised by the resources that know the call (``transactions``, ``caseids``,
# ``operations.validate_lucid_ids``), each only when the body has its documented shape;
# any other 400 stays a plain BadRequest with the body on ``data``.


class TransactionAlreadyProcessed(BadRequest):
    """400 "This transaction has already been processed.": LucidRetail already holds a sale
    (or a void) with this ``order_id``, sent earlier by the caller. ``order_id`` is the one
    the refused call sent. (When the SDK itself resent a sale or void whose first answer
    was lost, this refusal proves the first one applied and ``transactions.complete`` /
    ``void`` return success with ``replayed=True`` instead.)
    """

    _fields: ClassVar[tuple[str, ...]] = ("order_id",)
    order_id: str | None

    def __init__(self, message: str, *, order_id: str | None = None, **kwargs: Any) -> None:
        self.order_id = order_id
        super().__init__(message, **kwargs)


class CaseAlreadyImported(BadRequest):
    """400 "Items in CaseID <case_uuid> are already imported into inventory <package_uid>.":
    the case (or that batch of it) was imported before; ``package_uid`` is the inventory
    package the server names. (When the SDK itself resent an import whose first answer was
    lost and this refusal names the same package uid, ``caseids.import_case`` returns success
    with ``replayed=True`` instead.)
    """

    _fields: ClassVar[tuple[str, ...]] = ("case_uuid", "package_uid")
    case_uuid: str
    package_uid: str

    def __init__(self, message: str, *, case_uuid: str, package_uid: str, **kwargs: Any) -> None:
        self.case_uuid = case_uuid
        self.package_uid = package_uid
        super().__init__(message, **kwargs)


class LucidIDsRefused(BadRequest):
    """400 naming the LucidIDs of the request that the server refused (``lucid_ids``, in the
    server's order). Catch this for both of its kinds below."""

    _fields: ClassVar[tuple[str, ...]] = ("lucid_ids",)
    lucid_ids: list[str]

    def __init__(self, message: str, *, lucid_ids: list[str], **kwargs: Any) -> None:
        self.lucid_ids = list(lucid_ids)
        super().__init__(message, **kwargs)


class UnknownLucidIDs(LucidIDsRefused):
    """400 ``{"items": {"invalid": [...], "unknown": [...], "valid": [...]}}`` (or
    ``{"items": {"Invalid LucidIDs": [...]}}``): LucidIDs that do not exist (``unknown``) or
    that this dispensary may not use, or whose format the server refuses (``invalid``).
    ``lucid_ids`` is both, unknown first.
    """

    _fields: ClassVar[tuple[str, ...]] = ("unknown", "invalid")
    unknown: list[str]
    invalid: list[str]

    def __init__(
        self,
        message: str,
        *,
        unknown: list[str],
        invalid: list[str],
        lucid_ids: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.unknown = list(unknown)
        self.invalid = list(invalid)
        refused = [*self.unknown, *self.invalid] if lucid_ids is None else lucid_ids
        super().__init__(message, lucid_ids=refused, **kwargs)


class NonImportedLucidIDs(LucidIDsRefused):
    """400 "This transaction contains non-imported lucid ids.": ``lucid_ids`` (the body's
    ``non_imported_lucidids``) exist but were never imported into this dispensary's
    inventory (``caseids.import_case`` first)."""


class NaiveDatetimeError(LucidGreenError, ValueError):
    """A datetime without a UTC offset, refused before any request is sent: the server
    would read it in a timezone nobody chose. Pass an aware one, e.g.
    ``datetime.now(timezone.utc)`` or ``naive.replace(tzinfo=ZoneInfo("America/Denver"))``.
    """

    field: str

    def __init__(self, message: str, *, field: str = "") -> None:
        self.field = field
        super().__init__(message)
