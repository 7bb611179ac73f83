"""The pure pacing and window arithmetic, driven by fake clock readings (no event loop)."""

from __future__ import annotations

import heapq
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen import _limits
from lucidgreen.ratelimit import PUBLIC_LOOKUP_LIMIT, RETAIL_LIMIT, SOURCE_LIMIT, Pacing
from lucidgreen.ratelimit._arithmetic import (
    MAX_LIMIT,
    MIN_PER,
    BucketState,
    give_back,
    pause,
    paused_for,
    queue_floor,
    refill,
    take,
    tokens_at,
)
from lucidgreen.ratelimit._window import Budget, Ledger
from tests.support import max_in_window

T0 = 1_000_000.0  # a monotonic clock reading far from zero, as on a long-running host


# --- pacing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "burst"), [(SOURCE_LIMIT, 6), (RETAIL_LIMIT, 100), (PUBLIC_LOOKUP_LIMIT, 6), (5, 1)]
)
def test_default_pacing_refills_at_the_servers_rate_with_a_tenth_as_burst(
    limit: int, burst: int
) -> None:
    """The bucket refills at limit/per (no utilisation margin) and bursts a tenth of it."""
    pacing = Pacing.for_limit(limit, 60.0)
    assert pacing.rate == limit / 60.0
    assert pacing.burst == burst
    assert pacing.capacity == pytest.approx(burst + pacing.rate * 0.1)


def test_documented_limits_have_one_source() -> None:
    """The package, the config and the fake read the same numbers."""
    from lucidgreen import _config
    from lucidgreen.testing import RateLimit, Throttle

    assert (SOURCE_LIMIT, RETAIL_LIMIT, PUBLIC_LOOKUP_LIMIT) == (60, 1000, 60)
    assert _config.SOURCE.requests_per_minute == _limits.SOURCE_LIMIT
    assert _config.RETAIL.requests_per_minute == _limits.RETAIL_LIMIT
    assert _config.PUBLIC_LOOKUPS_PER_MINUTE == _limits.PUBLIC_LOOKUP_LIMIT
    throttle = Throttle(clock=lambda: 0.0)
    assert throttle.source == RateLimit(_limits.SOURCE_LIMIT, _limits.WINDOW)
    assert throttle.retail == RateLimit(_limits.RETAIL_LIMIT, _limits.WINDOW)
    assert throttle.public == RateLimit(_limits.PUBLIC_LOOKUP_LIMIT, _limits.WINDOW)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 0},
        {"limit": True},
        {"limit": 2.5},
        {"limit": 60, "per": 0},
        {"limit": 60, "per": math.inf},
        {"limit": 60, "per": math.nan},
        {"limit": 60, "burst": 0},
        {"limit": 60, "burst": 61},
    ],
)
def test_pacing_refuses_nonsense(kwargs: dict[str, object]) -> None:
    """Impossible limits, windows and bursts raise ValueError."""
    kwargs.setdefault("per", 60.0)
    with pytest.raises(ValueError):
        Pacing.for_limit(**kwargs)  # type: ignore[arg-type]


def test_full_bucket_gives_its_burst_then_asks_to_wait() -> None:
    """A full bucket hands out its whole tokens at once, then names the exact wait."""
    pacing = Pacing.for_limit(10, 10.0, burst=3)
    state = BucketState.full(pacing, T0)
    for _ in range(3):
        state, wait = take(pacing, state, T0)
        assert wait == 0.0
    after, wait = take(pacing, state, T0)
    assert wait == pytest.approx((1 - state.tokens) / pacing.rate)
    assert after == state  # a wait takes nothing


def test_waiting_exactly_the_answer_then_succeeds() -> None:
    """Asking again after the returned wait always succeeds, despite float rounding."""
    pacing = Pacing.for_limit(1000, 60.0)
    state, now = BucketState(tokens=0.123456789, as_of=T0), T0
    for _ in range(1000):
        state, wait = take(pacing, state, now)
        assert wait > 0
        now += wait
        state, wait = take(pacing, state, now)
        assert wait == 0.0


def test_pause_blocks_until_it_ends_then_allows_one() -> None:
    """During a pause nothing is taken; when it ends one token is there, not a burst; a
    shorter pause never shortens it; zero, negative and NaN pauses change nothing."""
    pacing = Pacing.for_limit(100, 60.0, burst=50)
    state = pause(pacing, BucketState.full(pacing, T0), T0, 30.0)
    assert paused_for(state, T0) == 30.0
    assert tokens_at(pacing, state, T0 + 10) == 0.0
    assert pause(pacing, state, T0 + 1, 2.0) == state
    for nothing in (0.0, -3.0, math.nan):
        assert pause(pacing, state, T0, nothing) == state
    _, wait = take(pacing, state, T0 + 10)
    assert wait == pytest.approx(20.0)
    state, wait = take(pacing, state, T0 + 30)
    assert wait == 0.0
    _, wait = take(pacing, state, T0 + 30)
    assert wait == pytest.approx(1 / pacing.rate)


