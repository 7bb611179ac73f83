"""An overloaded limiter sends away at once every waiter whose place in the queue makes its
deadline impossible, and says when budget is expected (``retry_after``)."""

from __future__ import annotations

import asyncio

import pytest

from lucidgreen.errors import DeadlineExceeded
from lucidgreen.ratelimit import TokenBucket
from tests.ratelimit.test_bucket import FakeClock, run_ready


def gated_bucket(clock: FakeClock, *, burst: int) -> TokenBucket:
    """10 per 10 s on ``clock``, whose sleeps never end by themselves (only the test ends
    them)."""
    clock.gate = asyncio.Event()
    return TokenBucket(10, 10.0, burst=burst, clock=clock, sleep=clock.sleep)


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
    doomed = [asyncio.create_task(bucket.acquire(max_wait=5.0)) for _ in range(3)]
    patient = asyncio.create_task(bucket.acquire(max_wait=120.0))
    await run_ready()
    assert not any(task.done() for task in doomed)
    await bucket.pause(30.0)
    await run_ready()
    for task in doomed:
        assert task.done()
        error = task.exception()
        assert isinstance(error, DeadlineExceeded)
        assert error.retry_after is not None
        assert error.retry_after >= 30.0
    assert not patient.done()
    patient.cancel()
    await asyncio.gather(patient, return_exceptions=True)
    assert bucket.waiting == 0
