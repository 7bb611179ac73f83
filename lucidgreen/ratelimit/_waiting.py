"""How a waiter of either limiter waits: the checks on ``hold`` and pause seconds, the queue
with its deadline, the head's nap, and the error a hopeless wait ends with."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

from lucidgreen.errors import DeadlineExceeded

from ._turn import FifoTurn, Shed, wake

__all__ = [
    "Clock",
    "Sleep",
    "check_hold",
    "check_pause_seconds",
    "deadline_exceeded",
    "nap",
    "queue_up",
]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


def check_pause_seconds(seconds: float) -> float:
    """``seconds`` as a float, refusing NaN and infinity (a pause must end)."""
    seconds = float(seconds)
    if not math.isfinite(seconds):
        raise ValueError(f"pause needs a finite number of seconds, not {seconds!r}")
    return seconds


def check_hold(hold: float | None) -> float | None:
    """``hold`` as a float (None stays None), refusing NaN and negative values."""
    if hold is None:
        return None
    hold = float(hold)
    if not hold >= 0:
        raise ValueError(f"hold must be a number of seconds >= 0 or None, not {hold!r}")
    return hold


def deadline_exceeded(
    owner: object, max_wait: float, retry_after: float | None = None
) -> DeadlineExceeded:
    expected = "" if retry_after is None else f" (budget expected in {retry_after:.3g} s)"
    return DeadlineExceeded(
        f"no permit from {owner!r} within max_wait={max_wait:g} s{expected}; nothing was sent",
        request_sent=False,
        retry_after=retry_after,
    )


async def queue_up(
    turn: FifoTurn, owner: object, max_wait: float | None, least_wait: Callable[[int], float]
) -> bool:
    """Wait for ``turn`` (True if another task held it); shed at once when this place in the
    queue makes ``max_wait`` impossible, and leave when it passes or a pause dooms it.

    ``least_wait(ahead)``: the shortest wait the owner's budget allows a waiter with
    ``ahead`` tasks in front of it.
    """
    if max_wait is not None:
        expected = least_wait(turn.waiting)
        if expected > max_wait:
            raise deadline_exceeded(owner, max_wait, expected)
    try:
        return await turn.enter(max_wait)
    except Shed as shed:
        raise deadline_exceeded(owner, max_wait or 0.0, shed.retry_after) from None
    except TimeoutError:
        raise deadline_exceeded(owner, max_wait or 0.0, least_wait(turn.waiting)) from None


async def nap(woken: asyncio.Future[None], seconds: float, sleep: Sleep | None) -> None:
    """Wait until ``woken`` is set or ``seconds`` pass (never, if infinite): on one event-loop
    timer, or on the injected ``sleep`` (a fake clock)."""
    loop = asyncio.get_running_loop()
    timer: asyncio.TimerHandle | None = None
    sleeper: asyncio.Future[object] | None = None
    if math.isfinite(seconds):
        if sleep is None:
            timer = loop.call_later(seconds, wake, woken)
        else:
            sleeper = asyncio.ensure_future(sleep(seconds))
            sleeper.add_done_callback(lambda _: wake(woken))
    try:
        await woken
    finally:
        if timer is not None:
            timer.cancel()
        if sleeper is not None:
            sleeper.cancel()
