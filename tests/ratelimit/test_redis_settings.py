"""``RedisRateLimiter``: settings refused at construction, where it says it connects, its
own client closed by ``async with``, and a settle that cannot reach Redis lost quietly."""

from __future__ import annotations

import asyncio
import math
import shutil
import uuid

import pytest

from benchmarks._redis import redis_server
from lucidgreen.ratelimit import RateLimiterUnavailable, RedisRateLimiter

pytest.importorskip("redis")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"key": ""}, "key must be a non-empty string"),
        ({"timeout": 0}, "timeout and connect_timeout must be > 0"),
        ({"connect_timeout": -1.0}, "timeout and connect_timeout must be > 0"),
        ({"max_hold": 0}, "max_hold must be a finite number"),
        ({"max_hold": math.inf}, "max_hold must be a finite number"),
        ({"max_hold": math.nan}, "max_hold must be a finite number"),
    ],
)
def test_unusable_settings_are_refused_before_any_connection(
    options: dict[str, object], words: str
) -> None:
    settings: dict[str, object] = {"key": "k", **options}
    with pytest.raises(ValueError, match=words):
        RedisRateLimiter("redis://127.0.0.1:1/0", **settings)  # type: ignore[arg-type]


async def test_a_unix_socket_is_named_by_its_path_and_never_its_password(tmp_path) -> None:
    socket_path = tmp_path / "absent.sock"
    limiter = RedisRateLimiter(f"unix://:s3cret@{socket_path}", "k", timeout=1.0)
    with pytest.raises(RateLimiterUnavailable) as caught:
        await limiter.acquire()
    assert f"Redis at unix:{socket_path} " in str(caught.value)
    assert "s3cret" not in str(caught.value)
    await limiter.aclose()


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH")
async def test_async_with_closes_the_client_it_made() -> None:
    """Redis sees the limiter's connection go when the block ends (CLIENT LIST)."""
    import redis.asyncio

    with redis_server() as url:
        assert url is not None
        inspector = redis.asyncio.Redis.from_url(url)
        async with RedisRateLimiter(url, f"k-{uuid.uuid4().hex}", limit=5, per=1.0) as limiter:
            await (await limiter.acquire()).settle()
            assert len(await inspector.client_list()) == 2
        for _ in range(100):  # the server notices the close a moment later
            if len(await inspector.client_list()) == 1:
                break
            await asyncio.sleep(0.02)
        assert len(await inspector.client_list()) == 1
        await inspector.aclose()


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH")
async def test_a_settle_after_redis_went_away_does_not_raise() -> None:
    """The request was sent; losing its settle is safe (the reservation lapses at its bound),
    so the caller's successful call is not turned into a limiter failure."""
    with redis_server() as url:
        assert url is not None
        limiter = RedisRateLimiter(url, f"k-{uuid.uuid4().hex}", limit=5, per=1.0, timeout=1.0)
        settled, released = await limiter.acquire(), await limiter.acquire()
    await settled.settle()  # the server is stopped by now
    await released.release()
    assert repr(settled) == f"<RedisRateLimiter permit done waited={settled.waited:.3f}>"
    with pytest.raises(RateLimiterUnavailable):
        await limiter.acquire()
    await limiter.aclose()
