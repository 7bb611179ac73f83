"""A call whose deadline a known wait already exceeds (an empty budget, a 429 pause) fails at
once and says when budget is expected: the limiter runs on a fake clock that moves only when
it sleeps, and the tests check it never slept."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, aimed_at, product, source
from tests.support import FakeClock


async def test_deadline_bounds_limiter_wait_and_never_sends() -> None:
    """Deadline 0.5 s, budget empty for 30 s: refused without a sleep, nothing sent, the
    queue left empty, retry_after ~30 s."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    clock = FakeClock()
    bucket = lucidgreen.TokenBucket(limit=1, per=30.0, clock=clock, sleep=clock.sleep)
    retry = lucidgreen.RetryPolicy(max_retries=0, deadline=0.5, min_attempt_time=0.05)
    async with aimed_at(h, source, rate_limiter=bucket, retry=retry) as (c, log):
        await c.products.get(LID)
        with pytest.raises(lucidgreen.DeadlineExceeded) as info:
            await asyncio.wait_for(c.products.get(LID), 10)  # a guard against a hang
    assert info.value.request_sent is False
    assert info.value.retry_after == pytest.approx(30.0)
    assert clock.sleeps == []
    assert len(log) == 1
    assert bucket.waiting == 0


async def test_deadline_bounds_429_pause() -> None:
    """A 429 with Retry-After: 20 and a 1 s deadline: no retry can fit, so the call ends at
    once on that 429 (its retry_after says when to come back), one request sent, no wait."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "20"})

    clock = FakeClock()
    bucket = lucidgreen.TokenBucket(limit=100, per=1.0, clock=clock, sleep=clock.sleep)
    retry = lucidgreen.RetryPolicy(deadline=1.0, min_attempt_time=0.05)
    async with aimed_at(h, source, rate_limiter=bucket, retry=retry) as (c, log):
        with pytest.raises(lucidgreen.RateLimited) as info:
            await asyncio.wait_for(c.products.get(LID), 10)
    assert info.value.retry_after == 20.0
    assert clock.sleeps == []
    assert len(log) == 1