def test_give_back_undoes_a_take() -> None:
    """Returning a taken token restores the state, capped at capacity and at 1 while paused."""
    pacing = Pacing.for_limit(60, 60.0, burst=2)
    full = BucketState.full(pacing, T0)
    taken, _ = take(pacing, full, T0)
    assert give_back(pacing, taken, T0) == full
    assert give_back(pacing, full, T0).tokens == pacing.capacity
    assert give_back(pacing, pause(pacing, taken, T0, 5.0), T0).tokens <= 1.0
    assert refill(pacing, taken, T0 - 5) == taken  # a clock going backwards adds nothing


# --- the window ledger --------------------------------------------------------------------


def roomy(limit: int, per: float = 10.0) -> Budget:
    """A budget whose bucket never binds (burst = limit), so only the window decides."""
    return Budget(Pacing.for_limit(limit, per, burst=limit), T0)


def test_in_flight_request_counts_until_send_plus_hold() -> None:
    """A request in flight counts at send + hold: the next may leave once that bound has
    slid out of the window, not before."""
    budget = roomy(1)
    first = budget.try_take(T0, hold=5.0)
    assert first.reservation is not None
    refused = budget.try_take(T0 + 1, hold=5.0)
    assert refused.reservation is None
    assert refused.wait == pytest.approx(5.0 + 10.0 - 1)
    assert refused.blocking == pytest.approx(T0 + 5.0)  # a settle could shorten it
    assert budget.try_take(T0 + 15 - 1e-6, hold=None).reservation is None  # no tolerance
    assert budget.try_take(T0 + 15, hold=None).reservation is not None


def test_no_hold_counts_forever_until_settled() -> None:
    """Without a hold, an unsettled request blocks the window indefinitely; its settle
    makes the wait finite: per seconds after the settle."""
    budget = roomy(1)
    first = budget.try_take(T0, hold=None).reservation
    assert first is not None
    assert budget.try_take(T0 + 100, hold=None).wait == math.inf
    assert budget.settle(first, T0 + 100) == math.inf  # the old bound
    refused = budget.try_take(T0 + 101, hold=None)
    assert refused.wait == pytest.approx(9.0)
    assert refused.blocking is None  # settled: final


def test_settle_counts_at_the_answer_time() -> None:
    """Settling moves the count from the bound to now; settles are idempotent."""
    budget = roomy(2)
    a = budget.try_take(T0, hold=30.0).reservation
    b = budget.try_take(T0, hold=30.0).reservation
    assert a is not None
    assert b is not None
    assert budget.try_take(T0 + 1, hold=30.0).wait == pytest.approx(39.0)
    budget.settle(a, T0 + 2)
    assert budget.settle(a, T0 + 3) is None  # already settled: no change
    assert budget.try_take(T0 + 2, hold=30.0).wait == pytest.approx(10.0)
    assert budget.counted(T0 + 11.5) == 2
    assert budget.counted(T0 + 12.5) == 1  # a slid out; b still in flight


def test_release_gives_back_the_slot_and_the_token() -> None:
    """A released permit (nothing sent) leaves no count and returns its token; releasing
    twice, or after a settle, does nothing."""
    budget = Budget(Pacing.for_limit(1, 10.0, burst=1), T0)
    tokens = budget.tokens(T0)
    a = budget.try_take(T0, hold=1.0).reservation
    assert a is not None
    assert budget.release(a, T0)
    assert not budget.release(a, T0)
    assert budget.counted(T0) == 0
    assert budget.tokens(T0) == pytest.approx(tokens)
    b = budget.try_take(T0, hold=1.0).reservation
    assert b is not None
    budget.settle(b, T0 + 0.5)
    assert not budget.release(b, T0 + 0.5)
    assert budget.counted(T0 + 0.5) == 1


def test_window_is_half_open_like_drf() -> None:
    """A count exactly per seconds old no longer counts (DRF drops stamps <= now - per)."""
    ledger = Ledger(10.0)
    entry = ledger.reserve(T0, hold=0.0)
    ledger.settle(entry, T0)
    assert ledger.counted(T0 + 10.0 - 1e-3) == 1
    assert ledger.counted(T0 + 10.0) == 0


