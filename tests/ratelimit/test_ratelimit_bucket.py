"""TokenBucket on a real event loop: order, cancellation, pauses, scale, and the window."""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
import time

import pytest
from ratelimit_helpers import min_span
from support import max_in_window, sustained_share

from lucidgreen.ratelimit import RateLimiter, TokenBucket
from lucidgreen.ratelimit._bucket import FifoTurn


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def settle() -> None:
    """Let every ready task run until it blocks."""
    for _ in range(20):
        await asyncio.sleep(0)


async def drained(limit: int, per: float) -> TokenBucket:
    """A bucket whose one whole token is spent (only the fractional timer slack remains)."""
    bucket = TokenBucket(limit=limit, per=per)
    assert bucket.sizing.capacity < 2
    assert await bucket.acquire() == 0.0
    assert bucket.tokens < 1
    return bucket


async def test_first_acquire_does_not_wait() -> None:
    """A fresh bucket lets the first request through at once and reports no wait."""
    bucket = TokenBucket(limit=60, per=60.0)
    assert await bucket.acquire() == 0.0


async def test_acquire_reports_the_time_it_waited() -> None:
    """An acquire on an empty bucket waits one refill interval and returns that wait."""
    bucket = await drained(20, 1.0)
    waited = await bucket.acquire()
    interval = 1 / bucket.sizing.rate
    assert interval * 0.7 <= waited <= interval + 0.05


async def test_waiters_are_served_in_arrival_order() -> None:
    """Concurrent waiters complete strictly in the order they called acquire."""
    bucket = await drained(100, 0.5)
    finished: list[int] = []

    async def waiter(i: int) -> None:
        await bucket.acquire()
        finished.append(i)

    await asyncio.gather(*(waiter(i) for i in range(25)))
    assert finished == list(range(25))


async def test_new_arrival_never_jumps_the_queue() -> None:
    """A task arriving while another waits queues behind it, even if a token is available."""
    clock = FakeClock()
    release = asyncio.Event()

    async def gated_sleep(seconds: float) -> None:
        clock.now += seconds
        await release.wait()

    bucket = TokenBucket(limit=10, per=10.0, clock=clock, sleep=gated_sleep)
    await bucket.acquire()
    first = asyncio.create_task(bucket.acquire())
    await settle()  # first is the head, asleep in gated_sleep
    clock.now += 60  # plenty of tokens now
    assert bucket.tokens >= 1
    second = asyncio.create_task(bucket.acquire())
    await settle()
    assert not first.done()
    assert not second.done()
    assert bucket.waiting == 2
    finished: list[str] = []
    first.add_done_callback(lambda _: finished.append("first"))
    second.add_done_callback(lambda _: finished.append("second"))
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert finished == ["first", "second"]


async def test_cancelled_queued_waiter_takes_nothing() -> None:
    """Cancelling a queued waiter leaves its token to the next one, on schedule."""
    bucket = await drained(10, 1.0)
    interval = 1 / bucket.sizing.rate  # ~0.102 s
    started = time.monotonic()
    tasks = [asyncio.create_task(bucket.acquire()) for _ in range(3)]
    await asyncio.sleep(interval / 3)
    tasks[1].cancel()
    await tasks[0]
    await tasks[2]
    elapsed = time.monotonic() - started
    assert tasks[1].cancelled()
    # Two grants' worth of waiting, not three.
    assert 1.5 * interval <= elapsed < 2.6 * interval
    assert bucket.waiting == 0
    assert bucket._turn.is_free


async def test_cancelled_head_passes_the_turn() -> None:
    """Cancelling the waiter asleep at the head lets the next one take the same token."""
    bucket = await drained(10, 1.0)
    interval = 1 / bucket.sizing.rate
    started = time.monotonic()
    head = asyncio.create_task(bucket.acquire())
    behind = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(interval / 3)
    head.cancel()
    await behind
    assert head.cancelled()
    assert time.monotonic() - started < 1.6 * interval
    assert bucket.waiting == 0


async def test_turn_handed_to_a_cancelled_task_moves_on() -> None:
    """A task cancelled in the instant it is handed the turn passes it to the next."""
    turn = FifoTurn("test")
    await turn.enter()
    second = asyncio.create_task(turn.enter())
    third = asyncio.create_task(turn.enter())
    await settle()
    turn.leave()  # resolves second's ticket...
    second.cancel()  # ...and second is cancelled before it runs
    await settle()
    assert second.cancelled()
    assert third.done()
    turn.leave()
    assert turn.is_free
    assert turn.waiting == 0


async def test_pause_blocks_every_waiter_then_resumes_evenly() -> None:
    """During a pause nobody acquires; afterwards requests leave one interval apart."""
    bucket = TokenBucket(limit=100, per=1.0, burst=50)
    interval = 1 / bucket.sizing.rate
    started = time.monotonic()
    await bucket.pause(0.3)
    grants: list[float] = []

    async def waiter() -> None:
        await bucket.acquire()
        grants.append(time.monotonic() - started)

    await asyncio.gather(*(waiter() for _ in range(5)))
    assert min(grants) >= 0.3
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert min(gaps) >= interval * 0.95  # no burst, even though burst=50


