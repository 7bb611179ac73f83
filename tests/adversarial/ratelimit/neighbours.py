"""The neighbour scenario: a neighbour on the same credentials spends part of the server's
window unseen while one client makes many calls at once. :func:`run_behind` runs it; shared by
``test_no_second_wave_after_a_neighbour.py`` and ``benchmarks/limiter.py``."""

from __future__ import annotations

import asyncio
import contextlib
import time

import attrs

import lucidgreen
from benchmarks._common import small_fake
from lucidgreen.testing import FakeLucidGreen, RateLimit
from tests.support import sustained_share

__all__ = ["LIMIT", "STEADY", "WINDOW", "Run", "run_behind", "surprises"]

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
    async with small_fake(source_limit=RateLimit(LIMIT, WINDOW)) as fake:
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