def test_blocking_is_the_oldest_count_that_must_leave() -> None:
    """With n counted and room for limit - 1, the wait ends when the (n - limit + 1)-th
    earliest count slides out, across settled counts and in-flight bounds."""
    ledger = Ledger(10.0)
    for at, hold in ((0.0, 0.0), (1.0, 8.0), (2.0, 0.0), (3.0, None)):
        entry = ledger.reserve(T0 + at, hold)
        if hold == 0.0:
            ledger.settle(entry, T0 + at)
    # counts: 0 and 2 (settled), 9 (in flight), inf (in flight)
    assert ledger.blocking(T0 + 4, limit=4) == (T0, False)
    assert ledger.blocking(T0 + 4, limit=3) == (T0 + 2, False)
    assert ledger.blocking(T0 + 4, limit=2) == (T0 + 9, True)
    assert ledger.blocking(T0 + 4, limit=1) == (math.inf, True)
    assert ledger.blocking(T0 + 4, limit=5) == (-math.inf, False)


def test_least_wait_ignores_what_may_still_be_released() -> None:
    """The up-front bound for max_wait counts only settled requests and the bucket."""
    budget = roomy(1)
    entry = budget.try_take(T0, hold=None).reservation
    assert entry is not None
    assert budget.try_take(T0 + 1, hold=None).wait == math.inf
    # In flight, it might be released: only the bucket's own wait is sure.
    assert budget.least_wait(T0 + 1) == pytest.approx(9.0, abs=0.1)
    assert budget.least_wait(T0 + 10) == 0.0
    budget.settle(entry, T0 + 10)
    assert budget.least_wait(T0 + 11) == pytest.approx(9.0)
    budget.pause(T0 + 11, 20.0)
    assert budget.least_wait(T0 + 11) == pytest.approx(20.0)


# --- the guarantee, for random schedules ---------------------------------------------------


def simulate(  # noqa: PLR0917
    budget: Budget,
    sends: list[float],
    arrive: list[float],
    answer: list[float],
    hold: float | None,
    released: set[int] = frozenset(),  # type: ignore[assignment]
) -> tuple[list[float], list[float]]:
    """Run FIFO requests through ``budget``: request i asks at ``sends[i]``, reaches the
    server ``arrive[i]`` after it leaves and is answered ``answer[i]`` after that (then
    settled); those in ``released`` are given back at once. Returns (grant, arrival) times."""
    settles: list[tuple[float, int, object]] = []
    grants: list[float] = []
    arrivals: list[float] = []
    now = T0
    for i, asked in enumerate(sends):
        now = max(now, T0 + asked)
        while True:
            while settles and settles[0][0] <= now:
                at, _, entry = heapq.heappop(settles)
                budget.settle(entry, at)  # type: ignore[arg-type]
            decision = budget.try_take(now, hold)
            if decision.reservation is not None:
                break
            wake = now + decision.wait
            if settles and settles[0][0] < wake:
                wake = settles[0][0]
            assert math.isfinite(wake), "waiting forever with nothing in flight"
            now = max(wake, now)
        if i in released:
            budget.release(decision.reservation, now)
            continue
        grants.append(now)
        arrivals.append(now + arrive[i])
        heapq.heappush(settles, (now + arrive[i] + answer[i], i, decision.reservation))
    return grants, arrivals


@st.composite
def schedules(draw: st.DrawFn) -> dict[str, object]:
    limit = draw(st.integers(1, 40))
    per = draw(st.floats(0.5, 60.0))
    n = draw(st.integers(limit + 1, 4 * limit + 10))
    gaps = draw(
        st.lists(st.sampled_from([0.0, 0.0, per / limit / 3, per / 7, per]), min_size=n, max_size=n)
    )
    jitter = draw(st.floats(0.0, per))
    arrive = draw(st.lists(st.floats(0.0, jitter), min_size=n, max_size=n))
    answer = draw(st.lists(st.floats(0.0, per / 10), min_size=n, max_size=n))
    hold = draw(st.none() | st.just(jitter + per / 10))
    return {
        "budget": Budget(Pacing.for_limit(limit, per, draw(st.integers(1, limit))), T0),
        "sends": [sum(gaps[: i + 1]) for i in range(n)],
        "arrive": arrive,
        "answer": answer,
        "hold": hold,
        "released": set(draw(st.lists(st.integers(0, n - 1), max_size=3))),
    }


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_no_server_window_ever_exceeds_the_limit(schedule: dict[str, object]) -> None:
    """For any send pattern, any arrival delay (requests reaching the server out of send
    order), any answer time and any releases, no half-open window of per seconds at the
    server holds more than limit arrivals."""
    budget = schedule["budget"]
    assert isinstance(budget, Budget)
    _, arrivals = simulate(**schedule)  # type: ignore[arg-type]
    assert max_in_window(arrivals, budget.pacing.per) <= budget.pacing.limit


