"""The batch-job advice in docs/rate-limits.md, proved on a fake clock: a 102-request
LucidSource job (60 a minute) finishes in 60 s with ``burst=60`` and 95.9 s by default."""

from __future__ import annotations

import asyncio

import pytest

from lucidgreen.ratelimit import TokenBucket
from tests.support import FakeClock


async def last_departure(burst: int | None, requests: int = 102) -> float:
    """Seconds from the start until the last of ``requests`` concurrent calls may leave
    (each answered at once)."""
    clock = FakeClock()
    start = clock.now
    bucket = TokenBucket(60, 60.0, burst=burst, clock=clock, sleep=clock.sleep)
    departures: list[float] = []

    async def call() -> None:
        permit = await bucket.acquire(hold=0.0)
        departures.append(clock.now - start)
        await permit.settle()

    await asyncio.gather(*(call() for _ in range(requests)))
    return max(departures)


async def test_a_burst_equal_to_the_limit_finishes_the_job_a_window_after_it_starts() -> None:
    """burst=60: 60 leave at once, the other 42 when that window slides out, at 60 s."""
    assert await last_departure(60) == pytest.approx(60.0)


async def test_the_default_burst_paces_the_job_over_96_seconds() -> None:
    """The default burst of 6: 6 at once, then one a second (the 7th at 0.9 s, the bucket
    holding 0.1 s of slack); 61-66 wait for the first window to slide out at 60 s, and the
    rest follow one a second: the 102nd leaves at 95.9 s."""
    assert await last_departure(None) == pytest.approx(95.9)
