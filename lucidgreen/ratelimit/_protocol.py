"""What the request pipeline needs from a rate limiter, and the one error a limiter raises."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from lucidgreen.errors import RateLimiterUnavailable

__all__ = ["Permit", "RateLimiter", "RateLimiterUnavailable"]


@runtime_checkable
class Permit(Protocol):
    """Leave to send one request now; tell the limiter how the exchange ended.

    :meth:`settle` and :meth:`release` are idempotent, and :meth:`release` after
    :meth:`settle` does nothing.
    """

    @property
    def waited(self) -> float:
        """Seconds spent waiting in ``acquire`` (0.0 if none)."""
        ...

    async def settle(self) -> None:
        """The exchange ended now (an answer or a failure was seen): count it at now."""
        ...

    async def release(self) -> None:
        """Nothing was sent (cancelled before sending, connection refused): give it back."""
        ...


@runtime_checkable
class RateLimiter(Protocol):
    """A budget of requests shared by every task (and, for Redis, every process) using it."""

    async def acquire(self, *, hold: float | None = None, max_wait: float | None = None) -> Permit:
        """Wait for a permit to send one request now.

        ``hold``: the most seconds the exchange may take (its timeout); until the permit is
        settled the request counts as seen by the server at ``send time + hold`` (None:
        counted in the window until settled). ``max_wait``: if no permit can be had within
        that many seconds, raise :class:`~lucidgreen.errors.DeadlineExceeded` (with
        ``request_sent=False``) without spending anything; refused at once when the wait is
        known to be longer, else the waiter leaves the queue when it passes.

        FIFO across the tasks of one process; cancel-safe: a waiter cancelled at any await
        spends nothing and leaves no state behind (the next waiter moves up).
        """
        ...

    async def pause(self, seconds: float) -> None:
        """The server answered 429 with Retry-After: no acquire completes until ``seconds``
        from now (the whole product's budget pauses, not one call). Pauses never shorten an
        existing pause.
        """
        ...

    async def aclose(self) -> None:
        """Release resources (connections for Redis; no-op in memory)."""
        ...
