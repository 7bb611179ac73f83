"""Redis 100 ms away: several processes on one key still use >= 90 % of the budget, and no
server window ever holds more than the limit (the exact-window rule is unchanged).

Without leasing, a process got one permit per round trip (9.7 a second at 100 ms, 44 % of
this test's budget for three of them)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from benchmarks._redis import delay_proxy
from benchmarks.limiter import hammer_for
from lucidgreen.ratelimit import RedisRateLimiter
from tests.support import max_in_window, sustained_share

pytestmark = [pytest.mark.redis, pytest.mark.slow]

LIMIT, PER, RTT = 100, 1.5, 0.1  # 67 permits a second: one every 15 ms, a round trip 100 ms


async def test_three_limiters_100ms_away_use_the_budget(redis_url: str) -> None:
    """Three limiters (each its own connection and queue, as three processes have) behind a
    100 ms round trip: never a window over the limit, and the budget is used, not starved."""
    key = f"lucidgreen-test:{uuid.uuid4().hex}"
    async with delay_proxy(redis_url, RTT) as far:
        limiters = [RedisRateLimiter(far, key, limit=LIMIT, per=PER) for _ in range(3)]
        try:
            runs = await asyncio.gather(*(hammer_for(lim, 10, 5 * PER) for lim in limiters))
        finally:
            for limiter in limiters:
                await limiter.aclose()
    grants = sorted(t for run in runs for t in run)
    assert all(len(run) > LIMIT // 10 for run in runs)  # each one took part
    assert max_in_window(grants, PER) <= LIMIT
    steady = [t for t in grants if t >= grants[0] + PER]
    # The exact rule counts each request at its settle, which reaches Redis a round trip
    # after the grant: a window of per then lasts per + rtt (93.8 % here, where the window
    # is compressed 40x; 99.8 % on LucidRetail's real minute). How close it comes is a
    # figure (benchmarks' redis_rtt row, against the same ceiling in one run); this test
    # only proves the budget is not starved, with room for a loaded machine's scheduling.
    ceiling = PER / (PER + RTT)
    assert sustained_share(steady, LIMIT, PER) >= 0.8 * ceiling


async def test_a_lone_waiter_at_a_distance_still_gets_one_permit_per_trip(
    redis_url: str,
) -> None:
    """Leasing changes nothing for a single task: one permit, settled, nothing left over."""
    key = f"lucidgreen-test:{uuid.uuid4().hex}"
    async with delay_proxy(redis_url, RTT) as far:
        limiter = RedisRateLimiter(far, key, limit=LIMIT, per=PER)
        try:
            for _ in range(3):
                await (await limiter.acquire(hold=1.0)).settle()
            assert await limiter.counted() == 3
        finally:
            await limiter.aclose()
