"""The exact-window rule, with no clock and no event loop.

LucidGreen throttles like Django REST Framework's ``SimpleRateThrottle``: a request is
refused when ``limit`` requests it accepted lie in the half-open window ``(a - per, a]``
before its arrival ``a``. The client never sees arrival times, but it knows bounds: a
request reached the server no earlier than it was sent and no later than its answer came
back (or its failure was seen). So the ledger counts every request at the *latest* moment the
server can have seen it: its settle time once the exchange ended, and while it is in flight
``send + hold`` (``hold``: the exchange's timeout; no hold means "until settled"). A new
request may leave at ``t`` when fewer than ``limit`` counted requests lie after ``t - per``.

Why that is exact: take any ``limit + 1`` requests the server saw inside one window
``(a - per, a]`` and let ``X`` be the one sent last, at ``t_X <= a``. Every other one was sent
before ``t_X``, and its count time ``c >= its arrival > a - per >= t_X - per``. So at
``t_X`` the ledger held ``limit`` counted requests after ``t_X - per`` and would not have
let ``X`` go. No margin is needed, whatever the latency or the order of arrivals; a
sustained run loses only the round trip (plus any arrival delay) once per window, ``limit``
per ``per + rtt``: 99.6 % at 250 ms, ~100 % on loopback.

A settle can only move a count earlier (from ``send + hold`` to now), so waits computed from
settled counts and from the bucket are final; a wait blocked by an in-flight bound may
shorten when that request settles (:attr:`Decision.blocking`).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterator
from typing import Final, NamedTuple

from ._arithmetic import (
    EARLY_TOLERANCE,
    BucketState,
    Pacing,
    give_back,
    pause,
    paused_for,
    refill,
    tokens_at,
    wait_for_token,
)
from ._neighbour import NO_SHARE, learn, share_at, share_below

__all__ = ["Budget", "Decision", "Ledger", "Reservation"]

IN_FLIGHT, SETTLED, RELEASED = 0, 1, 2

MAX_UNSEEN: Final = 10_000
"""The most unseen requests an unexpected 429 adds to a window (see ``Ledger.fill``)."""


class Reservation:
    """One request's place in the ledger: counted at ``at`` (its bound, then its settle)."""

    __slots__ = ("at", "seq", "state")

    def __init__(self, at: float, seq: int) -> None:
        self.at = at
        self.seq = seq
        self.state = IN_FLIGHT

    def __repr__(self) -> str:
        state = ("in flight", "settled", "released")[self.state]
        return f"<Reservation {state} at={self.at:.6f}>"


def _bound(entry: Reservation) -> float:
    return entry.at


