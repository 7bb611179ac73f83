"""A neighbour on the same credentials spends part of the server's window unseen: after the
first wave of 429s and the pause, the client meets no second wave and keeps the budget the
neighbour leaves. Two neighbours: one that burns most of a window once, one that keeps
spending a steady share."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

import lucidgreen
from tests.adversarial.ratelimit.neighbours import LIMIT, STEADY, WINDOW, run_behind, surprises


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
