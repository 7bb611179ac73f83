"""Async-first Python SDK for the LucidGreen APIs: LucidSource (brands) and LucidRetail.

.. code-block:: python

    async with lucidgreen.SourceClient(client_id=..., client_secret=...) as source:
        async for product in source.products.list():
            ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__
from .errors import (
    APIError,
    AuthenticationError,
    BadRecords,
    BadRequest,
    CaseAlreadyImported,
    ConnectError,
    DeadlineExceeded,
    DecodeError,
    DispensaryNotConfigured,
    ExportFailed,
    ExportNotReady,
    ExportUnavailable,
    InvalidLucidID,
    InvalidPayload,
    LucidGreenError,
    LucidIDsRefused,
    MethodNotAllowed,
    NaiveDatetimeError,
    NonImportedLucidIDs,
    NotFound,
    PageLayoutChanged,
    PermissionDenied,
    RateLimited,
    RateLimiterUnavailable,
    RequestTimeout,
    ReturnCodeError,
    ServerError,
    ServerErrorOutcomeUnknown,
    SkippedRecord,
    TransactionAlreadyProcessed,
    TransportError,
    UnexpectedStatus,
    UnknownLucidIDs,
    WriteOutcomeUnknown,
)

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and editors
    from ._client import RetailClient, SourceClient
    from ._events import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
    from ._pager import AsyncPager, Page
    from ._raw import RawResponse
    from ._serialize import to_dict, to_json
    from .instrumentation import CallName, CallObserver, Instrumentation
    from .ratelimit import RateLimiter, RedisRateLimiter, TokenBucket
    from .retry import RetryPolicy
    from .transport import Request, Response, StreamedResponse, Timeout, Transport

# ``import lucidgreen`` loads the errors alone; each of these loads (with aiohttp, the models
# and the resources) on first use, so a program that only imports, or a CLI's ``--help``,
# does not pay for them. ``from lucidgreen import SourceClient`` works as before.
# Public submodules reachable as attributes of a bare ``import lucidgreen`` (otel, testing
# and cli only by their own import: they need extras or load a server).
_SUBPACKAGES = frozenset(
    {
        "auth",
        "errors",
        "flows",
        "ids",
        "instrumentation",
        "push",
        "ratelimit",
        "retail",
        "retry",
        "source",
        "transport",
    }
)
_LAZY: dict[str, str] = {
    "AsyncPager": "._pager",
    "CallName": ".instrumentation",
    "CallObserver": ".instrumentation",
    "Hooks": "._events",
    "Instrumentation": ".instrumentation",
    "LimiterWait": "._events",
    "Page": "._pager",
    "RateLimiter": ".ratelimit",
    "RedisRateLimiter": ".ratelimit",
    "Request": ".transport",
    "RequestSent": "._events",
    "RawResponse": "._raw",
    "Response": ".transport",
    "RetailClient": "._client",
    "RetryPolicy": ".retry",
    "RetryScheduled": "._events",
    "SourceClient": "._client",
    "Stats": "._events",
    "StreamedResponse": ".transport",
    "Timeout": ".transport",
    "TokenBucket": ".ratelimit",
    "Transport": ".transport",
    "to_dict": "._serialize",
    "to_json": "._serialize",
}

if not TYPE_CHECKING:  # type checkers see the imports above; a typo stays an error there

    def __getattr__(name: str) -> object:
        import importlib

        if name in _SUBPACKAGES:  # ``lucidgreen.ratelimit`` after a bare ``import lucidgreen``
            return importlib.import_module(f"{__name__}.{name}")
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'lucidgreen' has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # once loaded, a plain module attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY, *_SUBPACKAGES})


__all__ = [
    "APIError",
    "AsyncPager",
    "AuthenticationError",
    "BadRecords",
    "BadRequest",
    "CallName",
    "CallObserver",
    "CaseAlreadyImported",
    "ConnectError",
    "DeadlineExceeded",
    "DecodeError",
    "DispensaryNotConfigured",
    "ExportFailed",
    "ExportNotReady",
    "ExportUnavailable",
    "Hooks",
    "Instrumentation",
    "InvalidLucidID",
    "InvalidPayload",
    "LimiterWait",
    "LucidGreenError",
    "LucidIDsRefused",
    "MethodNotAllowed",
    "NaiveDatetimeError",
    "NonImportedLucidIDs",
    "NotFound",
    "Page",
    "PageLayoutChanged",
    "PermissionDenied",
    "RateLimited",
    "RateLimiter",
    "RateLimiterUnavailable",
    "RawResponse",
    "RedisRateLimiter",
    "Request",
    "RequestSent",
    "RequestTimeout",
    "Response",
    "RetailClient",
    "RetryPolicy",
    "RetryScheduled",
    "ReturnCodeError",
    "ServerError",
    "ServerErrorOutcomeUnknown",
    "SkippedRecord",
    "SourceClient",
    "Stats",
    "StreamedResponse",
    "Timeout",
    "TokenBucket",
    "TransactionAlreadyProcessed",
    "Transport",
    "TransportError",
    "UnexpectedStatus",
    "UnknownLucidIDs",
    "WriteOutcomeUnknown",
    "__version__",
    "to_dict",
    "to_json",
]