class Ledger:
    """The counted requests of one budget: settled times (sorted, since settles happen in
    clock order) and in-flight bounds (sorted; a client has few in flight at once)."""

    __slots__ = ("_flight", "_seq", "_settled", "per")

    def __init__(self, per: float) -> None:
        self.per = per
        self._settled: deque[float] = deque()
        self._flight: list[Reservation] = []
        self._seq = 0

    def reserve(self, now: float, hold: float | None) -> Reservation:
        """Count a request sent at ``now`` at ``now + hold`` (forever when ``hold`` is None)."""
        self._seq += 1
        entry = Reservation(math.inf if hold is None else now + max(0.0, hold), self._seq)
        bisect.insort_right(self._flight, entry, key=_bound)
        return entry

    def settle(self, entry: Reservation, now: float) -> float | None:
        """Count ``entry`` at ``now`` from here on; its old bound, or None if not in flight."""
        if entry.state != IN_FLIGHT:
            return None
        self._remove(entry)
        old = entry.at
        # A clock never runs backwards here, but a settle never counts earlier than the one
        # before it either, so the deque stays sorted whatever the clock did.
        at = max(now, self._settled[-1]) if self._settled else now
        self._settled.append(at)
        entry.at, entry.state = at, SETTLED
        return old

    def release(self, entry: Reservation) -> bool:
        """Forget ``entry`` (nothing was sent); False if it was no longer in flight."""
        if entry.state != IN_FLIGHT:
            return False
        self._remove(entry)
        entry.state = RELEASED
        return True

    def _remove(self, entry: Reservation) -> None:
        index = bisect.bisect_left(self._flight, entry.at, key=_bound)
        while self._flight[index] is not entry:
            index += 1
        del self._flight[index]

    def _prune(self, now: float) -> float:
        edge = now - self.per
        settled = self._settled
        while settled and settled[0] <= edge:
            settled.popleft()
        return edge

    def counted(self, now: float) -> int:
        """Requests counted after ``now - per``: what a request leaving now would join."""
        edge = self._prune(now)
        return len(self._settled) + len(self._flight) - self._first_live(edge)

    def _first_live(self, edge: float) -> int:
        return bisect.bisect_right(self._flight, edge, key=_bound)

    def in_flight(self) -> int:
        return len(self._flight)

    def blocking(self, now: float, limit: float) -> tuple[float, bool]:
        """``(count_time, in_flight)`` of the request whose leaving the window lets the next
        one go (fewer than ``limit`` counted); ``(-inf, False)`` when there is room now.

        The next request may leave at ``count_time + per``.
        """
        edge = self._prune(now)
        first = self._first_live(edge)
        counted = len(self._settled) + len(self._flight) - first
        need = math.floor(counted - limit) + 1
        if need <= 0:
            return -math.inf, False
        # The need-th smallest of the two sorted runs.
        settled, flight = self._settled, self._flight
        i, j = 0, first
        at, from_flight = -math.inf, False
        for _ in range(need):
            if j >= len(flight) or (i < len(settled) and settled[i] <= flight[j].at):
                at, from_flight = settled[i], False
                i += 1
            else:
                at, from_flight = flight[j].at, True
                j += 1
        return at, from_flight

    def settled_times(self) -> Iterator[float]:
        return iter(self._settled)

    def fill(self, now: float, limit: int, per: float, pause: float) -> int:
        """Count as many requests as it takes for ``limit`` to lie in the window (requests
        the server holds that this ledger never saw); how many were added.

        After a pause (``Retry-After``), they count at ``now``, the latest moment the server
        can have seen them: nothing is admitted until they leave. A 429 without a pause says
        nothing of when they were counted: they are spread evenly over the last window, so
        they leave as a steady neighbour's would. At most :data:`MAX_UNSEEN` are kept (a
        limit of millions must not cost millions of entries).
        """
        missing = min(limit - self.counted(now), MAX_UNSEEN)
        if missing <= 0:
            return 0
        if pause > 0:
            at = max(now, self._settled[-1]) if self._settled else now
            self._settled.extend([at] * missing)
            return missing
        step = per / missing
        unseen = [now - per + step * (i + 1) for i in range(missing)]
        self._settled = deque(sorted([*self._settled, *unseen]))
        return missing


