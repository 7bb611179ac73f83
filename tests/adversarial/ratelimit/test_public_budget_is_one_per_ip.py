"""The server counts the two unauthenticated Retail lookups per caller IP, whatever the
credentials: every client of one process spends one budget per origin, and a Redis key can
stretch that budget over processes."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

import lucidgreen
from lucidgreen.ratelimit import (
    RateLimiter,
    RedisRateLimiter,
    TokenBucket,
    public_lookup_limiter,
    share_public_lookups,
)
from lucidgreen.testing import FakeLucidGreen, InventoryCollection, RateLimit
from tests.support import FakeClock

LOOKUPS, WINDOW = 10, 1.0


@contextlib.asynccontextmanager
async def serving(clock: Callable[[], float]) -> AsyncIterator[FakeLucidGreen]:
    """A fake whose public lookups allow 10 per second per caller IP (loopback: one IP),
    counted on ``clock``, with a LucidID filed in an inventory collection."""
    async with FakeLucidGreen(public_limit=RateLimit(LOOKUPS, WINDOW), clock=clock) as fake:
        lucid_id = next(iter(fake.state.items))
        case_uuid = next(iter(fake.state.cases))
        fake.state.inventory_collections["INV-1"] = InventoryCollection(
            "INV-1", case_uuid, [lucid_id]
        )
        try:
            yield fake
        finally:
            share_public_lookups(None, fake.url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def per_ip_fake(clock: FakeClock) -> AsyncIterator[FakeLucidGreen]:
    """:func:`serving` on ``clock``, which a budget on the same clock moves when it waits:
    the fake's window slides as the budget expects, in no time."""
    async with serving(clock) as fake:
        yield fake


def two_clients(fake: FakeLucidGreen) -> tuple[lucidgreen.RetailClient, lucidgreen.RetailClient]:
    """Two RetailClients on two API keys: their authenticated budgets differ, the IP is one."""
    other = fake.add_credentials("retail")
    return (
        lucidgreen.RetailClient(*fake.retail_credentials, base_url=fake.url),
        lucidgreen.RetailClient(*other, base_url=fake.url),
    )


async def look_up(client: lucidgreen.RetailClient, fake: FakeLucidGreen, times: int) -> None:
    lucid_id = next(iter(fake.state.items))
    await asyncio.gather(*(client.inventory.collection_of(lucid_id) for _ in range(times)))


def public_requests(fake: FakeLucidGreen) -> list[int | None]:
    return [r.status for r in fake.requests.matching("/api/", site="api") if "/lucid-id/" in r.path]


def test_the_default_budget_is_one_per_origin() -> None:
    """Spellings of one origin name one bucket of 60 a minute; another port is another one."""
    first = public_lookup_limiter("https://retail.example.test")
    assert public_lookup_limiter("HTTPS://Retail.Example.Test:443/") is first
    assert public_lookup_limiter("https://retail.example.test:8443") is not first
    assert isinstance(first, TokenBucket)
    assert (first.limit, first.per) == (60, 60.0)


def test_only_a_rate_limiter_can_be_shared() -> None:
    with pytest.raises(TypeError, match="RateLimiter"):
        share_public_lookups(object(), "https://retail.example.test")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_url"):
        public_lookup_limiter("retail.example.test")


async def test_two_clients_of_one_process_spend_one_public_budget(
    per_ip_fake: FakeLucidGreen,
) -> None:
    """Both clients get the same default bucket, and each lookup either client makes counts
    in it once (2 + 3 counted: one budget, not two; within its burst, so nobody waits)."""
    fake = per_ip_fake
    first, second = two_clients(fake)
    async with first, second:
        assert first._api.public_limiter is second._api.public_limiter
        bucket = first._api.public_limiter
        assert isinstance(bucket, TokenBucket)
        before = bucket.counted
        await look_up(first, fake, 2)
        await look_up(second, fake, 3)
        assert bucket.counted - before == 5
    assert public_requests(fake) == [200] * 5
    # Closing a client leaves the process's budget usable by the next one.
    async with lucidgreen.RetailClient(*fake.retail_credentials, base_url=fake.url) as third:
        assert third._api.public_limiter is bucket
        await look_up(third, fake, 1)


async def test_two_clients_at_once_never_overrun_the_per_ip_count(
    per_ip_fake: FakeLucidGreen, clock: FakeClock
) -> None:
    """A compressed budget (10 a second) shared by both clients: 2 x 10 lookups at once all
    succeed and the fake, counting per IP, never refuses one. (Each client with a budget of
    its own would send 20 in the first second: 10 refusals.)"""
    fake = per_ip_fake
    shared = TokenBucket(LOOKUPS, WINDOW, burst=LOOKUPS, clock=clock, sleep=clock.sleep)
    share_public_lookups(shared, fake.url)
    first, second = two_clients(fake)
    async with first, second:
        await asyncio.gather(look_up(first, fake, LOOKUPS), look_up(second, fake, LOOKUPS))
    assert public_requests(fake) == [200] * (2 * LOOKUPS)
    assert fake.stats.rate_limited == 0
    assert sum(clock.sleeps) >= WINDOW  # the second ten waited for the window to slide


@pytest.mark.slow  # Redis's clock: the second ten wait a real second
@pytest.mark.redis
async def test_processes_share_the_public_budget_through_a_redis_key(redis_url: str) -> None:
    """Two RedisRateLimiters on one key (one per process, as two processes would hold), each
    registered as its process's public budget: 2 x 10 lookups at once, 0 refusals."""
    async with serving(time.monotonic) as fake:  # Redis keeps time on its own, real clock
        await share_through_redis(fake, redis_url)


async def share_through_redis(fake: FakeLucidGreen, redis_url: str) -> None:
    """The test above on ``fake``: both limiters registered in turn, both clients at once."""
    key = f"lucidgreen-test:public:{uuid.uuid4().hex}"
    limiters: list[RateLimiter] = [
        RedisRateLimiter(redis_url, key, limit=LOOKUPS, per=WINDOW, burst=LOOKUPS) for _ in range(2)
    ]
    clients = []
    for limiter in limiters:  # a process registers its limiter, then makes its client
        share_public_lookups(limiter, fake.url)
        clients.append(lucidgreen.RetailClient(*fake.retail_credentials, base_url=fake.url))
    try:
        await asyncio.gather(*(look_up(client, fake, LOOKUPS) for client in clients))
    finally:
        for client in clients:
            await client.aclose()
        for limiter in limiters:
            await limiter.aclose()
    assert public_requests(fake) == [200] * (2 * LOOKUPS)
    assert fake.stats.rate_limited == 0
