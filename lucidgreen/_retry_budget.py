"""A client-wide cap on retries, as Finagle's ``RetryBudget`` and Envoy's retry budgets do.

Each call's first attempt deposits into the budget; each retry withdraws from it. Within any
``window`` seconds, retries may number at most ``floor + ratio * first attempts`` of that
window. One task in a short blip keeps its full retries (the floor covers it); 1,000 tasks
meeting a dead API share ``20 + 0.5 * 1000`` retries instead of making 5,000, so they fail
fast and the API is not hammered when it comes back. The default ratio (0.5, above
Finagle's 0.2) still carries calls through a flaky API that fails one attempt in three.

Pure: the clock is passed in, nothing sleeps.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RetryBudget"]


class RetryBudget:
    """``floor`` retries per ``window`` seconds, plus ``ratio`` of that window's first attempts."""

    def __init__(
        self,
        *,
        ratio: float = 0.5,
        floor: int = 20,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not ratio >= 0 or not math.isfinite(ratio):
            raise ValueError(f"ratio must be a finite number >= 0, not {ratio!r}")
        if type(floor) is not int or floor < 0:  # a bool is no count
            raise ValueError(f"floor must be an int >= 0, not {floor!r}")
        if not (math.isfinite(window) and window > 0):
            raise ValueError(f"window must be a finite number of seconds > 0, not {window!r}")
        self.ratio = ratio
        self.floor = floor
        self.window = window
        self._clock = clock
        self._first_attempts: deque[float] = deque()
        self._retries: deque[float] = deque()

    def _forget_old(self, now: float) -> None:
        for stamps in (self._first_attempts, self._retries):
            while stamps and stamps[0] <= now - self.window:
                stamps.popleft()

    def first_attempt(self) -> None:
        """Record that a call starts (its first attempt)."""
        now = self._clock()
        self._forget_old(now)
        self._first_attempts.append(now)

    def available(self) -> int:
        """How many retries the budget would allow now."""
        self._forget_old(self._clock())
        allowed = self.floor + math.floor(self.ratio * len(self._first_attempts))
        return max(0, allowed - len(self._retries))

    def try_retry(self) -> bool:
        """Spend one retry if the budget allows it; False means give up now."""
        if self.available() <= 0:
            return False
        self._retries.append(self._clock())
        return True

    def __repr__(self) -> str:
        return (
            f"RetryBudget(ratio={self.ratio}, floor={self.floor}, window={self.window}, "
            f"available={self.available()})"
        )
