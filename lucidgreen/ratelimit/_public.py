"""The process-wide budget of the two unauthenticated Retail lookups, one per origin.

The server counts them per caller IP, whatever the credentials, so every client of a process
spends the same 60 a minute (:data:`lucidgreen._limits.PUBLIC_LOOKUP_LIMIT`); the clients
take their public limiter from here rather than making one each.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from lucidgreen import _limits

from ._bucket import TokenBucket
from ._protocol import RateLimiter

__all__ = ["RETAIL_ORIGIN", "origin_of", "public_lookup_limiter", "share_public_lookups"]

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
        limiter = TokenBucket(
            _limits.PUBLIC_LOOKUP_LIMIT, _limits.WINDOW, name=f"retail-public {origin}"
        )
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
    if not isinstance(limiter, RateLimiter):
        raise TypeError(f"limiter must be a RateLimiter, not {type(limiter).__name__}")
    _public[origin] = limiter
