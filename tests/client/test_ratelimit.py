"""Rate limiting end to end: the client's bucket against the fake's DRF-style sliding window.

How throughput is measured: from the request times the fake recorded for the API calls (the
token request left out), as ``(n - 1) / (t_last - t_first)`` divided by ``limit / window``.
"""

from __future__ import annotations

import asyncio
import time

import pytest

import lucidgreen
from benchmarks._common import small_fake
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import FakeLucidGreen, InventoryCollection, RateLimit
from tests.client.helpers import api_requests, product_uuids, token_requests
from tests.support import max_in_window, sustained_share


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


class SendTimeCounting:
    """The control: a bucket that counts each request at its send time (it settles every
    permit the moment it is granted), as a limiter without answer-time accounting does."""

    def __init__(self, limit: int, per: float) -> None:
        self.inner = lucidgreen.TokenBucket(limit=limit, per=per)

    async def acquire(
        self, *, hold: float | None = None, max_wait: float | None = None
    ) -> lucidgreen.ratelimit.Permit:
        permit = await self.inner.acquire(hold=hold, max_wait=max_wait)
        await permit.settle()
        return permit

    async def pause(self, seconds: float) -> None:
        await self.inner.pause(seconds)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def jittered_run(
    limiter: lucidgreen.ratelimit.RateLimiter,
    *,
    limit: int,
    window: float,
    jitter: float,
    retry_after: int | None = None,
) -> tuple[FakeLucidGreen, list[float], lucidgreen.Stats]:
    """Three windows of product lookups from 12 tasks against a fake that delays each
    request by a random 0 to ``jitter`` seconds before its sliding window counts it
    (``retry_after`` overrides the Retry-After of its 429s)."""
    async with small_fake(source_limit=RateLimit(limit, window), arrival_jitter=jitter) as fake:
        fake.faults.retry_after = retry_after
        async with lucidgreen.SourceClient(
            *fake.source_credentials, base_url=fake.url, rate_limiter=limiter
        ) as source:
            await sustained_run(source, product_uuids(fake, 10), calls=3 * limit, tasks=12)
        return fake, [r.time for r in api_requests(fake)], source.stats


async def test_source_meets_no_429_when_arrivals_are_jittered() -> None:
    """20 per 0.5 s (a minute compressed 120x), each request counted by the fake a random
    0-0.15 s after it left (18 s on a real minute, far above the 3 s the issue names):
    the default bucket meets zero 429s and keeps most of the limit."""
    limit, window = 20, 0.5
    fake, times, stats = await jittered_run(
        lucidgreen.TokenBucket(limit=limit, per=window), limit=limit, window=window, jitter=0.15
    )
    assert fake.stats.rate_limited == 0
    assert stats.rate_limited == 0
    assert len(times) == 3 * limit
    # The ceiling is per / (per + mean jitter) = 0.87; the first window's burst adds some.
    share = sustained_share(times, limit, window)
    assert share >= 0.8, f"sustained {share:.4f} of the limit"


async def test_counting_at_send_time_meets_429s_under_the_same_jitter() -> None:
    """The control for the test above: the same run with requests counted at their send
    time overfills the fake's window, so that test can fail."""
    limit, window = 20, 0.5
    fake, _, stats = await jittered_run(
        SendTimeCounting(limit, window), limit=limit, window=window, jitter=0.15, retry_after=0
    )
    assert fake.stats.rate_limited >= 1
    assert stats.rate_limited >= 1


class HeldFor:
    """Spies on a limiter: how long each permit was held, from its grant to its settle (the
    round trip as the limiter sees it, event-loop delays on both sides included)."""

    def __init__(self, inner: lucidgreen.TokenBucket) -> None:
        self.inner = inner
        self.held: list[float] = []

    async def acquire(
        self, *, hold: float | None = None, max_wait: float | None = None
    ) -> lucidgreen.ratelimit.Permit:
        permit = await self.inner.acquire(hold=hold, max_wait=max_wait)
        granted = time.monotonic()
        spy = self

        class Timed:
            waited = permit.waited

            async def settle(self) -> None:
                spy.held.append(time.monotonic() - granted)
                await permit.settle()

            async def release(self) -> None:
                await permit.release()

        return Timed()

    async def pause(self, seconds: float) -> None:
        await self.inner.pause(seconds)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_sustained_run_loses_only_the_round_trip_per_window_without_a_429() -> None:
    """A minute compressed to 0.5 s, 40 requests in it (low enough that a loaded 2-core
    machine serving client and fake in one process is not the bottleneck), 20 tasks, three
    windows: zero 429s, and from the second window on the rate is the exact window's
    ``limit`` per ``per + round trip``, the round trip being how long permits were held in
    the same run (a busy loop serving client and fake stretches it to tens of ms here; at a
    real minute it is a fraction of a per cent)."""
    limit, window, windows = 40, 0.5, 3
    async with small_fake(retail_limit=RateLimit(limit, window)) as fake:
        spy = HeldFor(lucidgreen.TokenBucket(limit=limit, per=window))
        async with lucidgreen.RetailClient(
            *fake.retail_credentials, base_url=fake.url, rate_limiter=spy
        ) as retail:
            await sustained_run(retail, product_uuids(fake, 10), calls=windows * limit, tasks=20)
        times = [r.time for r in api_requests(fake)]
        assert fake.stats.rate_limited == 0
        assert retail.stats.rate_limited == 0
        assert len(times) == windows * limit
        assert max_in_window(times, window) <= limit
        share = sustained_share(times[limit:], limit, window)
        round_trip = sum(spy.held) / len(spy.held)
        ceiling = window / (window + round_trip)
        assert share >= 0.95 * ceiling, f"sustained {share:.4f}, ceiling {ceiling:.4f}"


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
    product_budget = Unlimited()
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