async def test_pause_never_shortens_a_longer_pause() -> None:
    """A short pause after a long one leaves the long one in force."""
    bucket = TokenBucket(limit=100, per=1.0)
    await bucket.pause(0.4)
    await bucket.pause(0.05)
    assert "paused_for=" in repr(bucket)
    waited = await bucket.acquire()
    assert waited >= 0.35


async def test_pause_extends_the_wait_of_a_sleeping_head() -> None:
    """A pause that arrives while the head sleeps holds it until the pause ends."""
    bucket = await drained(4, 1.0)  # interval ~0.26 s
    started = time.monotonic()
    head = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.05)
    await bucket.pause(0.6)
    await head
    assert time.monotonic() - started >= 0.64


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf])
async def test_pause_refuses_endless_or_undefined(seconds: float) -> None:
    """A pause must be a finite number of seconds."""
    with pytest.raises(ValueError, match="finite"):
        await TokenBucket().pause(seconds)


async def test_zero_or_negative_pause_does_nothing() -> None:
    """Retry-After: 0 (or a date in the past) does not hold anyone."""
    bucket = TokenBucket()
    await bucket.pause(0)
    await bucket.pause(-5)
    assert await bucket.acquire() == 0.0


async def test_ten_thousand_waiters() -> None:
    """10,000 concurrent waiters all finish, in order, near the ideal n/rate time, and no
    window holds more than the limit."""
    bucket = TokenBucket(limit=10_000, per=1.0)
    n = 10_000
    order: list[int] = []
    grants: list[float] = []

    async def waiter(i: int) -> None:
        await bucket.acquire()
        grants.append(time.monotonic())
        order.append(i)

    started = time.monotonic()
    await asyncio.gather(*(waiter(i) for i in range(n)))
    elapsed = time.monotonic() - started
    ideal = n / bucket.sizing.rate
    assert order == list(range(n))
    assert elapsed < ideal * 1.6
    assert max_in_window(grants, bucket.per) <= bucket.limit
    assert bucket.waiting == 0


async def test_sustained_run_never_exceeds_a_window_and_uses_97_percent() -> None:
    """Twenty tasks hammering a time-compressed bucket (60 per 1.5 s) for three windows:
    no window of ``per`` holds more than the limit, and the rate reaches >= 97 %."""
    bucket = TokenBucket(limit=60, per=1.5)
    grants: list[float] = []

    async def hammer() -> None:
        while True:
            await bucket.acquire()
            grants.append(time.monotonic())  # read right after the take, before any await

    hammers = [asyncio.create_task(hammer()) for _ in range(20)]
    await asyncio.sleep(3 * bucket.per)
    for task in hammers:
        task.cancel()
    await asyncio.gather(*hammers, return_exceptions=True)
    assert bucket.waiting == 0
    assert max_in_window(grants, bucket.per) <= bucket.limit
    assert min_span(grants, bucket.limit) >= bucket.sizing.guaranteed_window - 1e-3
    assert sustained_share(grants, bucket.limit, bucket.per) >= 0.97


def test_serves_successive_event_loops() -> None:
    """The bucket's state carries over from one asyncio.run to the next."""
    bucket = TokenBucket(limit=20, per=1.0)
    assert asyncio.run(bucket.acquire()) == 0.0
    assert asyncio.run(bucket.acquire()) > 0.0
    assert asyncio.run(bucket.acquire()) > 0.0


async def test_use_from_two_live_loops_at_once_is_refused() -> None:
    """While waiters queue on one loop, an acquire from another loop raises RuntimeError."""
    bucket = await drained(2, 1.0)
    head = asyncio.create_task(bucket.acquire())
    await settle()
    errors: list[BaseException] = []

    def other_loop() -> None:
        try:
            asyncio.run(bucket.acquire())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other_loop)
    thread.start()
    thread.join(5)
    head.cancel()
    await asyncio.gather(head, return_exceptions=True)
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "another event loop" in str(errors[0])


def test_product_constructors_use_documented_limits() -> None:
    """for_source, for_retail and for_public_lookup size for 60, 1000 and 60 a minute."""
    assert (TokenBucket.for_source().limit, TokenBucket.for_source().per) == (60, 60.0)
    assert TokenBucket.for_retail().limit == 1000
    assert TokenBucket.for_public_lookup().limit == 60
    assert TokenBucket(limit=5000).sizing.rate * 60 > 4850


async def test_repr_and_protocol() -> None:
    """The repr shows the limit, window and tokens; TokenBucket is a RateLimiter."""
    bucket = TokenBucket(limit=60, per=60.0, name="source")
    assert repr(bucket) == (
        "TokenBucket(name='source', limit=60, per=60, utilization=0.98, burst=1, tokens=1.10)"
    )
    assert isinstance(bucket, RateLimiter)
    await bucket.aclose()
