"""The pure token-bucket arithmetic, driven by fake clock readings (no event loop)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ratelimit_helpers import min_span
from support import max_in_window, sustained_share

from lucidgreen.ratelimit import PUBLIC_LOOKUP_LIMIT, RETAIL_LIMIT, SOURCE_LIMIT
from lucidgreen.ratelimit._arithmetic import (
    EARLY_TOLERANCE,
    BucketState,
    Sizing,
    give_back,
    pause,
    paused_for,
    refill,
    take,
    tokens_at,
)

T0 = 1_000_000.0  # a monotonic clock reading far from zero, as on a long-running host


def drained(sizing: Sizing, now: float = T0) -> BucketState:
    return BucketState(tokens=0.0, as_of=now)


# --- sizing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "most_in_a_minute"),
    [(SOURCE_LIMIT, 59), (RETAIL_LIMIT, 981), (PUBLIC_LOOKUP_LIMIT, 59), (5000, 4901)],
)
def test_default_sizing_for_documented_limits(limit: int, most_in_a_minute: int) -> None:
    """The default sizing keeps every minute under the limit, with a 1.22 s jitter margin,
    bursts half a percent of the budget, and sustains at least 97 % of it."""
    sizing = Sizing.for_limit(limit)
    assert sizing.burst == max(1, limit // 200)
    assert sizing.utilization == 0.98
    assert sizing.sustained_share >= 0.973
    assert sizing.jitter_margin == pytest.approx(60 / 0.98 - 60)
    # N requests need N <= capacity + rate * span, and a 60 s window spans under 60 s.
    assert math.floor(sizing.capacity + sizing.rate * 60) == most_in_a_minute
    assert most_in_a_minute < limit
    # limit + 1 requests span at least the guaranteed window.
    assert (limit + 1 - sizing.capacity) / sizing.rate == pytest.approx(60 / 0.98)


def test_burst_costs_sustained_rate() -> None:
    """A larger burst lowers the refill rate so the guaranteed window stays the same."""
    even = Sizing.for_limit(1000, burst=1)
    bursty = Sizing.for_limit(1000, burst=10)
    assert bursty.capacity > 10
    assert bursty.rate < even.rate
    assert (1001 - bursty.capacity) / bursty.rate == pytest.approx(60 / 0.98)


def test_timer_slack_defaults_to_a_share_of_the_window() -> None:
    """The timer slack is per/600, so a time-compressed bucket behaves like a scaled minute."""
    assert Sizing.for_limit(60, 60.0).timer_slack == pytest.approx(0.1)
    assert Sizing.for_limit(60, 1.5).timer_slack == pytest.approx(0.0025)
    compressed = Sizing.for_limit(60, 1.5)
    assert compressed.sustained_share == pytest.approx(Sizing.for_limit(60).sustained_share)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 0},
        {"limit": True},
        {"limit": 2.5},
        {"limit": 60, "per": 0},
        {"limit": 60, "per": math.inf},
        {"limit": 60, "per": math.nan},
        {"limit": 60, "utilization": 0},
        {"limit": 60, "utilization": 1.01},
        {"limit": 60, "burst": 0},
        {"limit": 60, "burst": 61},
        {"limit": 60, "timer_slack": -1},
    ],
)
def test_sizing_refuses_nonsense(kwargs: dict[str, object]) -> None:
    """Impossible limits, windows, utilisations, bursts and slacks raise ValueError."""
    with pytest.raises(ValueError):
        Sizing.for_limit(**kwargs)  # type: ignore[arg-type]


# --- refill, take -------------------------------------------------------------------------


def test_full_bucket_gives_capacity_then_asks_to_wait() -> None:
    """A full bucket hands out its whole tokens at once, then names the exact wait."""
    sizing = Sizing.for_limit(10, 10.0, burst=3, timer_slack=0.0)
    state = BucketState.full(sizing, T0)
    for _ in range(3):
        state, wait = take(sizing, state, T0)
        assert wait == 0.0
    after, wait = take(sizing, state, T0)
    assert wait == pytest.approx(1 / sizing.rate)
    assert after == state  # a wait takes nothing


def test_refill_adds_rate_times_elapsed_up_to_capacity() -> None:
    """Tokens grow at ``rate`` per second and stop at the capacity."""
    sizing = Sizing.for_limit(60)
    state = refill(sizing, drained(sizing), T0 + 0.5)
    assert state.tokens == pytest.approx(0.5 * sizing.rate)
    assert state.as_of == T0 + 0.5
    assert refill(sizing, drained(sizing), T0 + 3600).tokens == sizing.capacity


def test_refill_ignores_a_clock_that_goes_backwards() -> None:
    """An earlier reading than the state's leaves the state unchanged."""
    sizing = Sizing.for_limit(60)
    state = BucketState(tokens=0.3, as_of=T0)
    assert refill(sizing, state, T0 - 5) == state


