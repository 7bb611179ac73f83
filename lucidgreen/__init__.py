"""Async-first Python SDK for the LucidGreen APIs: LucidSource (brands) and LucidRetail.

.. code-block:: python

    async with lucidgreen.SourceClient(client_id=..., client_secret=...) as source:
        async for product in source.products.list():
            ...
"""

from __future__ import annotations

from ._client import RetailClient, SourceClient
from ._pager import AsyncPager, Page
from ._pipeline import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
from ._version import __version__
from .errors import (
    APIError,
    AuthenticationError,
    BadRequest,
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
    ReturnCodeError,
    ServerError,
    TransportError,
    WriteOutcomeUnknown,
)
from .ratelimit import RateLimiter, RedisRateLimiter, TokenBucket
from .retry import RetryPolicy

__all__ = [
    "APIError",
    "AsyncPager",
    "AuthenticationError",
    "BadRequest",
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
    "RedisRateLimiter",
    "RequestSent",
    "RetailClient",
    "RetryPolicy",
    "RetryScheduled",
    "ReturnCodeError",
    "ServerError",
    "SourceClient",
    "Stats",
    "TokenBucket",
    "TransportError",
    "WriteOutcomeUnknown",
    "__version__",
]
