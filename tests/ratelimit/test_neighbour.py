"""The share a surprise 429 teaches (``_neighbour``), and the budget beside a neighbour it
never sees, simulated on virtual time against the fake's DRF throttle (no event loop)."""

from __future__ import annotations

import itertools
import math

import attrs
import pytest

from lucidgreen.ratelimit import Pacing
from lucidgreen.ratelimit._neighbour import (
    DECAY_WINDOWS,
    MAX_HOLD_WINDOWS,
    NO_SHARE,
    learn,
    share_at,
    share_below,
)
from lucidgreen.ratelimit._window import Budget
from lucidgreen.testing import RateLimit
from lucidgreen.testing._middleware.throttle import Throttle
from tests.support import sustained_share

T0 = 1_000.0
LIMIT, PER = 100, 3.0


# --- the share ------------------------------------------------------------------------------


def test_a_first_surprise_is_given_back_a_quarter_window_after_its_fill() -> None:
    share = learn(NO_SHARE, T0, 30, LIMIT, PER)
    assert share_at(share, T0) == 0.0  # the fill covers the window of the 429
    assert share_at(share, T0 + PER) == 30.0
    assert share_at(share, T0 + PER + DECAY_WINDOWS * PER / 2) == pytest.approx(15.0)
    assert share_at(share, T0 + PER + DECAY_WINDOWS * PER) == 0.0


def test_each_repeat_doubles_the_hold_up_to_the_cap() -> None:
    """A surprise while the share is given back (or a window after) holds the next one a
    window, then 2, 4, ... up to MAX_HOLD_WINDOWS; later than that, it is a first again."""
    share, now, holds = learn(NO_SHARE, T0, 30, LIMIT, PER), T0, []
    for _ in range(7):
        now = share.until + 0.01  # the probe: just after the hold ends
        share = learn(share, now, 30, LIMIT, PER)
        holds.append(share.hold / PER)
    assert holds == [1, 2, 4, 8, 16, MAX_HOLD_WINDOWS, MAX_HOLD_WINDOWS]
    assert learn(share, share.ends + PER, 30, LIMIT, PER).hold == 0.0


def test_a_repeat_keeps_the_larger_lesson_and_one_request_always_probes() -> None:
    share = learn(NO_SHARE, T0, 40, LIMIT, PER)
    again = learn(share, T0 + PER + 0.1, 25, LIMIT, PER)
    assert again.unseen == 40
    assert learn(NO_SHARE, T0, 500, LIMIT, PER).unseen == LIMIT - 1


def test_share_below_is_the_first_moment_the_share_falls_under_a_level() -> None:
    share = learn(NO_SHARE, T0, 40, LIMIT, PER)
    assert share_below(share, T0, 1.0) == T0  # before start: no share yet
    at = share_below(share, T0 + PER, 10.0)
    assert share_at(share, at) < 10.0
    assert share_at(share, at - 1e-6) >= 10.0 - 1e-3
    assert share_below(share, T0 + PER, 0.0) == math.inf


# --- the budget beside a neighbour, on virtual time -----------------------------------------


