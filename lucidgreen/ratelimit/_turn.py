"""The FIFO turn both limiters queue on: one task at a time talks to the budget, the rest
wait in arrival order, and waiters whose deadline their place makes impossible are sent away."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

__all__ = ["FifoTurn", "Shed", "wake"]


class Shed(TimeoutError):
    """A queued waiter was sent away: its place in the queue makes its deadline impossible.

    ``retry_after``: the seconds until the limiter expected budget for it.
    """

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _expire(ticket: asyncio.Future[None]) -> None:
    if not ticket.done():
        ticket.set_exception(TimeoutError())


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

    __slots__ = ("_deadlines", "_held", "_loop", "_owner", "_queue", "_waiting")

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._held = False
        # Invariant: when the turn is not held, the queue is empty (nobody to hand it to).
        self._queue: deque[asyncio.Future[None]] = deque()
        self._waiting = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        # Loop-clock deadline of each queued ticket that has one (for shed()).
        self._deadlines: dict[asyncio.Future[None], float] = {}

    @property
    def is_free(self) -> bool:
        """Nobody holds the turn, so nobody is queued either."""
        return not self._held

    @property
    def waiting(self) -> int:
        """Tasks holding or waiting for the turn."""
        return self._waiting + self._held

    async def enter(self, timeout: float | None = None) -> bool:
        """Wait for the turn; True if another task held it first (the caller queued).

        The caller must call :meth:`leave` once this returns. Raises :class:`TimeoutError`,
        holding nothing, if the turn did not come within ``timeout`` seconds, and
        :class:`Shed` if :meth:`shed` sent the caller away.
        """
        loop = self._bind(asyncio.get_running_loop())
        if not self._held:
            self._held = True
            return False
        ticket: asyncio.Future[None] = loop.create_future()
        self._queue.append(ticket)
        self._waiting += 1
        # The expiry fails the ticket itself, so leave() skips it like a cancelled one.
        timer = None
        if timeout is not None:
            timer = loop.call_later(timeout, _expire, ticket)
            self._deadlines[ticket] = loop.time() + timeout
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                # Handed the turn in the same instant we were cancelled: pass it on.
                self.leave()
            raise
        finally:
            self._waiting -= 1
            if timer is not None:
                timer.cancel()
                del self._deadlines[ticket]
        return True

    def shed(self, expected: Callable[[int], float]) -> int:
        """Send away every queued waiter whose deadline lies before ``expected(ahead)``
        seconds from now (``ahead``: the live tasks in front of it, the holder included);
        how many were sent away."""
        if not self._deadlines or self._loop is None:
            return 0
        now, ahead, shed = self._loop.time(), 1, 0
        for ticket in self._queue:
            if ticket.done():
                continue
            deadline = self._deadlines.get(ticket)
            if deadline is not None:
                wait = expected(ahead)
                if now + wait > deadline:
                    ticket.set_exception(Shed(wait))
                    shed += 1
                    continue
            ahead += 1
        return shed

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
