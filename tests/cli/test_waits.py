"""What the command says while it waits: pure formatting, the reporter, the limiter wrapper."""

from __future__ import annotations

import asyncio
import io

import pytest

import lucidgreen.cli._waits as waits
from lucidgreen._events import RequestSent, RetryScheduled
from lucidgreen.cli._progress import Progress
from lucidgreen.cli._waits import AnnouncingLimiter, WaitReporter, describe_retry
from lucidgreen.ratelimit import Permit, Unlimited


def retry(status: int | None, number: int = 3, delay: float = 4.0) -> RetryScheduled:
    reason = "connection refused" if status is None else f"HTTP {status}"
    return RetryScheduled("source", "GET", "https://x/", number, delay, reason, status=status)


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (retry(503), "HTTP 503, retry 3 of 5 in 4 s"),
        (retry(429, 1, 30.0), "HTTP 429 (rate limited), retry 1 of 5 in 30 s"),
        (retry(None, 2, 0.75), "network failure, retry 2 of 5 in 0.8 s"),
        (retry(500, 5, 12.4), "HTTP 500, retry 5 of 5 in 12 s"),
    ],
)
def test_a_retry_says_its_cause_its_number_and_its_delay(event, text):
    """The cause comes from the event's status (never its reason text)."""
    assert describe_retry(event, 5) == text


def test_without_progress_each_wait_is_one_status_line():
    """No progress line: a status line per wait worth a word; short ones stay silent."""
    stream = io.StringIO()
    reporter = WaitReporter(None, 5, stream=stream)
    hooks = reporter.hooks()
    assert hooks.on_retry is not None
    hooks.on_retry(retry(503, 1, 1.0))
    hooks.on_retry(retry(503, 2, waits.MOMENT / 2))
    assert stream.getvalue() == "lucidgreen: HTTP 503, retry 1 of 5 in 1 s\n"


def test_with_progress_the_wait_is_drawn_at_once_and_cleared_by_the_next_request():
    """The notice shows in the progress line now (not at the next redraw), then goes."""
    stream = io.StringIO()
    progress = Progress("export", stream=stream, tty=False, interval=3600, clock=lambda: 0.0)
    reporter = WaitReporter(progress, 5)
    hooks = reporter.hooks()
    assert hooks.on_retry is not None
    assert hooks.on_request is not None
    hooks.on_retry(retry(503))
    assert stream.getvalue() == "export 0 0:00 0.0/s | HTTP 503, retry 3 of 5 in 4 s\n"
    hooks.on_request(RequestSent("source", "GET", "https://x/", 200, 0.1, 2))
    assert progress.status == ""


class _SlowLimiter:
    """Grants an ``Unlimited`` permit once ``release`` is set, remembering what it granted."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.closed = False
        self.granted: list[Permit] = []

    async def acquire(self, *, hold: float | None = None, max_wait: float | None = None) -> Permit:
        await self.release.wait()
        permit = await Unlimited().acquire(hold=hold, max_wait=max_wait)
        self.granted.append(permit)
        return permit

    async def pause(self, seconds: float) -> None:
        del seconds

    async def aclose(self) -> None:
        self.closed = True


async def test_a_long_limiter_wait_is_announced_while_it_lasts(monkeypatch):
    """An acquire still waiting after a moment says so; a quick one says nothing."""
    monkeypatch.setattr(waits, "MOMENT", 0.0)
    stream = io.StringIO()
    inner = _SlowLimiter()
    limiter = AnnouncingLimiter(inner, WaitReporter(None, 5, stream=stream), "60 per 60 s")
    task = asyncio.create_task(limiter.acquire())
    for _ in range(100):  # a few loop turns: the timer is due at once
        if stream.getvalue():
            break
        await asyncio.sleep(0)
    assert stream.getvalue() == "lucidgreen: waiting for the rate limit (60 per 60 s)\n"
    inner.release.set()
    assert await task is inner.granted[0]
    await limiter.aclose()
    assert inner.closed


async def test_a_quick_limiter_acquire_says_nothing(monkeypatch):
    """The announcement is cancelled when the budget comes first, even with no moment at all."""
    monkeypatch.setattr(waits, "MOMENT", 0.0)
    stream = io.StringIO()
    inner = _SlowLimiter()
    inner.release.set()
    limiter = AnnouncingLimiter(inner, WaitReporter(None, 5, stream=stream), "60 per 60 s")
    assert await limiter.acquire() is inner.granted[0]
    await asyncio.sleep(0)  # a timer that was not cancelled would have had its turn
    assert stream.getvalue() == ""


async def test_a_long_limiter_wait_says_how_long_it_has_lasted(monkeypatch):
    """Each tick of a wait that goes on repeats the notice with the seconds waited so far."""
    monkeypatch.setattr(waits, "MOMENT", 0.0)
    monkeypatch.setattr(waits, "TICK_WITHOUT_PROGRESS", 0.05)
    three_lines = asyncio.Event()

    class Lines(io.StringIO):
        def write(self, text: str) -> int:
            written = super().write(text)
            if self.getvalue().count("\n") >= 3:
                three_lines.set()
            return written

    stream = Lines()
    inner = _SlowLimiter()
    limiter = AnnouncingLimiter(inner, WaitReporter(None, 5, stream=stream), "60 per 60 s")
    task = asyncio.create_task(limiter.acquire())
    async with asyncio.timeout(5):
        await three_lines.wait()
    inner.release.set()
    await task
    first, second, *_ = stream.getvalue().splitlines()
    assert first == "lucidgreen: waiting for the rate limit (60 per 60 s)"
    assert second.startswith("lucidgreen: waiting for the rate limit (60 per 60 s), ")
    assert second.endswith(" s so far")
    lines = stream.getvalue().count("\n")
    await asyncio.sleep(0.15)
    assert stream.getvalue().count("\n") == lines  # the notice stops with the wait
