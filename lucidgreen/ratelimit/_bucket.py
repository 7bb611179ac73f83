"""The in-process limiter, :class:`TokenBucket`: the window ledger of ``_window.py`` behind
the FIFO queue and waits of ``_waiting.py``."""

from __future__ import annotations

import asyncio
import logging
import math
import time

from lucidgreen import _limits

from ._arithmetic import Pacing
from ._protocol import Permit
from ._turn import FifoTurn, wake
from ._waiting import (
    Clock,
    Sleep,
    check_hold,
    check_pause_seconds,
    deadline_exceeded,
    nap,
    queue_up,
)
from ._window import Budget, Reservation

__all__ = ["TokenBucket"]

logger = logging.getLogger("lucidgreen.ratelimit")


class _Permit:
    """A :class:`TokenBucket` permit: one reservation in its window ledger."""

    __slots__ = ("_bucket", "_reservation", "waited")

    def __init__(self, bucket: TokenBucket, reservation: Reservation, waited: float) -> None:
        self._bucket = bucket
        self._reservation = reservation
        self.waited = waited

    async def settle(self) -> None:
        self._bucket._settle(self._reservation)

    async def release(self) -> None:
        self._bucket._release(self._reservation)

    def __repr__(self) -> str:
        return f"<TokenBucket permit {self._reservation!r} waited={self.waited:.3f}>"


