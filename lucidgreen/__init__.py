"""Async-first Python SDK for the LucidGreen APIs: LucidSource (brands) and LucidRetail.

.. code-block:: python

    async with lucidgreen.SourceClient(client_id=..., client_secret=...) as source:
        async for product in source.products.list():
            ...
"""

from __future__ import annotations

from ._client import RetailClient, SourceClient
from ._events import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
from ._pager import AsyncPager, Page
from ._serialize import to_dict, to_json
from ._transport import Timeout
from ._version import __version__
from .errors import (
    APIError,
    AuthenticationError,
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
    PermissionDenied,
    RateLimited,
    RateLimiterUnavailable,
    RequestTimeout,
    ReturnCodeError,
    ServerError,
    TransactionAlreadyProcessed,
    TransportError,
    UnexpectedStatus,
    UnknownLucidIDs,
    WriteOutcomeUnknown,
)
from .ratelimit import RateLimiter, RedisRateLimiter, TokenBucket
from .retry import RetryPolicy

__all__ = [
    "APIError",
    "AsyncPager",
    "AuthenticationError",
    "BadRequest",
    "CaseAlreadyImported",
    "ConnectError",
    "DeadlineExceeded",
    "DecodeError",
    "DispensaryNotConfigured",
    "ExportFailed",
    "ExportNotReady",
    "ExportUnavailable",
    "Hooks",
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
    "PermissionDenied",
    "RateLimited",
    "RateLimiter",
    "RateLimiterUnavailable",
    "RedisRateLimiter",
    "RequestSent",
    "RequestTimeout",
    "RetailClient",
    "RetryPolicy",
    "RetryScheduled",
    "ReturnCodeError",
    "ServerError",
    "SourceClient",
    "Stats",
    "Timeout",
    "TokenBucket",
    "TransactionAlreadyProcessed",
    "TransportError",
    "UnexpectedStatus",
    "UnknownLucidIDs",
    "WriteOutcomeUnknown",
    "__version__",
    "to_dict",
    "to_json",
]
