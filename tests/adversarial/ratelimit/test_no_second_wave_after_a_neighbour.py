"""A neighbour on the same credentials spends part of the server's window unseen: after the
first wave of 429s and the pause, the client meets no second wave and keeps the budget the
neighbour leaves. Two neighbours: one that burns most of a window once, one that keeps
spending a steady share."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator

import attrs
import pytest

import lucidgreen
from lucidgreen.testing import FakeLucidGreen, RateLimit
from tests.support import sustained_share

LIMIT, WINDOW = 100, 3.0
#: The steady neighbour's share of every window.
STEADY = 30


def spend(fake: FakeLucidGreen) -> bool:
    """One request on the client's credentials that this client never sees (the server
    counts it only if it lets it through, as DRF does)."""
    allowed, _ = fake.limits.check("source", fake.source_credentials.client_id)
    return allowed


async def burst_neighbour(fake: FakeLucidGreen) -> float:
    """The issue's scenario on a 3 s window: one old request (so Retry-After is short), then
    94 more at once, then nothing. Returns when its requests have left the window."""
    assert spend(fake)
    await asyncio.sleep(WINDOW - 0.6)
    for _ in range(LIMIT - 6):
        assert spend(fake)
    return time.monotonic() + WINDOW


def start_steady_neighbour(fake: FakeLucidGreen) -> asyncio.Task[None]:
    """30 requests per window, one every 0.1 s, for as long as the test runs."""

    async def keep_spending() -> None:
        while True:
            spend(fake)
            await asyncio.sleep(WINDOW / STEADY)

    return asyncio.create_task(keep_spending())


@attrs.frozen
class Run:
    #: From when the share the neighbour leaves is measured.
    measured_from: float
    refused: list[float]
    accepted: list[float]

    def second_wave(self) -> list[float]:
        """429s after the first wave (the requests in flight when the first 429 came back,
        within 0.2 s of it), as seconds after the first 429."""
        first = self.refused[0]
        return [t - first for t in self.refused if t > first + 0.2]

    def share_after(self) -> float:
        after = [t for t in self.accepted if t >= self.measured_from]
        return sustained_share(after, LIMIT, WINDOW)


async def run_behind(
    limiter: lucidgreen.TokenBucket | lucidgreen.RedisRateLimiter, neighbour: str, *, calls: int
) -> Run:
    """One lookup (the token, one request counted), the neighbour, then ``calls`` lookups at
    once, which must all succeed."""
    async with FakeLucidGreen(products=20, brands=2, batches=6, items=30,
                              source_limit=RateLimit(LIMIT, WINDOW)) as fake:  # fmt: skip
        uuids = list(fake.state.products)[:10]
        async with lucidgreen.SourceClient(
            *fake.source_credentials, base_url=fake.url, rate_limiter=limiter
        ) as source:
            await source.products.get(uuids[0])
            steady = None
            if neighbour == "burst":
                measured_from = await burst_neighbour(fake)
            else:
                steady = start_steady_neighbour(fake)
                await asyncio.sleep(WINDOW)  # a whole window of its share before we start
                measured_from = 0.0  # set below, once the first pause is over
            try:
                started = time.monotonic()
                await asyncio.gather(*(source.products.get(uuids[i % 10]) for i in range(calls)))
            finally:
                if steady is not None:
                    steady.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await steady
    api = [r for r in fake.requests.matching("/api/", site="api") if r.time >= started]
    refused = [r.time for r in api if r.status == 429]
    accepted = [r.time for r in api if r.status == 200]
    if steady is not None and refused:
        measured_from = refused[0] + WINDOW  # a window after the first wave
    return Run(measured_from, refused, accepted)


async def surprises(limiter: lucidgreen.TokenBucket | lucidgreen.RedisRateLimiter) -> int:
    if isinstance(limiter, lucidgreen.TokenBucket):
        return limiter.surprises
    return await limiter.surprises()


@pytest.fixture(params=["TokenBucket", "RedisRateLimiter"])
async def limiter(
    request: pytest.FixtureRequest,
) -> AsyncIterator[lucidgreen.TokenBucket | lucidgreen.RedisRateLimiter]:
    """The client's budget: in memory, or on a key of a real redis-server."""
    if request.param == "TokenBucket":
        yield lucidgreen.TokenBucket(limit=LIMIT, per=WINDOW, name="source")
        return
    redis_url: str = request.getfixturevalue("redis_url")
    key = f"lucidgreen-test:{uuid.uuid4().hex}"
    async with lucidgreen.RedisRateLimiter(redis_url, key, limit=LIMIT, per=WINDOW) as shared:
        yield shared


@pytest.mark.slow
async def test_a_burst_neighbour_costs_no_429_after_the_first_wave(
    limiter: lucidgreen.TokenBucket | lucidgreen.RedisRateLimiter,
) -> None:
    """Every call succeeds; every 429 belongs to the first wave; once the neighbour's
    requests have left the window the client gets >= 90 % of the limit (all it leaves)."""
    run = await run_behind(limiter, "burst", calls=250)
    assert run.refused, "the neighbour never made the server refuse: the scenario is wrong"
    assert run.second_wave() == [], f"429s after the first wave at +{run.second_wave()} s"
    assert await surprises(limiter) == 1
    assert run.share_after() >= 0.9


@pytest.mark.slow
async def test_a_steady_neighbour_costs_lone_probes_ever_further_apart(
    limiter: lucidgreen.TokenBucket | lucidgreen.RedisRateLimiter,
) -> None:
    """Beside a neighbour that keeps spending 30 of every 100, every call succeeds and the
    client gets >= 90 % of the 70 it leaves. Each 429 after the first wave is one request
    probing whether the neighbour has gone (never a wave), and they come a window after the
    first one, then ever further apart (two windows, then three: the hold doubles)."""
    run = await run_behind(limiter, "steady", calls=400)
    later = run.second_wave()
    assert later, "no probe: the neighbour's share was never given back"
    assert len(later) <= 2, f"429s after the first wave at +{later} s"
    assert later[0] >= WINDOW
    if len(later) == 2:
        assert later[1] - later[0] >= 1.9 * WINDOW
    assert run.share_after() >= 0.9 * (LIMIT - STEADY) / LIMIT
    assert await surprises(limiter) == 1 + len(later)


@pytest.mark.slow
async def test_the_surprise_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """However many 429s the first wave and the probes bring, one WARNING names the count."""
    limiter = lucidgreen.TokenBucket(limit=LIMIT, per=WINDOW, name="source")
    with caplog.at_level("WARNING", logger="lucidgreen.ratelimit"):
        await run_behind(limiter, "steady", calls=250)
    warnings = [r for r in caplog.records if "got a 429 with only" in r.getMessage()]
    assert len(warnings) == 1
    assert limiter.surprises >= 2
