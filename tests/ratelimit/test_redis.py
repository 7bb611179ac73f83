"""RedisRateLimiter against a real redis-server: one budget across limiters and processes."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from lucidgreen.errors import DeadlineExceeded
from lucidgreen.ratelimit import RateLimiter, RateLimiterUnavailable, RedisRateLimiter
from tests.support import all_closed, free_port, max_in_window

# Redis's own clock (TIME) paces these: the tests marked slow wait on it for real.
pytestmark = pytest.mark.redis

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("redis_worker.py")


Scored = list[tuple[bytes, float]]  # ZRANGE ... WITHSCORES, as redis-py returns it


@pytest.fixture
def key() -> str:
    """A fresh bucket key per test."""
    return f"lucidgreen-test:{uuid.uuid4().hex}"


@pytest.fixture
async def make_limiter(redis_url: str, key: str) -> AsyncIterator[Callable[..., RedisRateLimiter]]:
    """Build limiters on the test server's ``key``; all are closed after the test."""

    def build(**kwargs: Any) -> RedisRateLimiter:
        kwargs.setdefault("limit", 10)
        kwargs.setdefault("per", 1.0)
        return RedisRateLimiter(redis_url, key, **kwargs)

    async with all_closed(build) as make:
        yield make


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts TCP connections but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(100)
        yield listener.getsockname()[1]


@pytest.mark.slow  # waits on Redis's clock
async def test_window_is_exact_and_a_settle_rewrites_the_count(
    redis_url: str, key: str, make_limiter: Callable[..., RedisRateLimiter]
) -> None:
    """limit requests leave at once (burst = limit); the next waits until the earliest
    count slides out; in-flight reservations count at send + hold until settled, then at
    the settle, in one sorted set under a Cluster hash tag."""
    import redis.asyncio

    limiter = make_limiter(limit=3, per=0.5, burst=3)
    permits = [await limiter.acquire(hold=2.0) for _ in range(3)]
    assert all(p.waited == 0.0 for p in permits)
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        window = f"{{{key}}}:window"
        before = cast(Scored, await client.zrange(window, 0, -1, withscores=True))
        assert [m.startswith(b"f:") for m, _ in before] == [True] * 3
        await permits[0].settle()
        after = cast(Scored, await client.zrange(window, 0, -1, withscores=True))
        settled = [score for member, score in after if member.startswith(b"s:")]
        in_flight = [score for member, score in after if member.startswith(b"f:")]
        assert len(settled) == 1
        assert all(settled[0] < bound for bound in in_flight)  # moved earlier, to the answer
        assert await client.pttl(f"{{{key}}}:window") > 2000  # lives until the bounds lapse
    finally:
        await client.aclose()
    assert await limiter.counted() == 3
    fourth = await limiter.acquire(hold=0.1)
    assert fourth.waited > 0  # it had to wait for the settled one to slide out
    await fourth.settle()
    assert await limiter.counted() == 3  # the settled one left, the fourth came in


async def test_release_gives_the_slot_back(make_limiter: Callable[..., RedisRateLimiter]) -> None:
    """A released permit leaves nothing counted; release after settle does nothing."""
    limiter = make_limiter(limit=2, per=10.0, burst=2)
    permit = await limiter.acquire(hold=1.0)
    await permit.release()
    await permit.release()
    assert await limiter.counted() == 0
    settled = await limiter.acquire(hold=1.0)
    await settled.settle()
    await settled.release()
    assert await limiter.counted() == 1


