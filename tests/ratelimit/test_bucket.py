"""TokenBucket on an event loop with a fake clock: order, settles, releases, pauses,
deadlines, and cancellation at every await."""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Callable

import pytest

from lucidgreen.errors import DeadlineExceeded
from lucidgreen.ratelimit import Permit, RateLimiter, TokenBucket, Unlimited
from lucidgreen.ratelimit._turn import FifoTurn
from tests.support import max_in_window


class FakeClock:
    """A clock that moves only when a sleep (or the test) moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.gate: asyncio.Event | None = None  # when set, sleeps block until it is set

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.gate is not None:
            await self.gate.wait()
        self.now += seconds
        await asyncio.sleep(0)


async def run_ready() -> None:
    """Let every ready task run until it blocks."""
    for _ in range(20):
        await asyncio.sleep(0)


def bucket_on(clock: FakeClock, limit: int = 2, per: float = 10.0, **kwargs: object) -> TokenBucket:
    kwargs.setdefault("burst", limit)
    return TokenBucket(limit, per, clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


async def test_permits_follow_the_protocol_and_the_first_waits_nothing() -> None:
    """A fresh bucket grants at once; limiter and permit satisfy the public protocols."""
    clock = FakeClock()
    bucket = bucket_on(clock)
    permit = await bucket.acquire(hold=5.0)
    assert isinstance(bucket, RateLimiter)
    assert isinstance(permit, Permit)
    assert permit.waited == 0.0
    assert bucket.in_flight == 1
    await permit.settle()
    await permit.settle()  # idempotent
    await permit.release()  # after settle: nothing
    assert bucket.in_flight == 0
    assert bucket.counted == 1


async def test_in_flight_bound_then_settle_wakes_the_head_early() -> None:
    """With the window full of unsettled requests the head waits without a timer; the
    settle that frees a slot wakes it, and it leaves per seconds after that settle."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=2)
    a = await bucket.acquire()  # hold=None: counted until settled
    b = await bucket.acquire()
    head = asyncio.create_task(bucket.acquire())
    await run_ready()
    assert not head.done()
    assert clock.sleeps == []  # blocked by in-flight requests only: no timer at all
    clock.now += 1.0
    await a.settle()
    permit = await head
    assert permit.waited == pytest.approx(11.0)  # 1 s until the settle, then the window
    assert clock.sleeps == [pytest.approx(10.0)]
    await b.release()
    await permit.settle()


async def test_bounded_hold_lets_the_next_leave_after_send_plus_hold_plus_per() -> None:
    """A request that never settles counts at send + hold, so the next one leaves at
    send + hold + per, not earlier."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=1)
    await bucket.acquire(hold=3.0)
    permit = await bucket.acquire(hold=3.0)
    assert permit.waited == pytest.approx(13.0)


async def test_release_gives_the_slot_back_to_the_head_at_once() -> None:
    """A permit released (nothing sent) frees its slot: the head leaves without waiting."""
    clock = FakeClock()
    clock.gate = asyncio.Event()  # the head's timer never fires by itself
    bucket = bucket_on(clock, limit=1)
    first = await bucket.acquire(hold=30.0)
    head = asyncio.create_task(bucket.acquire(hold=30.0))
    await run_ready()
    assert not head.done()
    await first.release()
    permit = await head
    assert bucket.counted == 1
    assert permit.waited == 0.0  # the clock never moved: the release woke it


async def test_waiters_are_served_in_arrival_order() -> None:
    """Concurrent waiters get their permits strictly in the order they asked."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=3, per=1.0, burst=1)
    finished: list[int] = []

    async def waiter(i: int) -> None:
        permit = await bucket.acquire(hold=0.0)
        finished.append(i)
        await permit.settle()

    await asyncio.gather(*(waiter(i) for i in range(25)))
    assert finished == list(range(25))