def test_waiting_exactly_the_answer_then_succeeds() -> None:
    """Asking again after the returned wait always succeeds, despite float rounding."""
    sizing = Sizing.for_limit(1000)
    state, now = BucketState(tokens=0.123456789, as_of=T0), T0
    for _ in range(1000):
        state, wait = take(sizing, state, now)
        assert wait > 0
        now += wait
        state, wait = take(sizing, state, now)
        assert wait == 0.0


def test_early_tolerance_never_accumulates() -> None:
    """Grants taken a hair early keep their debt, so a long run drifts by nothing."""
    sizing = Sizing.for_limit(60, 60.0)
    state, now, grants = drained(sizing), T0, []
    for _ in range(500):
        state, wait = take(sizing, state, now)
        if wait:
            now += max(0.0, wait - EARLY_TOLERANCE / 2)  # always wake a little early
            continue
        grants.append(now)
    expected = (len(grants) - 1) / sizing.rate
    assert grants[-1] - grants[0] == pytest.approx(expected, abs=1e-5)


# --- pause, give back ---------------------------------------------------------------------


def test_pause_blocks_until_it_ends_then_allows_one() -> None:
    """During a pause nothing is taken; when it ends one token is there, not a burst."""
    sizing = Sizing.for_limit(100, 60.0, burst=50)
    state = pause(sizing, BucketState.full(sizing, T0), T0, 30.0)
    assert paused_for(state, T0) == 30.0
    assert tokens_at(sizing, state, T0 + 10) == 0.0
    _, wait = take(sizing, state, T0 + 10)
    assert wait == pytest.approx(20.0)
    state, wait = take(sizing, state, T0 + 30)
    assert wait == 0.0
    _, wait = take(sizing, state, T0 + 30)
    assert wait == pytest.approx(1 / sizing.rate)


def test_pause_never_shortens_an_existing_pause() -> None:
    """A shorter pause leaves a longer one alone; a longer one extends it."""
    sizing = Sizing.for_limit(60)
    long = pause(sizing, drained(sizing), T0, 10.0)
    assert pause(sizing, long, T0 + 1, 2.0) == long
    longer = pause(sizing, long, T0 + 1, 20.0)
    assert paused_for(longer, T0 + 1) == 20.0


@pytest.mark.parametrize("seconds", [0.0, -3.0, math.nan])
def test_pause_of_nothing_changes_nothing(seconds: float) -> None:
    """Zero, negative and NaN pauses leave the bucket as it was (refilled to now)."""
    sizing = Sizing.for_limit(60)
    state = BucketState(tokens=0.5, as_of=T0)
    assert pause(sizing, state, T0, seconds) == state


def test_short_pause_grants_no_tokens() -> None:
    """A pause shorter than one refill never makes a token appear sooner than the refill."""
    sizing = Sizing.for_limit(60)
    state = pause(sizing, drained(sizing), T0, 0.01)
    _, wait = take(sizing, state, T0 + 0.01)
    assert wait == pytest.approx(1 / sizing.rate - 0.01)


def test_give_back_undoes_a_take() -> None:
    """Returning a taken token restores the state, capped at capacity and at 1 while paused."""
    sizing = Sizing.for_limit(60, burst=2)
    full = BucketState.full(sizing, T0)
    taken, _ = take(sizing, full, T0)
    assert give_back(sizing, taken, T0) == full
    assert give_back(sizing, full, T0).tokens == sizing.capacity
    paused = pause(sizing, taken, T0, 5.0)
    assert give_back(sizing, paused, T0).tokens <= 1.0


