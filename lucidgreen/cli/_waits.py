"""Say what a command waits for: retries, 429 pauses and the rate-limit budget.

A command that sits silent for half a minute looks dead. :class:`WaitReporter` turns the
client's hooks into a line such as ``HTTP 503, retry 3 of 5 in 4 s``: in the progress line
when there is one, else as a status line on stderr. Waits shorter than :data:`MOMENT`
seconds are not worth a line.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from .._events import Hooks, RequestSent, RetryScheduled
from ..ratelimit import Permit, RateLimiter
from ._progress import Progress

__all__ = ["MOMENT", "TICK", "AnnouncingLimiter", "WaitReporter", "describe_retry"]

#: Seconds of waiting that deserve a word.
MOMENT = 0.5
#: Seconds between updates of a long rate-limit wait: in the progress line, and (sparser,
#: since each is a line of its own) on stderr.
TICK = 1.0
TICK_WITHOUT_PROGRESS = 10.0


def _seconds(delay: float) -> str:
    return f"{delay:.0f} s" if delay >= 10 else f"{delay:.1f}".rstrip("0").rstrip(".") + " s"


def describe_retry(event: RetryScheduled, max_retries: int) -> str:
    """``"HTTP 503, retry 3 of 5 in 4 s"`` (or ``"network failure, ..."`` with no answer)."""
    cause = "network failure" if event.status is None else f"HTTP {event.status}"
    if event.status == 429:
        cause += " (rate limited)"
    return f"{cause}, retry {event.retry_number} of {max_retries} in {_seconds(event.delay)}"


class WaitReporter:
    """Shows waits in ``progress`` (or on ``stream`` when progress is off)."""

    def __init__(
        self, progress: Progress | None, max_retries: int, *, stream: TextIO | None = None
    ) -> None:
        self._progress = progress if progress is not None and progress.enabled else None
        self._max_retries = max_retries
        self._stream = stream
        self._showing = False

    def hooks(self) -> Hooks:
        return Hooks(on_request=self._on_request, on_retry=self._on_retry)

    def show(self, text: str) -> None:
        """Say ``text`` now (the wait is starting)."""
        self._showing = True
        if self._progress is not None:
            self._progress.notice(f"| {text}")
        else:
            stream = self._stream or sys.stderr
            stream.write(f"lucidgreen: {text}\n")
            stream.flush()

    @property
    def tick(self) -> float:
        """How often a long wait is worth saying again."""
        return TICK if self._progress is not None else TICK_WITHOUT_PROGRESS

    def clear(self) -> None:
        """The wait is over: the progress line drops its notice."""
        if self._showing and self._progress is not None:
            self._progress.set_status("")
        self._showing = False

    def _on_request(self, event: RequestSent) -> None:
        del event
        self.clear()

    def _on_retry(self, event: RetryScheduled) -> None:
        if event.delay >= MOMENT:
            self.show(describe_retry(event, self._max_retries))


class AnnouncingLimiter:
    """A :class:`RateLimiter` that reports an ``acquire`` still waiting after a moment."""

    def __init__(self, inner: RateLimiter, reporter: WaitReporter, what: str) -> None:
        self._inner = inner
        self._reporter = reporter
        self._what = what

    @property
    def inner(self) -> RateLimiter:
        """The limiter whose waits this one announces."""
        return self._inner

    async def acquire(self, *, hold: float | None = None, max_wait: float | None = None) -> Permit:
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting = f"waiting for the rate limit ({self._what})"
        timer: asyncio.TimerHandle | None = None

        def announce(first: bool) -> None:
            # The budget gives no end time (another process may hold it), so say how long
            # the wait has lasted, again every tick.
            nonlocal timer
            so_far = "" if first else f", {_seconds(loop.time() - started)} so far"
            self._reporter.show(waiting + so_far)
            timer = loop.call_later(self._reporter.tick, announce, False)

        timer = loop.call_later(MOMENT, announce, True)
        try:
            return await self._inner.acquire(hold=hold, max_wait=max_wait)
        finally:
            if timer is not None:
                timer.cancel()

    async def pause(self, seconds: float) -> None:
        await self._inner.pause(seconds)

    async def aclose(self) -> None:
        await self._inner.aclose()
