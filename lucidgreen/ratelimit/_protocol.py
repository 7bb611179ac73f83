"""What the request pipeline needs from a rate limiter, and the one error a limiter raises."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from lucidgreen.errors import RateLimiterUnavailable

__all__ = ["RateLimiter", "RateLimiterUnavailable"]


@runtime_checkable
class RateLimiter(Protocol):
    """A budget of requests shared by every task (and, for Redis, every process) using it."""

    async def acquire(self) -> float:
        """Wait until one request may be sent; return the seconds spent waiting (0.0 if none).

        FIFO across the tasks of one process; cancel-safe: a waiter cancelled while waiting
        consumes nothing and leaves no state behind (the next waiter moves up).
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
