"""Several clients of one API key sharing one ``RedisRateLimiter`` keep the fake's DRF-style
sliding window from ever answering 429, while one answer in four is dropped (after the
server handled it, so the window counted it) and every resend is an attempt of its own.

Each client counts its own attempts; the fake counts what reached its throttle. The sum of
the clients' counts must be the fake's, so no attempt travelled without spending budget.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

import lucidgreen
from lucidgreen import RetryPolicy
from lucidgreen.ratelimit import RedisRateLimiter
from lucidgreen.testing import FakeLucidGreen, RateLimit

LIMIT, WINDOW = 12, 1.0
CLIENTS, READS = 3, 12  # 36 reads, three windows' worth: the budget must pace them
QUICK = RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.05)


@pytest.mark.slow
@pytest.mark.parametrize("drop_mode", ["before", "after"])
async def test_clients_on_one_redis_budget_never_meet_a_429_under_drops(
    redis_url: str, drop_mode: str
) -> None:
    key = f"lucidgreen-test:shared:{uuid.uuid4().hex}"
    async with FakeLucidGreen(retail_limit=RateLimit(LIMIT, WINDOW), seed=7) as fake:
        fake.faults.drop_rate = 0.25
        fake.faults.drop_mode = drop_mode  # type: ignore[assignment]
        product = next(iter(fake.state.products))
        limiters = [
            RedisRateLimiter(redis_url, key, limit=LIMIT, per=WINDOW, burst=LIMIT)
            for _ in range(CLIENTS)
        ]
        clients = [
            lucidgreen.RetailClient(
                *fake.retail_credentials, base_url=fake.url, rate_limiter=limiter, retry=QUICK
            )
            for limiter in limiters
        ]
        try:
            for client in clients:
                await client.__aenter__()

            async def reads(client: lucidgreen.RetailClient) -> None:
                for _ in range(READS):
                    await client.products.get(product)

            await asyncio.gather(*(reads(client) for client in clients))
        finally:
            for client in clients:
                await client.aclose()
            for limiter in limiters:
                await limiter.aclose()
        # stats count token requests too: one /o/token/ per client
        sent = [r for r in fake.requests if r.path.startswith(("/api/", "/o/token/"))]
    assert fake.stats.rate_limited == 0
    assert fake.stats.dropped > 0  # the faults did happen
    assert sum(client.stats.requests for client in clients) == len(sent)