@pytest.mark.slow  # waits on Redis's clock
async def test_crashed_reservations_expire_at_their_bound(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A reservation never settled (its process died) stops counting per seconds after
    send + hold; hold=None is capped at max_hold."""
    limiter = make_limiter(limit=5, per=0.2, max_hold=0.2, burst=5)
    await limiter.acquire(hold=0.1)
    await limiter.acquire()  # capped at max_hold
    assert await limiter.counted() == 2
    await asyncio.sleep(0.5)
    assert await limiter.counted() == 0


async def test_max_wait_refuses_a_known_wait_without_spending(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A wait known to exceed max_wait raises DeadlineExceeded (request_sent False) and
    reserves nothing."""
    limiter = make_limiter(limit=1, per=30.0)
    await (await limiter.acquire(hold=1.0)).settle()
    with pytest.raises(DeadlineExceeded) as caught:
        await limiter.acquire(max_wait=0.5)
    assert caught.value.request_sent is False
    assert await limiter.counted() == 1


@pytest.mark.slow  # waits on Redis's clock
async def test_two_limiters_on_one_key_share_the_budget(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """Two limiters (two connections) on one key draw from one window."""
    a, b = make_limiter(limit=20, per=0.5), make_limiter(limit=20, per=0.5)
    grants: list[float] = []

    async def hammer(limiter: RedisRateLimiter) -> None:
        for _ in range(25):
            permit = await limiter.acquire(hold=1.0)
            grants.append(time.monotonic())
            await permit.settle()

    await asyncio.gather(hammer(a), hammer(b))
    assert max_in_window(grants, 0.5) <= 20


@pytest.mark.slow  # waits on Redis's clock
async def test_pause_is_shared_by_every_limiter_on_the_key(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A 429 pause recorded by one limiter holds another limiter's acquire too."""
    a, b = make_limiter(limit=100), make_limiter(limit=100)
    await a.pause(0.4)
    await b.pause(0.05)  # never shortens the longer pause
    assert (await b.acquire()).waited >= 0.35


async def test_waiters_in_one_process_are_served_in_order(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """Local waiters in front of the shared script complete in arrival order."""
    limiter = make_limiter(limit=100, per=1.0)
    finished: list[int] = []

    async def waiter(i: int) -> None:
        await limiter.acquire()
        finished.append(i)

    await asyncio.gather(*(waiter(i) for i in range(15)))
    assert finished == list(range(15))
    assert limiter.waiting == 0


async def test_keys_expire_once_the_budget_would_be_full(
    redis_url: str, key: str, make_limiter: Callable[..., RedisRateLimiter]
) -> None:
    """The bucket carries a TTL a little past its refill time, so nothing lingers."""
    import redis.asyncio

    limiter = make_limiter(limit=10, per=1.0, burst=1)
    await (await limiter.acquire(hold=0.0)).settle()
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        ttl_ms = await client.pttl(f"{{{key}}}:bucket")
        await limiter.pause(5.0)
        paused_ttl_ms = await client.pttl(f"{{{key}}}:bucket")
        window_ttl_ms = await client.pttl(f"{{{key}}}:window")
    finally:
        await client.aclose()
    assert 1000 < ttl_ms <= 1000 + 1000 / limiter.pacing.rate + 150
    assert 5000 < paused_ttl_ms <= 6000 + 150
    assert 1000 < window_ttl_ms <= 2000 + 50


@pytest.mark.slow  # waits on Redis's clock
async def test_cancelled_mid_flight_gives_the_slot_back(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A waiter cancelled after the script granted it a slot, but before the reply
    arrived, releases it: nothing stays counted and the next acquire does not wait."""
    slow, fast = make_limiter(limit=1, per=10.0), make_limiter(limit=1, per=10.0)
    real_script = slow._script

    async def slow_reply(keys: list[str], args: list[str]) -> Any:
        reply = await real_script(keys=keys, args=args)
        await asyncio.sleep(0.3)  # the token is taken; the reply is still on its way
        return reply

    slow._script = slow_reply  # type: ignore[assignment]
    waiter = asyncio.create_task(slow.acquire())
    await asyncio.sleep(0.1)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert waiter.cancelled()
    await asyncio.sleep(0.4)  # the reply lands; the slot goes back
    assert await fast.counted() == 0
    assert (await fast.acquire()).waited == 0.0


async def test_unreachable_redis_raises_quickly() -> None:
    """Nothing listening: acquire raises RateLimiterUnavailable within the timeout."""
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    limiter = RedisRateLimiter(url, "k", connect_timeout=0.5, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(RateLimiterUnavailable) as caught:
        await limiter.acquire()
    assert time.monotonic() - started < 2.0
    assert "s3cret" not in str(caught.value)
    assert "s3cret" not in repr(limiter)
    await limiter.aclose()


@pytest.mark.slow  # waits on Redis's clock
async def test_silent_redis_raises_within_the_timeout(blackhole: int) -> None:
    """A server that accepts but never answers: acquire and pause fail after ``timeout``,
    and waiters queued behind the failure fail at once instead of each timing out."""
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{blackhole}/0", "k", timeout=0.5)
    started = time.monotonic()
    results = await asyncio.gather(*(limiter.acquire() for _ in range(20)), return_exceptions=True)
    assert all(isinstance(r, RateLimiterUnavailable) for r in results)
    assert time.monotonic() - started < 2.0
    with pytest.raises(RateLimiterUnavailable):
        await limiter.pause(1.0)
    await limiter.aclose()


async def test_a_caller_supplied_client_is_left_open(redis_url: str, key: str) -> None:
    """Given a redis.asyncio client, the limiter uses it and does not close it."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    limiter = RedisRateLimiter(client, key, limit=10, per=1.0, name="retail")
    assert isinstance(limiter, RateLimiter)
    assert repr(limiter).startswith("RedisRateLimiter(name='retail', key=")
    await (await limiter.acquire()).settle()
    await limiter.aclose()
    assert await client.ping()
    await client.aclose()


@pytest.mark.slow  # waits on Redis's clock
def test_processes_sharing_a_key_never_overfill_a_jittered_window(redis_url: str, key: str) -> None:
    """Three OS processes on one key (20 per 1 s, 3 s), each request reaching the server a
    random 0-0.3 s after it left: no server window of per holds more than the limit across
    all of them, and together they keep most of it."""
    limit, per, seconds, jitter = 20, 1.0, 3.0, 0.3
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, str(WORKER), redis_url, key, str(limit), str(per), str(seconds)]
    workers = [
        subprocess.Popen(
            [*command, "4", str(jitter)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert all(worker.returncode == 0 for worker in workers)
    per_process = [json.loads(out) for out in outputs]
    arrivals = [t for times in per_process for t in times]
    assert all(len(times) > 5 for times in per_process)  # every one really took part
    most = max_in_window(arrivals, per)
    assert most <= limit, f"{most} arrivals in one {per} s window"
    # The ceiling under this jitter is per / (per + mean jitter) = 0.87; a burst adds a bit.
    assert len(arrivals) >= 0.8 * limit * seconds / per
