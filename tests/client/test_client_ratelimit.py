"""Rate limiting end to end: the client's bucket against the fake's DRF-style sliding window.

How throughput is measured: from the request times the fake recorded for the API calls (the
token request left out), as ``(n - 1) / (t_last - t_first)`` divided by ``limit / window``.
A bucket lets ``burst`` requests leave together at the start (1 for Source's 60, so nothing
to exclude; 5 for Retail's 1000, so the share is measured from the fifth request on), then
paces every later request on its steady schedule.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from client_helpers import api_requests, lifted_limiter, product_uuids, token_requests
from support import max_in_window, sustained_share

import lucidgreen
from lucidgreen.testing import FakeLucidGreen, InventoryCollection, RateLimit


def small_fake(
    *, source_limit: RateLimit | None = None, retail_limit: RateLimit | None = None
) -> FakeLucidGreen:
    """A fake with little data (so the server's own work stays small) and the given limits."""
    return FakeLucidGreen(
        products=20,
        brands=2,
        batches=6,
        items=30,
        cases=3,
        collections=4,
        source_limit=source_limit,
        retail_limit=retail_limit,
    )


async def sustained_run(
    client: lucidgreen.SourceClient | lucidgreen.RetailClient,
    uuids: list[str],
    *,
    calls: int,
    tasks: int,
) -> None:
    """``calls`` product lookups spread over ``tasks`` tasks that keep the bucket busy."""
    remaining = calls

    async def worker(index: int) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await client.products.get(uuids[(index + remaining) % len(uuids)])

    await asyncio.gather(*(worker(i) for i in range(tasks)))


async def test_source_sustains_97_percent_of_a_sliding_window_without_a_429() -> None:
    """60 per 4 s window, three windows, 20 tasks: zero 429s and >= 97 % of the limit.

    The window is compressed 15x, and with it the bucket's timer slack (per / 600: 6.7 ms
    here); 4 s keeps that slack above the scheduling delays of a busy 2-core machine.
    """
    limit, window, windows = 60, 4.0, 3
    async with small_fake(source_limit=RateLimit(limit, window)) as fake:
        async with lucidgreen.SourceClient(
            *fake.source_credentials,
            base_url=fake.url,
            rate_limiter=lucidgreen.TokenBucket(limit=limit, per=window),
        ) as source:
            calls = int(windows * limit * 0.978)  # what the bucket allows in three windows
            await sustained_run(source, product_uuids(fake, 10), calls=calls, tasks=20)
        times = [r.time for r in api_requests(fake)]
        assert fake.stats.rate_limited == 0
        assert fake.stats.by_status[429] == 0
        assert source.stats.rate_limited == 0
        assert len(times) == calls
        assert max_in_window(times, window) <= limit
        share = sustained_share(times, limit, window)
        assert share >= 0.97, f"sustained {share:.4f} of the limit"
        assert times[-1] - times[0] >= (windows - 0.2) * window


async def test_retail_sustains_97_percent_of_a_sliding_window_without_a_429() -> None:
    """Retail's 1000 per (compressed) 3 s window, two windows: zero 429s and >= 97 %.

    The bucket is sized as the client's default for 1000, whose ``burst`` (5) lets the first
    requests leave together; the share is measured from the last of them on. Two windows
    rather than four: at 333 requests a second client and fake share one process, and a
    longer run only adds seconds to the suite.
    """
    limit, window, windows = 1000, 3.0, 2
    async with small_fake(retail_limit=RateLimit(limit, window)) as fake:
        bucket = lucidgreen.TokenBucket(limit=limit, per=window)
        async with lucidgreen.RetailClient(
            *fake.retail_credentials, base_url=fake.url, rate_limiter=bucket
        ) as retail:
            calls = int(windows * limit * 0.974)
            await sustained_run(retail, product_uuids(fake, 10), calls=calls, tasks=50)
        times = [r.time for r in api_requests(fake)]
        assert fake.stats.rate_limited == 0
        assert retail.stats.rate_limited == 0
        assert len(times) == calls
        assert max_in_window(times, window) <= limit
        burst = bucket.sizing.burst
        share = sustained_share(times[burst - 1 :], limit, window)
        assert share >= 0.97, f"sustained {share:.4f} of the limit"


async def test_a_429_pauses_the_whole_budget_for_retry_after(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """One 429 (Retry-After: 1) on one path holds every path's requests for a second."""
    fake = lucidgreen_fake
    (uuid,) = product_uuids(fake)
    brands = list(fake.state.brands)
    product_path = f"/api/v1.5/products/{uuid}/"
    fake.faults.script(
        product_path,
        [(429, {"detail": "Request was throttled. Expected available in 1 second."},
          {"Retry-After": "1"})],
    )  # fmt: skip
    retries: list[tuple[float, lucidgreen.RetryScheduled]] = []
    waits: list[tuple[float, lucidgreen.LimiterWait]] = []
    answered = 0
    warmed_up = asyncio.Event()

    def on_request(event: lucidgreen.RequestSent) -> None:
        nonlocal answered
        answered += 1
        if answered == 10:
            warmed_up.set()

    hooks = lucidgreen.Hooks(
        on_request=on_request,
        on_retry=lambda event: retries.append((time.monotonic(), event)),
        on_limiter_wait=lambda event: waits.append((time.monotonic(), event)),
    )
    product_done = asyncio.Event()
    async with lucidgreen.SourceClient(
        *fake.source_credentials,
        base_url=fake.url,
        rate_limiter=lucidgreen.TokenBucket(limit=100, per=1.0),  # ~98 requests a second
        hooks=hooks,
    ) as source:

        async def other_paths(index: int) -> None:
            while not product_done.is_set():
                await source.brands.get(brands[index % len(brands)])

        async def the_throttled_call() -> None:
            await warmed_up.wait()
            try:
                await source.products.get(uuid)
            finally:
                product_done.set()

        await asyncio.gather(the_throttled_call(), *(other_paths(i) for i in range(5)))
        stats = source.stats

    (throttled,) = [r for r in fake.requests if r.status == 429]
    assert throttled.path == product_path
    (retry_at, retry), *more = retries
    assert more == []
    assert retry.reason == "HTTP 429"
    assert retry.retry_number == 1
    assert retry.delay == 1.0
    assert retry.url.endswith(product_path)
    assert retry.product == "source"
    # Requests already past the limiter when the 429 arrived may land a moment later;
    # after that grace nothing reaches the server until the pause ends.
    grace, pause_end = 0.05, retry_at + 1.0
    during = [r for r in fake.requests if retry_at + grace < r.time < pause_end - 0.02]
    assert during == [], [(r.path, r.time - retry_at) for r in during]
    after = [r for r in api_requests(fake) if r.time >= pause_end - 0.02]
    assert after, "nothing was sent after the pause"
    assert any(r.path == product_path and r.status == 200 for r in after)
    assert any(r.path.startswith("/api/v1.5/brands/") for r in after)
    long_waits = [w for t, w in waits if w.seconds >= 0.9]
    assert long_waits, "no task reported waiting out the pause"
    assert all(w.product == "source" for w in long_waits)
    assert stats.rate_limited == 1
    assert stats.retries == 1


class CountingLimiter:
    """A lifted bucket that counts its acquires (a spy for the product's budget)."""

    def __init__(self) -> None:
        self.inner = lifted_limiter()
        self.acquired = 0

    async def acquire(self) -> float:
        self.acquired += 1
        return await self.inner.acquire()

    async def pause(self, seconds: float) -> None:
        await self.inner.pause(seconds)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_public_lookup_is_unauthenticated_and_spends_the_public_budget(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """collection_of sends no Authorization and spends the public bucket, not the product's."""
    fake = lucidgreen_fake
    lucid_id = next(iter(fake.state.items))
    case_uuid = next(iter(fake.state.cases))
    fake.state.inventory_collections["INV-0001"] = InventoryCollection(
        "INV-0001", case_uuid, [lucid_id]
    )
    product_budget = CountingLimiter()
    async with lucidgreen.RetailClient(
        *fake.retail_credentials, base_url=fake.url, rate_limiter=product_budget
    ) as retail:
        public = retail._api.public_limiter
        assert isinstance(public, lucidgreen.TokenBucket)
        assert public.limit == 60
        before = public.tokens
        found = await retail.inventory.collection_of(lucid_id)
        after_lookup = public.tokens
        assert found.inventory_collection_identifier == "INV-0001"
        assert product_budget.acquired == 0
        assert before - after_lookup > 0.9  # one request's worth taken from the public bucket
        assert token_requests(fake) == []  # no token needed, none fetched
        await retail.products.get(product_uuids(fake)[0])
        assert product_budget.acquired == 1
        assert public.tokens - after_lookup < 0.5  # authenticated calls leave it alone
    lookup, authenticated = api_requests(fake)
    assert lookup.path == f"/api/v1.2/collections/inventory-pos/lucid-id/{lucid_id}/"
    assert "Authorization" not in lookup.headers
    assert (authenticated.authorization or "").startswith("Bearer ")


@pytest.mark.parametrize("product", ["source", "retail"])
async def test_default_buckets_match_the_documented_limits(product: str) -> None:
    """Without rate_limiter=, Source gets a 60/min bucket and Retail a 1000/min one."""
    client = (
        lucidgreen.SourceClient("id", "secret")
        if product == "source"
        else lucidgreen.RetailClient("id", "secret")
    )
    async with client:
        bucket = client.rate_limiter
        assert isinstance(bucket, lucidgreen.TokenBucket)
        assert (bucket.limit, bucket.per) == ({"source": 60, "retail": 1000}[product], 60.0)
