"""The in-process limiter, :class:`TokenBucket`, and the FIFO turn both limiters queue on."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

from ._arithmetic import (
    DEFAULT_UTILIZATION,
    PUBLIC_LOOKUP_LIMIT,
    RETAIL_LIMIT,
    SOURCE_LIMIT,
    BucketState,
    Sizing,
    pause,
    paused_for,
    take,
    tokens_at,
)

__all__ = ["FifoTurn", "TokenBucket", "check_pause_seconds"]

logger = logging.getLogger("lucidgreen.ratelimit")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


def check_pause_seconds(seconds: float) -> float:
    """``seconds`` as a float, refusing NaN and infinity (a pause must end)."""
    seconds = float(seconds)
    if not math.isfinite(seconds):
        raise ValueError(f"pause needs a finite number of seconds, not {seconds!r}")
    return seconds


class FifoTurn:
    """A turn that one task holds at a time, handed to waiting tasks in arrival order.

    Only the task holding the turn talks to the bucket (and sleeps when it must wait); the
    others wait on a future each, so every hand-off wakes exactly one task however many
    wait. Cancelled futures stay in the queue and are skipped when the turn passes, which
    keeps cancellation O(1).

    The futures belong to one event loop. The turn may move to another loop when nobody
    holds it or when the old loop is closed (its waiters can never run again); using it
    from two live loops at once raises :class:`RuntimeError`.
    """

    __slots__ = ("_held", "_loop", "_owner", "_queue", "_waiting")

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._held = False
        # Invariant: when the turn is not held, the queue is empty (nobody to hand it to).
        self._queue: deque[asyncio.Future[None]] = deque()
        self._waiting = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def is_free(self) -> bool:
        """Nobody holds the turn, so nobody is queued either."""
        return not self._held

    @property
    def waiting(self) -> int:
        """Tasks holding or waiting for the turn."""
        return self._waiting + self._held

    async def enter(self) -> bool:
        """Wait for the turn; True if another task held it first (the caller queued).

        The caller must call :meth:`leave` once this returns.
        """
        loop = self._bind(asyncio.get_running_loop())
        if not self._held:
            self._held = True
            return False
        ticket: asyncio.Future[None] = loop.create_future()
        self._queue.append(ticket)
        self._waiting += 1
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                # Handed the turn in the same instant we were cancelled: pass it on.
                self.leave()
            raise
        finally:
            self._waiting -= 1
        return True

    def leave(self) -> None:
        """Hand the turn to the longest-waiting live task, or free it."""
        while self._queue:
            ticket = self._queue.popleft()
            if not ticket.done():
                ticket.set_result(None)
                return
        self._held = False

    def _bind(self, loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
        if loop is self._loop:
            return loop
        if self._held:
            previous = self._loop
            if previous is not None and not previous.is_closed():
                raise RuntimeError(
                    f"{self._owner} is in use on another event loop; a rate limiter serves "
                    "one event loop at a time (create one per loop, or share a "
                    "RedisRateLimiter key between them)"
                )
            # The previous loop closed with waiters on it; they can never run again.
            self._queue.clear()
            self._held = False
        self._loop = loop
        return loop


class TokenBucket:
    """The budget of one LucidGreen product, shared by every task of this process.

    Sized so that no server window of ``per`` seconds ever sees more than ``limit``
    requests, even when requests arrive up to ``per / utilization - per`` seconds off
    schedule (1.22 s for a minute at the default 0.98), while a sustained run gets 97.84 %
    of the limit. See :mod:`lucidgreen.ratelimit._arithmetic` for the derivation.

    .. code-block:: python

        bucket = TokenBucket(limit=5000)  # LucidGreen raised your limit to 5000 a minute
        waited = await bucket.acquire()

    :param limit: requests the server accepts in any window of ``per`` seconds.
    :param per: the server's window, in seconds. Shrink both for fast tests.
    :param utilization: the share of the window's budget to aim at; the rest is margin.
    :param burst: how many requests may leave back to back after an idle spell; ``None``
        means ``limit // 200``, at least 1 (so 1 for 60 a minute: evenly spaced). Each
        extra request of burst costs one request of sustained throughput per window.
    :param clock: seconds from a monotonic clock; ``time.monotonic`` by default.
    :param sleep: awaited to wait; ``asyncio.sleep`` by default (inject with a fake clock).
    :param name: shown in the repr (e.g. the product).

    Waiters are served in arrival order, one timer at a time however many wait. A task
    cancelled while waiting takes nothing. The bucket's state is plain numbers, so it may
    serve one event loop after another (say, successive ``asyncio.run`` calls); using it
    from two loops at once raises :class:`RuntimeError`. It is not thread-safe.
    """

    __slots__ = ("_clock", "_name", "_sizing", "_sleep", "_state", "_turn")

    def __init__(
        self,
        limit: int = SOURCE_LIMIT,
        per: float = 60.0,
        *,
        utilization: float = DEFAULT_UTILIZATION,
        burst: int | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        name: str = "",
    ) -> None:
        self._sizing = Sizing.for_limit(limit, per, utilization=utilization, burst=burst)
        self._clock = clock
        self._sleep = sleep
        self._name = name
        self._state = BucketState.full(self._sizing, clock())
        label = f"name={name!r}" if name else f"limit={limit}, per={per:g}"
        self._turn = FifoTurn(owner=f"TokenBucket({label})")

    @classmethod
    def for_source(cls, *, utilization: float = DEFAULT_UTILIZATION) -> TokenBucket:
        """LucidSource: 60 requests a minute per set of credentials."""
        return cls(SOURCE_LIMIT, 60.0, utilization=utilization, name="source")

    @classmethod
    def for_retail(cls, *, utilization: float = DEFAULT_UTILIZATION) -> TokenBucket:
        """LucidRetail: 1000 requests a minute per set of credentials."""
        return cls(RETAIL_LIMIT, 60.0, utilization=utilization, name="retail")

    @classmethod
    def for_public_lookup(cls, *, utilization: float = DEFAULT_UTILIZATION) -> TokenBucket:
        """The two unauthenticated LucidRetail lookups: 60 a minute per IP address."""
        return cls(PUBLIC_LOOKUP_LIMIT, 60.0, utilization=utilization, name="retail-public")

    @property
    def sizing(self) -> Sizing:
        """The limit, window, rate and capacity this bucket enforces."""
        return self._sizing

    @property
    def limit(self) -> int:
        return self._sizing.limit

    @property
    def per(self) -> float:
        return self._sizing.per

    @property
    def tokens(self) -> float:
        """Requests that could leave right now (0 while paused)."""
        return tokens_at(self._sizing, self._state, self._clock())

    @property
    def waiting(self) -> int:
        """Tasks currently waiting in :meth:`acquire`."""
        return self._turn.waiting

    async def acquire(self) -> float:
        """Wait until one request may be sent; return the seconds spent waiting."""
        started = self._clock()
        if self._turn.is_free:
            # Nobody queued: take a token without a context switch if one is there.
            self._state, wait = take(self._sizing, self._state, started)
            if wait == 0.0:
                return 0.0
        await self._turn.enter()
        try:
            while True:
                # Take in the waiter's own task: if it is cancelled before this line,
                # nothing was taken; the head's sleep is never too long because tokens
                # only arrive by refill, and a pause can only lengthen the wait.
                self._state, wait = take(self._sizing, self._state, self._clock())
                if wait == 0.0:
                    break
                await self._sleep(wait)
        finally:
            self._turn.leave()
        return max(0.0, self._clock() - started)

    async def pause(self, seconds: float) -> None:
        """Hold every acquire until ``seconds`` from now (after a 429 with Retry-After).

        A pause never shortens a longer one; when it ends, requests resume one at a time at
        the steady rate. ``seconds <= 0`` does nothing.
        """
        seconds = check_pause_seconds(seconds)
        now = self._clock()
        self._state = pause(self._sizing, self._state, now, seconds)
        logger.debug("%r paused for %.3f s", self, paused_for(self._state, now))

    async def aclose(self) -> None:
        """Nothing to release; present so every limiter closes the same way."""

    def __repr__(self) -> str:
        now = self._clock()
        s = self._sizing
        parts = [f"name={self._name!r}"] if self._name else []
        parts += [
            f"limit={s.limit}",
            f"per={s.per:g}",
            f"utilization={s.utilization:g}",
            f"burst={s.burst}",
            f"tokens={tokens_at(s, self._state, now):.2f}",
        ]
        if self._turn.waiting:
            parts.append(f"waiting={self._turn.waiting}")
        paused = paused_for(self._state, now)
        if paused > 0:
            parts.append(f"paused_for={paused:.2f}")
        return f"TokenBucket({', '.join(parts)})"