async def test_new_arrival_never_jumps_the_queue() -> None:
    """A task arriving while another waits queues behind it, even if a slot is free now."""
    clock = FakeClock()
    clock.gate = asyncio.Event()
    bucket = bucket_on(clock, limit=1, per=1.0)
    await bucket.acquire(hold=0.0)
    order: list[str] = []

    async def take(name: str) -> None:
        await bucket.acquire(hold=0.0)
        order.append(name)

    first = asyncio.create_task(take("first"))
    await run_ready()
    clock.now += 5.0  # the slot is free now, but "first" is still asleep
    second = asyncio.create_task(take("second"))
    await run_ready()
    assert order == []
    clock.gate.set()
    await asyncio.gather(first, second)
    assert order == ["first", "second"]


async def test_cancelled_queued_waiter_spends_nothing() -> None:
    """A waiter cancelled while queued behind the head reserves nothing; the next moves up."""
    clock = FakeClock()
    clock.gate = asyncio.Event()
    bucket = bucket_on(clock, limit=1, per=1.0)
    await (await bucket.acquire(hold=0.0)).settle()
    head = asyncio.create_task(bucket.acquire(hold=0.0))
    queued = asyncio.create_task(bucket.acquire(hold=0.0))
    behind = asyncio.create_task(bucket.acquire(hold=0.0))
    await run_ready()
    queued.cancel()
    await run_ready()
    assert queued.cancelled()
    assert bucket.waiting == 2
    clock.gate.set()
    await head
    await behind
    assert bucket.in_flight == 2  # head and behind; nothing for the cancelled one


async def test_cancelled_head_spends_nothing_and_passes_the_turn() -> None:
    """The head cancelled in its nap reserves nothing, and the next waiter takes over."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=1)
    first = await bucket.acquire()  # in flight, no hold: the head naps with no timer
    head = asyncio.create_task(bucket.acquire())
    behind = asyncio.create_task(bucket.acquire(hold=0.0))
    await run_ready()
    head.cancel()
    await run_ready()
    assert head.cancelled()
    assert bucket.waiting == 1
    assert bucket.in_flight == 1
    await first.release()
    await behind
    assert bucket.in_flight == 1


async def test_turn_handed_to_a_cancelled_task_moves_on() -> None:
    """If the turn reaches a task in the same instant it is cancelled, it passes on."""
    turn = FifoTurn("test")
    assert not await turn.enter()
    second = asyncio.create_task(turn.enter())
    third = asyncio.create_task(turn.enter())
    await run_ready()
    turn.leave()  # hands the turn to "second"...
    second.cancel()  # ...which is cancelled before it runs
    assert await third is True
    turn.leave()
    assert turn.is_free


async def test_max_wait_refused_up_front_when_the_wait_is_known() -> None:
    """A wait known to exceed max_wait (settled counts, pauses) raises DeadlineExceeded at
    once, with request_sent False, and spends nothing."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=1)
    await (await bucket.acquire()).settle()
    with pytest.raises(DeadlineExceeded) as caught:
        await bucket.acquire(max_wait=5.0)
    assert caught.value.request_sent is False
    assert clock.sleeps == []
    assert (bucket.counted, bucket.in_flight) == (1, 0)
    permit = await bucket.acquire(max_wait=10.0)
    assert permit.waited == pytest.approx(10.0)


async def test_max_wait_leaves_the_queue_when_it_passes() -> None:
    """A waiter whose wait is not known up front (blocked by an unsettled request, or
    queued) leaves when max_wait passes, spending nothing; the queue moves on."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=2, per=0.2)
    first, second = await bucket.acquire(), await bucket.acquire()
    clock.now += 0.15  # the bucket refills; the window stays full of in-flight ones
    head = asyncio.create_task(bucket.acquire(max_wait=0.02))
    queued = asyncio.create_task(bucket.acquire(max_wait=0.01))
    behind = asyncio.create_task(bucket.acquire())
    for task in (head, queued):
        with pytest.raises(DeadlineExceeded):
            await task
    assert clock.sleeps == [pytest.approx(0.02)]  # the head napped to its deadline; no more
    assert bucket.in_flight == 2
    await first.release()
    await second.release()
    await (await behind).release()
    assert (bucket.waiting, bucket.in_flight) == (0, 0)


async def test_pause_holds_every_waiter_then_resumes_one_at_a_time() -> None:
    """A pause holds acquires until it ends; then one token, not the whole burst."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=5, per=10.0, burst=5)
    for _ in range(5):
        await (await bucket.acquire(hold=0.0)).settle()
    clock.now += 9.0
    await bucket.pause(3.0)  # the window is full: an expected 429
    assert bucket.surprises == 0
    assert "paused_for=3.00" in repr(bucket)
    first = await bucket.acquire(hold=0.0)
    second = await bucket.acquire(hold=0.0)
    assert first.waited == pytest.approx(3.0)
    assert second.waited == pytest.approx(2.0, rel=0.05)  # the steady rate after it
    await bucket.pause(0)
    await bucket.pause(-5)  # nothing: Retry-After 0 or in the past
    for seconds in (math.nan, math.inf):
        with pytest.raises(ValueError, match="finite"):
            await bucket.pause(seconds)


