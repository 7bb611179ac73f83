"""Client-side rate limiters for LucidGreen's sliding-window limits.

- :class:`TokenBucket`: one process's budget (the clients' default).
- :class:`RedisRateLimiter`: one budget for every process and host sharing a Redis key
  (needs ``pip install 'lucidgreen[redis]'``).
- :class:`Unlimited`: never waits, counts what it grants; for tests and benchmarks.
- :class:`RateLimiter` and :class:`Permit`: the protocol they follow; pass your own to a
  client's ``rate_limiter=``.
- :func:`public_lookup_limiter` and :func:`share_public_lookups`: the process-wide budget of
  the two unauthenticated Retail lookups (counted per IP by the server), per origin.

The rule is exact, with no margin: each request counts at the latest moment the server can
have seen it (its answer once the permit is settled, ``send + hold`` while in flight), and a
request leaves only when fewer than ``limit`` counted requests lie in the last ``per``
seconds. So no server window ever holds more than ``limit`` requests, whatever the latency
or the order in which requests arrive, and a sustained run gets ``limit`` per ``per`` plus
one round trip (99.6 % at 250 ms, ~100 % on loopback). A token bucket paces requests and
allows a burst of a tenth of the limit after an idle spell.
"""

from __future__ import annotations

from lucidgreen._limits import PUBLIC_LOOKUP_LIMIT, RETAIL_LIMIT, SOURCE_LIMIT, WINDOW

from ._arithmetic import Pacing
from ._bucket import TokenBucket
from ._protocol import Permit, RateLimiter, RateLimiterUnavailable
from ._public import public_lookup_limiter, share_public_lookups
from ._redis import RedisRateLimiter
from ._unlimited import Unlimited

__all__ = [
    "PUBLIC_LOOKUP_LIMIT",
    "RETAIL_LIMIT",
    "SOURCE_LIMIT",
    "WINDOW",
    "Pacing",
    "Permit",
    "RateLimiter",
    "RateLimiterUnavailable",
    "RedisRateLimiter",
    "TokenBucket",
    "Unlimited",
    "public_lookup_limiter",
    "share_public_lookups",
]