def _window_wait(settled: list[float], ahead: int, pacing: Pacing, now: float) -> float:
    """Seconds until the window admits the request behind ``ahead`` others, counting only
    the ``settled`` times in the window (sorted) and the others' own counts (at or after
    ``now``, so each ``limit`` of them holds the next ones back a whole window)."""
    must_leave = len(settled) + ahead + 1 - pacing.limit
    if must_leave <= 0:
        return 0.0
    if must_leave <= len(settled):
        return settled[must_leave - 1] + pacing.per - now
    return pacing.per * (1 + (must_leave - len(settled) - 1) // pacing.limit)


class Decision(NamedTuple):
    """The answer to "may a request leave now?".

    ``wait`` is 0.0 when it may (a reservation was made), else the seconds to wait, ``inf``
    when only a settle or release can end it. ``blocking`` is the in-flight bound the wait
    hangs on, when a settle could shorten it (None when the wait is final).
    """

    wait: float
    reservation: Reservation | None
    blocking: float | None


class Budget:
    """Bucket pacing plus the exact window ledger; every method takes ``now``."""

    __slots__ = ("ledger", "pacing", "share", "state")

    def __init__(self, pacing: Pacing, now: float) -> None:
        self.pacing = pacing
        self.state = BucketState.full(pacing, now)
        self.ledger = Ledger(pacing.per)
        self.share = NO_SHARE

    def limit_at(self, now: float) -> float:
        """The limit less the share kept for a neighbour (see ``_neighbour``)."""
        return self.pacing.limit - share_at(self.share, now)

    def try_take(self, now: float, hold: float | None) -> Decision:
        """Reserve a slot for a request leaving at ``now``, or say how long to wait."""
        ledger, pacing = self.ledger, self.pacing
        share = self.share
        # One comparison on the hot path when no neighbour is known (start is inf).
        limit = pacing.limit if now < share.start else self.limit_at(now)
        if ledger.counted(now) < limit:
            # The common case, kept short: room in the window, so the bucket decides. This
            # is take() inlined (the hot path of every request; the pure function is the
            # reference, and the tests hold both to the same answers).
            tokens, as_of = self.state
            if now > as_of:
                tokens = min(pacing.capacity, tokens + pacing.rate * (now - as_of))
                as_of = now
            wait = as_of + (1.0 - tokens) / pacing.rate - now if tokens < 1.0 else as_of - now
            if wait > EARLY_TOLERANCE:
                self.state = BucketState(tokens, as_of)
                return Decision(wait, None, None)
            self.state = BucketState(tokens - 1.0, as_of)
            return Decision(0.0, ledger.reserve(now, hold), None)
        # Full: no early tolerance here, the window is the guarantee. At least one ulp, so
        # a clock advanced by exactly the wait lands on or past the edge.
        at, from_flight = ledger.blocking(now, limit)
        window_wait = max(at + pacing.per - now, math.ulp(now))
        if limit < pacing.limit:
            # The share may fall far enough before that request leaves the window.
            level = pacing.limit - ledger.counted(now)
            window_wait = min(window_wait, share_below(share, now, level) - now)
        self.state = refill(pacing, self.state, now)
        bucket_wait = wait_for_token(pacing, self.state, now)
        if bucket_wait >= window_wait:
            return Decision(bucket_wait, None, None)  # no settle can shorten this wait
        return Decision(window_wait, None, at if from_flight else None)

    def least_wait(self, now: float, ahead: int = 0) -> float:
        """A lower bound on the wait of a request asking at ``now`` behind ``ahead`` waiters
        that all leave first, whatever settles or releases meanwhile (to shed a waiter
        whose ``max_wait`` its place in the queue makes impossible)."""
        pacing = self.pacing
        state = refill(pacing, self.state, now)
        # The bucket must hand out ahead + 1 tokens, one per waiter.
        bucket = state.as_of + max(0.0, ahead + 1.0 - state.tokens) / pacing.rate - now
        # Only settled counts are sure to stay: every in-flight request might be released.
        edge = now - pacing.per
        settled = [t for t in self.ledger.settled_times() if t > edge]
        return max(0.0, bucket, _window_wait(settled, ahead, pacing, now))

    def fill(self, now: float, pause: float) -> int:
        """The server's window is full as of ``now`` (an unexpected 429): count the requests
        it holds that this budget never saw (see :meth:`Ledger.fill`), and keep them as a
        neighbour's share once they leave (see ``_neighbour``); how many that was."""
        pacing = self.pacing
        # Two more unseen than the count shows: the refused request is in the ledger (settled
        # before its 429 reached the pause) though DRF does not count what it refuses, and a
        # steady neighbour's count in a window wavers by one with the phase of its requests.
        unseen = pacing.limit - self.ledger.counted(now) + 2
        self.share = learn(self.share, now, unseen, pacing.limit, pacing.per)
        return self.ledger.fill(now, pacing.limit, pacing.per, pause)

    def settle(self, entry: Reservation, now: float) -> float | None:
        return self.ledger.settle(entry, now)

    def release(self, entry: Reservation, now: float) -> bool:
        if not self.ledger.release(entry):
            return False
        self.state = give_back(self.pacing, self.state, now)
        return True

    def pause(self, now: float, seconds: float) -> None:
        self.state = pause(self.pacing, self.state, now, seconds)

    def tokens(self, now: float) -> float:
        return tokens_at(self.pacing, self.state, now)

    def paused_for(self, now: float) -> float:
        return paused_for(self.state, now)

    def counted(self, now: float) -> int:
        return self.ledger.counted(now)