async def test_unexpected_429_is_logged_once_with_the_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 429 while fewer than limit are counted is logged once at WARNING with the count."""
    clock = FakeClock()
    bucket = bucket_on(clock, limit=5, name="source")
    await (await bucket.acquire(hold=1.0)).settle()
    await bucket.acquire(hold=1.0)
    with caplog.at_level(logging.WARNING, logger="lucidgreen.ratelimit"):
        await bucket.pause(1.0)
        await bucket.pause(1.0)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "only 2 requests counted" in warnings[0].getMessage()
    assert "1 in flight" in warnings[0].getMessage()
    assert bucket.limit == 5  # not lowered


@pytest.mark.parametrize("clock_kind", ["fake", pytest.param("real", marks=pytest.mark.slow)])
async def test_ten_thousand_waiters_in_order_within_the_window(clock_kind: str) -> None:
    """10,000 concurrent waiters all finish, in order, no window over: on a fake clock, and
    on the real one (timers that fire late, a loop busy with 10,000 tasks)."""
    if clock_kind == "fake":
        clock = FakeClock()
        bucket = bucket_on(clock, limit=5000, per=0.5, burst=100)
        now: Callable[[], float] = clock
    else:
        bucket = TokenBucket(limit=5000, per=0.5, burst=100)
        now = asyncio.get_running_loop().time
    order: list[int] = []
    grants: list[float] = []

    async def waiter(i: int) -> None:
        permit = await bucket.acquire(hold=0.0)
        grants.append(now())
        order.append(i)
        await permit.settle()

    await asyncio.gather(*(waiter(i) for i in range(10_000)))
    assert order == list(range(10_000))
    assert max_in_window(grants, bucket.per) <= bucket.limit
    assert (bucket.waiting, bucket.in_flight) == (0, 0)


def test_serves_successive_event_loops() -> None:
    """The bucket's state is plain numbers: one asyncio.run after another works."""
    bucket = TokenBucket(limit=1000, per=1.0)
    for _ in range(3):
        asyncio.run(bucket.acquire())


async def test_use_from_two_live_loops_at_once_is_refused() -> None:
    """A bucket waited on in one live loop refuses waiters from another."""
    bucket = TokenBucket(limit=1, per=60.0)
    await bucket.acquire()
    waiter = asyncio.create_task(bucket.acquire())
    await run_ready()
    failure: list[BaseException] = []

    def other_loop() -> None:
        try:
            asyncio.run(bucket.acquire())
        except RuntimeError as exc:
            failure.append(exc)

    thread = threading.Thread(target=other_loop)
    thread.start()
    thread.join()
    waiter.cancel()
    assert failure
    assert "another event loop" in str(failure[0])


async def test_unlimited_grants_at_once_and_counts() -> None:
    """Unlimited never waits, satisfies the protocol, and counts permits and pauses."""
    budget = Unlimited()
    assert isinstance(budget, RateLimiter)
    permit = await budget.acquire(hold=1.0, max_wait=0.0)
    assert isinstance(permit, Permit)
    assert permit.waited == 0.0
    await permit.settle()
    await budget.pause(2.0)
    assert (budget.acquired, budget.paused) == (1, [2.0])
    assert repr(budget) == "Unlimited(acquired=1)"


@pytest.mark.parametrize("hold", [-1.0, math.nan])
async def test_hold_must_be_a_duration(hold: float) -> None:
    """A negative or NaN hold is refused."""
    with pytest.raises(ValueError, match="hold"):
        await TokenBucket().acquire(hold=hold)
