"""Permits a :class:`~lucidgreen.ratelimit.RedisRateLimiter`'s head waiter took from Redis in
one round trip for the waiters queued behind it, until they take them or nobody is left."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Final

__all__ = ["MAX_LEASE", "Leases"]

#: The most permits a head waiter takes from Redis in one round trip for its queue.
MAX_LEASE: Final = 64


class Leases:
    """Leased reservations, oldest first, each with the ``hold`` it was reserved for.

    ``release(reservation)``: gives one back to Redis (a lease nobody can use).
    """

    __slots__ = ("_leases", "_release")

    def __init__(self, release: Callable[[str], None]) -> None:
        self._release = release
        self._leases: deque[tuple[str, float]] = deque()

    def __bool__(self) -> bool:
        return bool(self._leases)

    def add(self, reservations: list[str], hold: float) -> None:
        self._leases.extend((reservation, hold) for reservation in reservations)

    def take(self, hold: float) -> str | None:
        """A leased permit for a waiter, if one covers ``hold`` (those that do not go back)."""
        while self._leases:
            reservation, leased_hold = self._leases.popleft()
            if leased_hold >= hold:
                return reservation
            self._release(reservation)
        return None

    def return_all(self) -> None:
        """Nobody is left to use the leased permits (their waiters were cancelled)."""
        while self._leases:
            reservation, _ = self._leases.popleft()
            self._release(reservation)
