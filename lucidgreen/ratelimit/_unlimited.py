"""``Unlimited``: a rate limiter that never waits, for tests and benchmarks."""

from __future__ import annotations

from typing import Final

__all__ = ["Unlimited"]


class _NoPermit:
    """The permit of :class:`Unlimited`: nothing to settle, nothing to give back."""

    __slots__ = ()

    @property
    def waited(self) -> float:
        return 0.0

    async def settle(self) -> None:
        """Nothing is counted."""

    async def release(self) -> None:
        """Nothing was taken."""


_PERMIT: Final = _NoPermit()


class Unlimited:
    """A :class:`~lucidgreen.ratelimit.RateLimiter` that grants every request at once.

    For tests against a fake server whose limits are off, and for benchmarks that measure
    everything but the limiter. It counts what it was asked, so a test can assert that a
    call spent (or did not spend) the product's budget::

        budget = Unlimited()
        async with SourceClient(..., rate_limiter=budget) as source:
            await source.products.get(uuid)
        assert budget.acquired == 1

    Never use it against the real API: nothing stops a 429 but the server.
    """

    __slots__ = ("acquired", "paused")

    def __init__(self) -> None:
        #: Permits handed out so far.
        self.acquired: int = 0
        #: Seconds of every pause asked for (a 429's Retry-After), in order.
        self.paused: list[float] = []

    async def acquire(
        self, *, hold: float | None = None, max_wait: float | None = None
    ) -> _NoPermit:
        """A permit, at once (``hold`` and ``max_wait`` have nothing to bound)."""
        self.acquired += 1
        return _PERMIT

    async def pause(self, seconds: float) -> None:
        """Recorded in :attr:`paused`; nothing waits."""
        self.paused.append(seconds)

    async def aclose(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return f"Unlimited(acquired={self.acquired})"