class TokenBucket:
    """The budget of one LucidGreen product, shared by every task of this process.

    Exact: no window of ``per`` seconds at the server ever holds more than ``limit`` of its
    requests, whatever the latency and the order in which requests reach the server, because
    each request counts at the latest moment the server can have seen it (its permit's
    settle time, or ``send + hold`` while in flight; see :mod:`lucidgreen.ratelimit._window`).
    A sustained run gets ``limit`` requests per ``per`` plus one round trip: 99.6 % of the
    limit at 250 ms latency. The bucket itself paces: it refills at ``limit / per`` and lets
    ``burst`` requests leave back to back after an idle spell.

    .. code-block:: python

        bucket = TokenBucket(limit=5000)  # LucidGreen raised your limit to 5000 a minute
        permit = await bucket.acquire(hold=30.0)
        try:
            ...  # send the request
        finally:
            await permit.settle()

    :param limit: requests the server accepts in any window of ``per`` seconds.
    :param per: the server's window, in seconds. Shrink both for fast tests.
    :param burst: requests that may leave back to back after an idle spell; ``None`` means
        a tenth of ``limit`` (at least 1): 6 for LucidSource, 100 for LucidRetail. A larger
        burst gives short scripts and bursty services lower latency and never overflows a
        window; a smaller one spreads requests evenly.
    :param clock: seconds from a monotonic clock; ``time.monotonic`` by default.
    :param sleep: awaited to wait (inject with a fake clock); by default one event-loop
        timer for the head waiter.
    :param name: shown in the repr and the logs (e.g. the product).

    Waiters are served in arrival order, one timer at a time however many wait; a settle
    that can shorten the head's wait wakes it. A task cancelled while waiting takes nothing.
    A 429 that the ledger did not expect (fewer than ``limit`` counted) is logged once at
    WARNING and makes the bucket count that window as full (see :meth:`pause`). The state
    is plain numbers, so the bucket may serve one event loop after another; using it from
    two loops at once raises :class:`RuntimeError`. It is not thread-safe.
    """

    __slots__ = (
        "_blocking",
        "_budget",
        "_clock",
        "_name",
        "_sleep",
        "_surprises",
        "_turn",
        "_wake",
        "_warned",
    )

    def __init__(
        self,
        limit: int = _limits.SOURCE_LIMIT,
        per: float = _limits.WINDOW,
        *,
        burst: int | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep | None = None,
        name: str = "",
    ) -> None:
        self._budget = Budget(Pacing.for_limit(limit, per, burst), clock())
        self._clock = clock
        self._sleep = sleep
        self._name = name
        label = f"name={name!r}" if name else f"limit={limit}, per={per:g}"
        self._turn = FifoTurn(owner=f"TokenBucket({label})")
        self._wake: asyncio.Future[None] | None = None
        self._blocking: float | None = None
        self._warned = False
        self._surprises = 0

    @property
    def pacing(self) -> Pacing:
        """The limit, window, burst, refill rate and capacity this bucket enforces."""
        return self._budget.pacing

    @property
    def limit(self) -> int:
        return self._budget.pacing.limit

    @property
    def per(self) -> float:
        return self._budget.pacing.per

    @property
    def burst(self) -> int:
        return self._budget.pacing.burst

    @property
    def tokens(self) -> float:
        """Tokens in the pacing bucket right now (0 while paused)."""
        return self._budget.tokens(self._clock())

    @property
    def counted(self) -> int:
        """Requests counted in the window a request leaving now would join."""
        return self._budget.counted(self._clock())

    @property
    def in_flight(self) -> int:
        """Permits neither settled nor released."""
        return self._budget.ledger.in_flight()

    @property
    def waiting(self) -> int:
        """Tasks currently waiting in :meth:`acquire`."""
        return self._turn.waiting

    async def acquire(self, *, hold: float | None = None, max_wait: float | None = None) -> Permit:
        """Wait for a permit to send one request now (see
        :meth:`lucidgreen.ratelimit.RateLimiter.acquire`)."""
        hold = check_hold(hold)
        started = self._clock()
        if self._turn.is_free:
            # Nobody queued: take a slot without a context switch if there is one.
            decision = self._budget.try_take(started, hold)
            if decision.reservation is not None:
                return _Permit(self, decision.reservation, 0.0)
        deadline = None if max_wait is None else started + max_wait
        await queue_up(self._turn, self, max_wait, self._least_wait)
        try:
            while True:
                # Reserve in the waiter's own task: if it is cancelled before this line,
                # nothing was reserved.
                now = self._clock()
                decision = self._budget.try_take(now, hold)
                if decision.reservation is not None:
                    break
                wait = decision.wait
                if deadline is not None:
                    if now >= deadline or (decision.blocking is None and now + wait > deadline):
                        expected = wait if math.isfinite(wait) else self._budget.least_wait(now)
                        raise deadline_exceeded(self, max_wait or 0.0, expected)
                    wait = min(wait, deadline - now)
                await self._nap(wait, decision.blocking)
        finally:
            self._turn.leave()
        return _Permit(self, decision.reservation, max(0.0, self._clock() - started))

    def _least_wait(self, ahead: int) -> float:
        return self._budget.least_wait(self._clock(), ahead)

    async def _nap(self, seconds: float, blocking: float | None) -> None:
        """The head waits ``seconds``, or until a settle or release may shorten its wait."""
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._wake, self._blocking = woken, blocking
        try:
            await nap(woken, seconds, self._sleep)
        finally:
            self._wake = self._blocking = None

    def _settle(self, reservation: Reservation) -> None:
        old = self._budget.settle(reservation, self._clock())
        blocking = self._blocking
        # Only moving a count that lay at or after the one the head waits on can help it.
        if old is not None and blocking is not None and old >= blocking and self._wake:
            wake(self._wake)

    def _release(self, reservation: Reservation) -> None:
        if self._budget.release(reservation, self._clock()) and self._wake is not None:
            wake(self._wake)  # a slot and a token came back

    async def pause(self, seconds: float) -> None:
        """Hold every acquire until ``seconds`` from now (after a 429 with Retry-After).

        A pause never shortens a longer one; when it ends, requests resume one at a time at
        the steady rate. ``seconds <= 0`` pauses nothing (but still counts as a 429).
        Queued waiters whose ``max_wait`` the pause makes impossible leave at once.

        A 429 while fewer than ``limit`` requests are counted (a *surprise*) means the
        server counts requests this bucket never saw: other clients spend the same
        credentials, or the server's limit differs. The bucket stops trusting its own count
        for that window: it treats the window as full as of the 429 (after a pause, the requests
        it did not see count at now, the latest moment the server can have seen them; a
        429 with no pause spreads them over the last window), so after the pause it admits
        only as those leave. Once they have left it keeps them as the neighbour's share
        (``limit - share`` a window) and gives the share back over a quarter window; a
        surprise while it does holds the next share longer, doubling each time (see
        :mod:`lucidgreen.ratelimit._neighbour`). Logged once at WARNING with what was
        counted; :attr:`surprises` counts them. The limit itself is not lowered.
        """
        seconds = check_pause_seconds(seconds)
        now = self._clock()
        counted = self._budget.counted(now)
        if counted < self.limit:
            self._surprise(counted, seconds)
            self._budget.fill(now, seconds)
        self._budget.pause(now, seconds)
        logger.debug("%r paused for %.3f s", self, self._budget.paused_for(now))
        self._shed_hopeless()

    def _surprise(self, counted: int, seconds: float) -> None:
        self._surprises += 1
        if self._warned:
            return
        self._warned = True
        logger.warning(
            "%r got a 429 with only %d requests counted in the last %g s (%d in flight, "
            "limit %d): the server's limit differs, or other clients share these "
            "credentials; pausing for %.3f s, then counting the window as full",
            self,
            counted,
            self.per,
            self.in_flight,
            self.limit,
            seconds,
        )

    def _shed_hopeless(self) -> None:
        """Send away now the queued waiters whose deadline the budget can no longer meet,
        and wake the head so it checks its own."""
        now = self._clock()
        self._turn.shed(lambda ahead: self._budget.least_wait(now, ahead))
        if self._wake is not None:
            wake(self._wake)

    @property
    def surprises(self) -> int:
        """429s that came while fewer than ``limit`` requests were counted (see :meth:`pause`)."""
        return self._surprises

    async def aclose(self) -> None:
        """Nothing to release; present so every limiter closes the same way."""

    def __repr__(self) -> str:
        now = self._clock()
        p = self._budget.pacing
        parts = [f"name={self._name!r}"] if self._name else []
        parts += [
            f"limit={p.limit}",
            f"per={p.per:g}",
            f"burst={p.burst}",
            f"tokens={self._budget.tokens(now):.2f}",
        ]
        if self._turn.waiting:
            parts.append(f"waiting={self._turn.waiting}")
        paused = self._budget.paused_for(now)
        if paused > 0:
            parts.append(f"paused_for={paused:.2f}")
        return f"TokenBucket({', '.join(parts)})"
