"""Server-side rate limiting, the way Django REST Framework's ``SimpleRateThrottle`` does it.

DRF keeps, per key, the timestamps of the requests it let through in the last ``window``
seconds. A request is refused when that list already holds ``limit`` entries; refused
requests are not added. The advertised wait is the time until the oldest entry leaves the
window, divided by the requests that would then be available, rounded up (``math.ceil``),
and it goes both into ``Retry-After`` and into the ``detail`` message.

``arrival_jitter`` models what sits in front of the throttle (a load balancer queue, a slow
path, a new TLS connection): each request waits a random 0 to ``arrival_jitter`` seconds
*before* the throttle counts it, so requests reach the window in another order than they
left the client, and bunch tighter than they were sent.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable

import attrs

from ... import _limits

__all__ = ["RateLimit", "Throttle", "throttle_detail"]


@attrs.frozen
class RateLimit:
    """``limit`` requests per sliding ``window`` seconds (``window`` may be compressed, 1.5)."""

    limit: int
    window: float = 60.0

    def __attrs_post_init__(self) -> None:
        if self.limit < 0 or self.window <= 0:
            raise ValueError("RateLimit needs limit >= 0 and window > 0")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"60/60"`` (requests/seconds), ``"60/min"``, ``"1000/m"``, ``"10/1.5"``."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*([\d.]+|s|sec|second|m|min|minute)\s*", text)
        if match is None:
            raise ValueError(f"not a rate: {text!r} (expected e.g. '60/60' or '60/min')")
        unit = match.group(2)
        seconds = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0}
        window = seconds[unit] if unit in seconds else float(unit)
        return cls(int(match.group(1)), window)


def throttle_detail(wait: int | None) -> str:
    """DRF's ``Throttled`` message, singular for one second as DRF words it."""
    if wait is None:
        return "Request was throttled."
    unit = "second" if wait == 1 else "seconds"
    return f"Request was throttled. Expected available in {wait} {unit}."


@attrs.define
class Throttle:
    """Per-credential sliding windows: Source per client, Retail per client, public per IP.

    Knobs are plain attributes, settable at run time. ``None`` for a scope, or
    ``enabled = False``, lets everything through (and records nothing). ``arrival_jitter``
    delays requests before they are counted (see the module docstring); ``rng`` draws it.
    """

    clock: Callable[[], float]
    source: RateLimit | None = RateLimit(_limits.SOURCE_LIMIT, _limits.WINDOW)
    retail: RateLimit | None = RateLimit(_limits.RETAIL_LIMIT, _limits.WINDOW)
    public: RateLimit | None = RateLimit(_limits.PUBLIC_LOOKUP_LIMIT, _limits.WINDOW)
    enabled: bool = True
    #: Each API request waits a uniform random 0 to this many seconds before it is counted.
    arrival_jitter: float = 0.0
    rng: random.Random = attrs.field(factory=random.Random)
    _history: dict[str, deque[float]] = attrs.field(factory=dict, init=False)

    def arrival_delay(self) -> float:
        """Seconds the next request waits before it reaches the throttle."""
        jitter = self.arrival_jitter
        return self.rng.uniform(0.0, jitter) if jitter > 0 else 0.0

    def limit_for(self, scope: str) -> RateLimit | None:
        """The rate limit that applies to a request of ``scope``."""
        return {"source": self.source, "retail": self.retail, "public": self.public}[scope]

    def check(self, scope: str, ident: str) -> tuple[bool, int | None]:
        """``(allowed, wait)``; an allowed request is recorded in its window.

        ``wait`` is the ceiled Retry-After of a refusal, or None when DRF would send none
        (the limit was lowered below the requests already in the window).
        """
        rate = self.limit_for(scope)
        if not self.enabled or rate is None:
            return True, None
        now = self.clock()
        history = self._history.setdefault(f"{scope}:{ident}", deque())
        while history and history[-1] <= now - rate.window:
            history.pop()
        if len(history) >= rate.limit:
            remaining = rate.window - (now - history[-1]) if history else rate.window
            available = rate.limit - len(history) + 1
            if available <= 0:
                return False, None
            return False, math.ceil(remaining / available)
        history.appendleft(now)
        return True, None

    def used(self, scope: str, ident: str) -> int:
        """Requests of ``ident`` counted in the current window of ``scope``."""
        rate = self.limit_for(scope)
        history = self._history.get(f"{scope}:{ident}", deque())
        if rate is None:
            return len(history)
        now = self.clock()
        return sum(1 for stamp in history if stamp > now - rate.window)

    def reset(self) -> None:
        """Forget every window (the next requests start from an empty budget)."""
        self._history.clear()
