"""Client-side rate limiters sized for LucidGreen's sliding-window limits.

- :class:`TokenBucket`: one process's budget (the clients' default).
- :class:`RedisRateLimiter`: one budget for every process and host sharing a Redis key
  (needs ``pip install 'lucidgreen[redis]'``).
- :class:`RateLimiter`: the protocol both follow; pass your own to a client's
  ``rate_limiter=``.

Both are sized so that no window of ``per`` seconds at the server ever holds more than
``limit`` requests, with a margin for network jitter, while a sustained run uses 97.84 % of
the limit. :class:`Sizing` shows the numbers.
"""

from __future__ import annotations

from ._arithmetic import (
    DEFAULT_UTILIZATION,
    PUBLIC_LOOKUP_LIMIT,
    RETAIL_LIMIT,
    SOURCE_LIMIT,
    Sizing,
)
from ._bucket import TokenBucket
from ._protocol import RateLimiter, RateLimiterUnavailable
from ._redis import RedisRateLimiter

__all__ = [
    "DEFAULT_UTILIZATION",
    "PUBLIC_LOOKUP_LIMIT",
    "RETAIL_LIMIT",
    "SOURCE_LIMIT",
    "RateLimiter",
    "RateLimiterUnavailable",
    "RedisRateLimiter",
    "Sizing",
    "TokenBucket",
]