# --- the guarantee, for random schedules ---------------------------------------------------


def run_schedule(
    sizing: Sizing,
    arrivals: list[float],
    lateness: list[float],
    pauses: list[tuple[float, float]],
) -> list[float]:
    """Grant times for FIFO requests arriving at ``arrivals``, each waiter woken late by its
    ``lateness``, with ``(at, seconds)`` pauses applied as the clock passes them."""
    state = BucketState.full(sizing, 0.0)
    pending = sorted(pauses)
    grants: list[float] = []
    now = 0.0
    for arrival, late in zip(arrivals, lateness, strict=True):
        now = max(now, arrival)
        while True:
            while pending and pending[0][0] <= now:
                at, seconds = pending.pop(0)
                state = pause(sizing, state, at, seconds)
            state, wait = take(sizing, state, now)
            if wait == 0.0:
                grants.append(now)
                break
            now += wait + late
    return grants


@st.composite
def schedules(
    draw: st.DrawFn,
) -> tuple[Sizing, list[float], list[float], list[tuple[float, float]]]:
    limit = draw(st.integers(1, 80))
    per = draw(st.floats(0.5, 120.0))
    sizing = Sizing.for_limit(
        limit,
        per,
        utilization=draw(st.floats(0.5, 0.99)),
        burst=draw(st.integers(1, limit)),
        timer_slack=draw(st.none() | st.floats(0.0, per / 10)),
    )
    n = draw(st.integers(limit + 1, 4 * limit + 10))
    gaps = draw(
        st.lists(st.sampled_from([0.0, 0.0, per / limit / 3, per / 7, per]), min_size=n, max_size=n)
    )
    arrivals = [sum(gaps[: i + 1]) for i in range(n)]
    late = draw(st.lists(st.floats(0.0, 3 * sizing.timer_slack + 0.01), min_size=n, max_size=n))
    pauses = draw(
        st.lists(st.tuples(st.floats(0.0, arrivals[-1]), st.floats(0.0, per)), max_size=3)
    )
    return sizing, arrivals, late, pauses


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_no_window_ever_exceeds_the_limit(
    schedule: tuple[Sizing, list[float], list[float], list[tuple[float, float]]],
) -> None:
    """For any arrivals, wake-up lateness and pauses, limit+1 grants span per/utilization
    seconds, so no server window of per seconds holds more than limit, and none is
    granted during a pause."""
    sizing, arrivals, late, pauses = schedule
    grants = run_schedule(sizing, arrivals, late, pauses)
    assert len(grants) == len(arrivals)
    assert min_span(grants, sizing.limit) >= sizing.guaranteed_window - 1e-5
    assert max_in_window(grants, sizing.per) <= sizing.limit
    for at, seconds in pauses:
        assert not any(at <= t < at + seconds - 1e-5 for t in grants)


@settings(max_examples=100, deadline=None)
@given(
    limit=st.sampled_from([1, 10, 60, 1000, 5000]),
    per=st.floats(0.5, 600.0),
    lateness=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=50),
)
def test_sustained_run_reaches_97_percent(limit: int, per: float, lateness: list[float]) -> None:
    """A queue that never empties gets the sizing's full sustained share (>= 97 %), however
    late the loop wakes its waiters, as long as that lateness is within the timer slack."""
    sizing = Sizing.for_limit(limit, per)
    n = max(3 * limit, 50)
    late = [lateness[i % len(lateness)] * sizing.timer_slack for i in range(n)]
    grants = run_schedule(sizing, [0.0] * n, late, [])
    # The first grants spend the full bucket's whole tokens; from then on the spacing is 1/r.
    share = sustained_share(grants[math.ceil(sizing.capacity) :], limit, per)
    assert share >= 0.97
    # Only the last grant's own lateness shows (it has no successor to hand credit to).
    assert share == pytest.approx(sizing.sustained_share, rel=1e-3)
