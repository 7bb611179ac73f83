"""RedisRateLimiter against a real redis-server: one budget across limiters and processes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ratelimit_helpers import min_span
from support import free_port, max_in_window, sustained_share

from lucidgreen.ratelimit import RateLimiter, RateLimiterUnavailable, RedisRateLimiter

pytestmark = pytest.mark.redis

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("redis_worker.py")


@pytest.fixture
def key() -> str:
    """A fresh bucket key per test."""
    return f"lucidgreen-test:{uuid.uuid4().hex}"


@pytest.fixture
async def make_limiter(redis_url: str, key: str) -> AsyncIterator[Callable[..., RedisRateLimiter]]:
    """Build limiters on the test server's ``key``; all are closed after the test."""
    made: list[RedisRateLimiter] = []

    def make(**kwargs: Any) -> RedisRateLimiter:
        kwargs.setdefault("limit", 10)
        kwargs.setdefault("per", 1.0)
        limiter = RedisRateLimiter(redis_url, key, **kwargs)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.aclose()


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts TCP connections but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(100)
        yield listener.getsockname()[1]


async def timed(awaitable: Awaitable[object]) -> float:
    started = time.monotonic()
    await awaitable
    return time.monotonic() - started


async def test_first_acquire_is_free_then_paced(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A new key starts full; after its token, acquires are spaced one refill interval."""
    limiter = make_limiter(limit=20, per=1.0)
    interval = 1 / limiter.sizing.rate
    assert await limiter.acquire() == 0.0
    grants = []
    for _ in range(5):
        await limiter.acquire()
        grants.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert min(gaps) >= interval * 0.9


async def test_two_limiters_on_one_key_share_the_budget(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """Two limiters (two connections) on one key draw from one bucket."""
    a, b = make_limiter(limit=20, per=1.0), make_limiter(limit=20, per=1.0)
    grants: list[float] = []

    async def hammer(limiter: RedisRateLimiter) -> None:
        for _ in range(15):
            await limiter.acquire()
            grants.append(time.monotonic())

    await asyncio.gather(hammer(a), hammer(b))
    assert max_in_window(grants, 1.0) <= 20
    assert min_span(grants, 20) >= a.sizing.guaranteed_window - 0.02


async def test_pause_is_shared_by_every_limiter_on_the_key(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A 429 pause recorded by one limiter holds another limiter's acquire too."""
    a, b = make_limiter(limit=100), make_limiter(limit=100)
    await a.pause(0.4)
    await b.pause(0.05)  # never shortens the longer pause
    assert await timed(b.acquire()) >= 0.35


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


async def test_key_expires_once_the_bucket_would_be_full(
    redis_url: str, key: str, make_limiter: Callable[..., RedisRateLimiter]
) -> None:
    """The key carries a TTL a little past the refill time, so nothing lingers in Redis."""
    import redis.asyncio

    limiter = make_limiter(limit=10, per=1.0)
    await limiter.acquire()
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        ttl_ms = await client.pttl(key)
        await limiter.pause(5.0)
        paused_ttl_ms = await client.pttl(key)
    finally:
        await client.aclose()
    assert 1000 < ttl_ms <= 1000 + 1000 / limiter.sizing.rate + 50
    assert 5000 < paused_ttl_ms <= 6000 + 50


async def test_cancelled_mid_flight_gives_the_token_back(
    make_limiter: Callable[..., RedisRateLimiter],
) -> None:
    """A waiter cancelled after the script granted it a token, but before the reply
    arrived, returns that token: the next acquire does not wait."""
    slow, fast = make_limiter(limit=10, per=10.0), make_limiter(limit=10, per=10.0)
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
    await asyncio.sleep(0.4)  # the reply lands; the token goes back
    assert await fast.acquire() == pytest.approx(0.0, abs=0.05)


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
    await limiter.acquire()
    await limiter.aclose()
    assert await client.ping()
    await client.aclose()


def test_processes_sharing_a_key_never_exceed_a_window(redis_url: str, key: str) -> None:
    """Two OS processes on one key (30 per 1.5 s, three windows): no sliding window of
    ``per`` holds more than the limit across both, and together they use >= 90 % of it."""
    limit, per, seconds = 30, 1.5, 4.5
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, str(WORKER), redis_url, key, str(limit), str(per), str(seconds), "3"]
    workers = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
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
    grants = [t for times in per_process for t in times]
    assert all(len(times) > 10 for times in per_process)  # both really took part
    most = max_in_window(grants, per)
    share = sustained_share(grants, limit, per)
    assert most <= limit, f"{most} grants in one {per} s window"
    assert share >= 0.9, f"combined rate was {share:.3f} of the limit"
