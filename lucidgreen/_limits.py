"""The documented rate limits, in one place (the clients, the limiters and the fake read them),
and the process-wide budget of the public lookups.

Each limit is ``limit`` requests in any sliding window of :data:`WINDOW` seconds, as the
servers count them (Django REST Framework's ``SimpleRateThrottle``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .ratelimit import RateLimiter

__all__ = [
    "PUBLIC_LOOKUP_LIMIT",
    "RETAIL_LIMIT",
    "SOURCE_LIMIT",
    "WINDOW",
    "public_lookup_limiter",
    "share_public_lookups",
]

#: Seconds in the servers' sliding window.
WINDOW: Final = 60.0
#: LucidSource, per set of credentials.
SOURCE_LIMIT: Final = 60
#: LucidRetail, per set of credentials.
RETAIL_LIMIT: Final = 1000
#: The two unauthenticated LucidRetail lookups, per client IP address.
PUBLIC_LOOKUP_LIMIT: Final = 60

#: The LucidRetail production origin: the default of :func:`share_public_lookups`.
RETAIL_ORIGIN: Final = "https://retail.lucidgreen.io"

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

# One budget per origin for this process: the server counts the public lookups per IP, so
# every client of the process spends the same 60 a minute, whatever its credentials.
_public: dict[str, RateLimiter] = {}


def origin_of(base_url: str) -> str:
    """``scheme://host:port`` of ``base_url``, lowercased, with the default port spelled out
    (so ``https://h`` and ``https://H:443/`` name one budget)."""
    parts = urlsplit(base_url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL with a host, not {base_url!r}")
    port = parts.port or _DEFAULT_PORTS[scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{scheme}://{host}:{port}"


def public_lookup_limiter(base_url: str = RETAIL_ORIGIN) -> RateLimiter:
    """The budget every client of this process spends on the public lookups of
    ``base_url``'s origin: the limiter given to :func:`share_public_lookups`, else a
    :class:`~lucidgreen.ratelimit.TokenBucket` of 60 a minute made on first use.

    Keyed by origin (host and port): the server counts per caller IP, and two origins on
    one host (two fakes on loopback) are two servers with a count each.
    """
    origin = origin_of(base_url)
    limiter = _public.get(origin)
    if limiter is None:
        from .ratelimit import TokenBucket

        limiter = TokenBucket(PUBLIC_LOOKUP_LIMIT, WINDOW, name=f"retail-public {origin}")
        _public[origin] = limiter
    return limiter


def share_public_lookups(limiter: RateLimiter | None, base_url: str = RETAIL_ORIGIN) -> None:
    """Make ``limiter`` the public-lookup budget of ``base_url``'s origin for every client of
    this process made from now on (``None``: back to a default bucket).

    Pass a :class:`~lucidgreen.ratelimit.RedisRateLimiter` keyed by your egress IP to share
    the 60 a minute with other processes and hosts behind that IP. The limiter stays yours to
    close; clients never close it.
    """
    origin = origin_of(base_url)
    if limiter is None:
        _public.pop(origin, None)
        return
    from .ratelimit import RateLimiter as Protocol

    if not isinstance(limiter, Protocol):
        raise TypeError(f"limiter must be a RateLimiter, not {type(limiter).__name__}")
    _public[origin] = limiter
