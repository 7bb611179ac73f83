"""A neighbour on the same credentials burns most of the server's window: after the first
wave of 429s and the pause, the client meets no second wave and keeps the budget it has."""

from __future__ import annotations

import asyncio
import time

import pytest

import lucidgreen
from lucidgreen.testing import FakeLucidGreen, RateLimit
from tests.support import sustained_share

LIMIT, WINDOW = 100, 3.0


async def neighbour_burns(fake: FakeLucidGreen, count: int) -> None:
    """``count`` requests on the client's credentials that this client never sees."""
    client_id = fake.source_credentials.client_id
    for _ in range(count):
        allowed, _ = fake.limits.check("source", client_id)
        assert allowed


async def run_behind_a_neighbour(
    limiter: lucidgreen.TokenBucket, *, calls: int
) -> tuple[float, list[float], list[float]]:
    """The issue's scenario on a 3 s window: one old neighbour request, then the neighbour
    spends 94 more, then ``calls`` lookups start at once. Every call must succeed. Returns
    when the neighbour's requests leave the server's window, the 429 times and the
    accepted times."""
    async with FakeLucidGreen(products=20, brands=2, batches=6, items=30,
                              source_limit=RateLimit(LIMIT, WINDOW)) as fake:  # fmt: skip
        uuids = list(fake.state.products)[:10]
        async with lucidgreen.SourceClient(
            *fake.source_credentials, base_url=fake.url, rate_limiter=limiter
        ) as source:
            await source.products.get(uuids[0])  # the token, and one request counted
            # The oldest request in the window leaves soon (so Retry-After is short) while
            # most of the neighbour's stay a whole window.
            await neighbour_burns(fake, 1)
            await asyncio.sleep(WINDOW - 0.6)
            await neighbour_burns(fake, LIMIT - 6)
            neighbour_gone = time.monotonic() + WINDOW
            await asyncio.gather(*(source.products.get(uuids[i % 10]) for i in range(calls)))
    api = fake.requests.matching("/api/", site="api")
    refused = [r.time for r in api if r.status == 429]
    accepted = [r.time for r in api if r.status == 200]
    return neighbour_gone, refused, accepted


@pytest.mark.slow
async def test_no_429_after_the_first_wave_and_the_budget_is_kept() -> None:
    """Every call succeeds; every 429 belongs to the first wave (before the first pause
    ends); once the neighbour's requests have left the window, the client gets >= 90 % of
    the limit (what the neighbour leaves: it spends no more)."""
    limiter = lucidgreen.TokenBucket(limit=LIMIT, per=WINDOW)
    started = time.monotonic()
    neighbour_gone, refused, accepted = await run_behind_a_neighbour(limiter, calls=250)
    assert refused, "the neighbour never made the server refuse: the scenario is wrong"
    first_wave_end = refused[0] + 0.2  # what was in flight when the first 429 came back
    second_wave = [t - refused[0] for t in refused if t > first_wave_end]
    assert second_wave == [], f"429s after the first wave at +{second_wave} s"
    assert limiter.surprises >= 1
    after = [t for t in accepted if t >= neighbour_gone]
    assert sustained_share(after, LIMIT, WINDOW) >= 0.9
    assert time.monotonic() - started < 30


@pytest.mark.slow
async def test_the_surprise_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """However many 429s the first wave brings, one WARNING names the count."""
    limiter = lucidgreen.TokenBucket(limit=LIMIT, per=WINDOW, name="source")
    with caplog.at_level("WARNING", logger="lucidgreen.ratelimit"):
        await run_behind_a_neighbour(limiter, calls=40)
    warnings = [r for r in caplog.records if "got a 429 with only" in r.getMessage()]
    assert len(warnings) == 1