@attrs.define
class Simulation:
    """A DRF server (the fake's throttle on a virtual clock), a neighbour spending on the
    same key, and one client sending as fast as its budget lets it (no latency: each
    request is answered, and settled, the moment it leaves)."""

    now: float = T0
    refused: list[float] = attrs.Factory(list)
    accepted: list[float] = attrs.Factory(list)
    server: Throttle = attrs.field(init=False)
    budget: Budget = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.server = Throttle(clock=lambda: self.now, source=RateLimit(LIMIT, PER))
        self.budget = Budget(Pacing.for_limit(LIMIT, PER), self.now)

    def neighbour_spends(self) -> None:
        self.server.check("source", "key")

    def client_sends(self) -> float:
        """One try of the client; the seconds until it may try again (0 if it sent)."""
        decision = self.budget.try_take(self.now, 30.0)
        if decision.reservation is None:
            return decision.wait
        allowed, retry_after = self.server.check("source", "key")
        self.budget.settle(decision.reservation, self.now)
        if allowed:
            self.accepted.append(self.now)
            return 0.0
        self.refused.append(self.now)
        # As TokenBucket.pause: a 429 while fewer than limit are counted is a surprise.
        if self.budget.counted(self.now) < LIMIT:
            self.budget.fill(self.now, float(retry_after or 0))
        self.budget.pause(self.now, float(retry_after or 0))
        return 0.0

    def run(self, neighbour_at: list[float], until: float) -> None:
        """Interleave the neighbour's requests (at the given times, some maybe before the
        client's first) with the client's, which start now."""
        pending = sorted(neighbour_at)
        client_at = self.now
        self.now = min([self.now, *pending])
        while self.now < until:
            if pending and pending[0] <= client_at:
                self.now = max(self.now, pending.pop(0))
                self.neighbour_spends()
                continue
            self.now = client_at
            client_at = self.now + self.client_sends()

    def later_429s(self) -> list[float]:
        """Seconds after the first 429 of every 429 after it."""
        return [t - self.refused[0] for t in self.refused[1:]]

    def share_from(self, start: float) -> float:
        return sustained_share([t for t in self.accepted if t >= start], LIMIT, PER)


def test_a_neighbours_burst_costs_one_429_and_then_nothing() -> None:
    """The issue's neighbour: 1 old request, 94 more just before the client starts, then
    nothing. One 429; once its requests have left the window the client gets the limit."""
    sim = Simulation()
    burst = T0 + PER - 0.6
    sim.now = burst + 0.001
    sim.budget = Budget(Pacing.for_limit(LIMIT, PER), sim.now)
    sim.run([T0, *([burst] * (LIMIT - 6))], until=burst + 8 * PER)
    assert len(sim.refused) == 1
    assert sim.share_from(burst + PER) >= 0.98


def test_a_steady_neighbour_costs_one_probe_per_doubling_hold() -> None:
    """A neighbour spending 30 of every 100, steadily, from a window before the client
    starts: 60 windows cost 8 429s in all (returning to its own count once a window would
    cost ~60), the hold between probes doubles up to MAX_HOLD_WINDOWS, and the client gets
    >= 95 % of the 70 the neighbour leaves."""
    sim = Simulation()
    steady = [T0 - PER + i * PER / 30 for i in range(30 * 61)]
    sim.run(steady, until=T0 + 60 * PER)
    later = sim.later_429s()
    assert 1 <= len(later) <= 7
    # Each probe comes a window (the fill) plus a hold after the one before.
    holds = [b - a - PER for a, b in itertools.pairwise([0.0, *later])]
    for hold, next_hold in itertools.pairwise(holds):
        assert next_hold >= min(1.9 * hold, 0.99 * MAX_HOLD_WINDOWS * PER)
    assert sim.share_from(sim.refused[0] + PER) >= 0.95 * (LIMIT - 30) / LIMIT


def test_without_a_neighbour_the_budget_never_learns_one() -> None:
    """A clean window: no 429, no share, the whole limit."""
    sim = Simulation()
    sim.run([], until=T0 + 10 * PER)
    assert sim.refused == []
    assert sim.budget.share is NO_SHARE
    assert sim.share_from(T0 + PER) >= 0.99


def test_the_redis_script_learns_with_the_same_constants() -> None:
    """The Lua port of learn() spells the hold cap and the decay as _neighbour does."""
    from lucidgreen.ratelimit._redis_script import SCRIPT as _SCRIPT

    assert f"{MAX_HOLD_WINDOWS:g} * per" in _SCRIPT
    assert f"{DECAY_WINDOWS:g} * per" in _SCRIPT
    assert "limit - counted + 2" in _SCRIPT  # Budget.fill's two more unseen
