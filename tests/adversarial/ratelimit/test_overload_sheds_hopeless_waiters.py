"""An overloaded limiter sends away at once every waiter whose place in the queue makes its
deadline impossible, and says when budget is expected (``retry_after``)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from lucidgreen.errors import DeadlineExceeded
from lucidgreen.ratelimit import Permit, RedisRateLimiter, TokenBucket
from tests.support import FakeClock, eventually, run_ready


def gated_bucket(clock: FakeClock, *, burst: int) -> TokenBucket:
    """10 per 10 s on ``clock``, whose sleeps never end by themselves (only the test ends
    them)."""
    clock.gate = asyncio.Event()
    return TokenBucket(10, 10.0, burst=burst, clock=clock, sleep=clock.sleep)


@contextlib.asynccontextmanager
async def gated_redis(redis_url: str, clock: FakeClock) -> AsyncIterator[RedisRateLimiter]:
    """RedisRateLimiter's twin of :func:`gated_bucket` on a fresh key, its one token already
    spent and settled."""
    clock.gate = asyncio.Event()
    key = f"lucidgreen-test:{uuid.uuid4().hex}"
    async with RedisRateLimiter(
        redis_url, key, limit=10, per=10.0, burst=1, sleep=clock.sleep
    ) as limiter:
        await (await limiter.acquire(hold=1.0)).settle()
        yield limiter


async def pause_sends_the_doomed_away(
    limiter: TokenBucket | RedisRateLimiter,
) -> asyncio.Task[Permit]:
    """Three waiters with 5 s left and one with 120 s queue on ``limiter`` (whose naps never
    end by themselves); a 30 s pause must end the three at once with retry_after >= 30 and
    keep the patient one, which is returned still waiting."""
    doomed = [asyncio.create_task(limiter.acquire(max_wait=5.0)) for _ in range(3)]
    patient = asyncio.create_task(limiter.acquire(max_wait=120.0))
    await run_ready()
    assert not any(task.done() for task in doomed)
    await limiter.pause(30.0)
    await run_ready()
    for task in doomed:
        assert task.done()
        error = task.exception()
        assert isinstance(error, DeadlineExceeded)
        assert error.retry_after is not None
        assert error.retry_after >= 30.0
    assert not patient.done()
    return patient


async def test_a_waiter_behind_a_long_queue_is_shed_on_arrival() -> None:
    """With 9 waiters ahead on a 1-a-second bucket, max_wait=5 cannot be met: refused at
    once, nothing spent, retry_after ~ the 10 s its place would take."""
    clock = FakeClock()
    bucket = gated_bucket(clock, burst=1)
    await bucket.acquire(hold=1.0)
    queued = [asyncio.create_task(bucket.acquire(hold=1.0)) for _ in range(9)]
    await run_ready()
    with pytest.raises(DeadlineExceeded) as caught:
        await bucket.acquire(max_wait=5.0)
    assert caught.value.request_sent is False
    assert caught.value.retry_after == pytest.approx(10.0, abs=0.2)
    assert "budget expected in" in str(caught.value)
    assert bucket.waiting == 9
    # A deadline the queue can meet is kept.
    patient = asyncio.create_task(bucket.acquire(max_wait=60.0))
    await run_ready()
    assert not patient.done()
    for task in [*queued, patient]:
        task.cancel()
    await asyncio.gather(*queued, patient, return_exceptions=True)


async def test_a_pause_sheds_the_queued_waiters_it_dooms_at_once() -> None:
    """A 429 pause of 30 s: queued waiters with 5 s left leave at once (not after 5 s) with
    retry_after >= 30; one with 120 s left stays."""
    clock = FakeClock()
    bucket = gated_bucket(clock, burst=1)
    await bucket.acquire(hold=1.0)
    patient = await pause_sends_the_doomed_away(bucket)
    patient.cancel()
    await asyncio.gather(patient, return_exceptions=True)
    assert bucket.waiting == 0


@pytest.mark.redis
async def test_redis_sheds_a_waiter_behind_a_long_queue_on_arrival(redis_url: str) -> None:
    """The same rule in RedisRateLimiter: 9 of this process's waiters ahead on a 1-a-second
    key make max_wait=5 impossible whatever the key holds: refused at once (the head's naps
    never end here, so only shedding can answer), nothing spent; a patient one stays."""
    clock = FakeClock()
    async with gated_redis(redis_url, clock) as limiter:
        queued = [asyncio.create_task(limiter.acquire(hold=1.0)) for _ in range(9)]
        await run_ready()
        with pytest.raises(DeadlineExceeded) as caught:
            await limiter.acquire(max_wait=5.0)
        assert caught.value.request_sent is False
        assert caught.value.retry_after is not None
        assert caught.value.retry_after == pytest.approx(9.0, abs=0.1)  # 9 more tokens at 1/s
        assert limiter.waiting == 9
        patient = asyncio.create_task(limiter.acquire(max_wait=60.0))
        await run_ready()
        assert not patient.done()
        assert await limiter.counted() == 1
        for task in [*queued, patient]:
            task.cancel()
        await asyncio.gather(*queued, patient, return_exceptions=True)


@pytest.mark.redis
async def test_redis_pause_sheds_the_queued_waiters_it_dooms_at_once(redis_url: str) -> None:
    """A 30 s pause on the key: queued waiters with 5 s left leave at once with
    retry_after >= 30, one with 120 s left stays."""
    clock = FakeClock()
    async with gated_redis(redis_url, clock) as limiter:
        head = asyncio.create_task(limiter.acquire(hold=1.0, max_wait=120.0))
        await eventually(lambda: bool(clock.sleeps))  # the head asked Redis and naps
        patient = await pause_sends_the_doomed_away(limiter)
        for task in (head, patient):
            task.cancel()
        await asyncio.gather(head, patient, return_exceptions=True)
        assert limiter.waiting == 0
