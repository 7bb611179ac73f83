"""Processes sharing a Redis key learn from one unexpected 429 together: the key's window
counts as full as of that 429, for every limiter on it, until it slides out."""

from __future__ import annotations

import uuid

import pytest

from lucidgreen.errors import DeadlineExceeded
from lucidgreen.ratelimit import RedisRateLimiter

# The filled window slides out on Redis's own clock, for real.
pytestmark = [pytest.mark.redis, pytest.mark.slow]


async def test_one_surprise_fills_the_window_for_every_limiter_on_the_key(
    redis_url: str,
) -> None:
    """A 429 with 2 of 10 counted: the other limiter sees 10 counted, one surprise, and may
    not send until the window has slid past the 429; an expected 429 is no surprise."""
    key = f"lucidgreen-test:{uuid.uuid4().hex}"
    a = RedisRateLimiter(redis_url, key, limit=10, per=1.0, burst=10)
    b = RedisRateLimiter(redis_url, key, limit=10, per=1.0, burst=10)
    try:
        for _ in range(2):
            await (await a.acquire(hold=1.0)).settle()
        await a.pause(0.05)
        assert await b.counted() == 10
        assert await b.surprises() == 1
        with pytest.raises(DeadlineExceeded) as caught:
            await b.acquire(hold=1.0, max_wait=0.3)
        assert caught.value.retry_after is not None
        await b.pause(0.05)  # the window is full now: this 429 was expected
        assert await a.surprises() == 1
        permit = await b.acquire(hold=1.0)
        assert permit.waited >= 0.6  # the filled window had to slide out first
        await permit.settle()
    finally:
        await a.aclose()
        await b.aclose()