def test_send_time_counting_would_overflow_under_the_same_jitter() -> None:
    """The control: counting requests at their send time (settling at once) lets a jittered
    server window overflow, which is why the ledger counts at the answer."""
    limit, per, n = 20, 1.0, 200
    budget = Budget(Pacing.for_limit(limit, per, burst=limit), T0)
    arrive = [0.5 if i < limit else 0.0 for i in range(n)]  # the first window's are slow
    _, arrivals = simulate(budget, [0.0] * n, arrive, [0.0] * n, hold=None, released=set())
    assert max_in_window(arrivals, per) <= limit
    naive = Budget(Pacing.for_limit(limit, per, burst=limit), T0)
    _, naive_arrivals = simulate(naive, [0.0] * n, [0.0] * n, [0.0] * n, hold=None)
    shifted = [t + arrive[i] for i, t in enumerate(naive_arrivals)]
    assert max_in_window(shifted, per) > limit


@pytest.mark.parametrize(("limit", "rtt"), [(60, 0.0), (1000, 0.0), (60, 0.25), (1000, 0.25)])
def test_sustained_run_loses_only_the_round_trip_per_window(limit: int, rtt: float) -> None:
    """A queue that never empties gets limit per (per + rtt): ~100 % with no latency,
    99.6 % at 250 ms on a 60 s window."""
    per, windows = 60.0, 6
    n = limit * windows
    budget = Budget(Pacing.for_limit(limit, per), T0)
    grants, arrivals = simulate(budget, [0.0] * n, [rtt / 2] * n, [rtt / 2] * n, hold=30.0)
    assert max_in_window(arrivals, per) <= limit
    # Steady state: skip the first window, then limit grants per window.
    steady = grants[limit:]
    share = (len(steady) - 1) / (steady[-1] - steady[0]) * per / limit
    assert share >= per / (per + rtt) - 1e-3


# --- the best case of a budget shared with other processes ------------------------------


def test_queue_floor_is_the_best_case_of_a_shared_budget() -> None:
    """Behind 900 waiters on 1000 a minute (burst 100), a request waits >= 48 s even with a
    full bucket and an empty window; a pause adds its length and leaves one token."""
    pacing = Pacing.for_limit(1000, 60.0)
    assert queue_floor(pacing, 0) == 0.0
    assert queue_floor(pacing, 900) == pytest.approx((901 - pacing.capacity) * 0.06)
    assert queue_floor(pacing, 0, paused_for=30.0) == pytest.approx(30.0)
    assert queue_floor(pacing, 10, paused_for=30.0) == pytest.approx(30.0 + 10 * 0.06)


@given(
    limit=st.integers(1, 50),
    ahead=st.integers(0, 200),
    burst_share=st.floats(0.0, 1.0),
)
@settings(max_examples=200, deadline=None)
def test_queue_floor_never_exceeds_the_wait_of_a_fresh_budget(
    limit: int, ahead: int, burst_share: float
) -> None:
    """No budget can serve the request sooner than the floor: on a fresh Budget (full bucket,
    empty window), ``ahead`` grants settled at once leave the next one waiting >= it."""
    burst = max(1, round(limit * burst_share))
    pacing = Pacing.for_limit(limit, 10.0, burst)
    budget = Budget(pacing, T0)
    now = T0
    for _ in range(ahead):
        decision = budget.try_take(now, 0.0)
        while decision.reservation is None:
            now += decision.wait
            decision = budget.try_take(now, 0.0)
        budget.settle(decision.reservation, now)
    decision = budget.try_take(now, 0.0)
    while decision.reservation is None:
        now += decision.wait
        decision = budget.try_take(now, 0.0)
    assert now - T0 >= queue_floor(pacing, ahead) - 1e-6


@pytest.mark.parametrize(
    ("limit", "per"),
    [(10**400, 60.0), (MAX_LIMIT + 1, 60.0), (1, 5e-324), (1, MIN_PER / 2), (1, 10**400)],
)
def test_a_limit_or_window_past_a_usable_rate_is_refused(limit: int, per: float) -> None:
    """A count too large for a float or a window too short to pace is a ValueError, never an
    OverflowError or an infinite refill rate."""
    with pytest.raises(ValueError, match=r"^(limit|per) must"):
        Pacing.for_limit(limit, per)


def test_the_bounds_themselves_make_a_finite_pacing() -> None:
    pacing = Pacing.for_limit(MAX_LIMIT, MIN_PER)
    assert math.isfinite(pacing.rate)
    assert math.isfinite(pacing.capacity)
