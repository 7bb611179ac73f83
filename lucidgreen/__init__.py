"""Async-first Python SDK for the LucidGreen APIs: LucidSource (brands) and LucidRetail.

.. code-block:: python

    async with lucidgreen.SourceClient(client_id=..., client_secret=...) as source:
        async for product in source.products.list():
            ...
"""

from __future__ import annotations

from ._client import RetailClient, SourceClient
from ._events import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
from ._http import Timeout
from ._pager import AsyncPager, Page
from ._version import __version__
from .errors import (
    APIError,
    AuthenticationError,
    BadRequest,
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
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    RateLimited,
    RateLimiterUnavailable,
    RequestTimeout,
    ReturnCodeError,
    ServerError,
    TransportError,
    UnexpectedStatus,
    WriteOutcomeUnknown,
)
from .ratelimit import RateLimiter, RedisRateLimiter, TokenBucket
from .retry import RetryPolicy

__all__ = [
    "APIError",
    "AsyncPager",
    "AuthenticationError",
    "BadRequest",
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
    "MethodNotAllowed",
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
    "TransportError",
    "UnexpectedStatus",
    "WriteOutcomeUnknown",
    "__version__",
]
