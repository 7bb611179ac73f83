"""Helpers shared by test directories (``from tests.support import ...``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

from benchmarks._common import free_port
from lucidgreen.testing import Collection, FakeLucidGreen

__all__ = [
    "FakeClock",
    "all_closed",
    "case_in_reach",
    "collect",
    "drain_until_error",
    "eventually",
    "free_port",
    "max_in_window",
    "run_ready",
    "sustained_share",
    "uuids",
]

T = TypeVar("T")


class Closable(Protocol):
    async def aclose(self) -> None: ...


C = TypeVar("C", bound=Closable)


def sustained_share(times: Sequence[float], limit: int, per: float) -> float:
    """The rate between the first and last event, as a share of ``limit / per``.

    ``(n - 1) / (t_last - t_first)``: n events delimit n - 1 intervals, so an evenly paced
    run at exactly the allowed rate scores 1.0 whatever its length.
    """
    ordered = sorted(times)
    rate = (len(ordered) - 1) / (ordered[-1] - ordered[0])
    return rate * per / limit


def max_in_window(times: Sequence[float], window: float) -> int:
    """The most requests in any half-open window ``(t - window, t]``, as DRF counts them."""
    ordered = sorted(times)
    most = 0
    first = 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - window:
            first += 1
        most = max(most, last - first + 1)
    return most


class FakeClock:
    """A monotonic clock that moves only when a sleep (or the test) moves it: pass it as
    ``clock=`` and its :meth:`sleep` as ``sleep=`` (``TokenBucket``, ``FakeLucidGreen``).
    Set :attr:`gate` to an ``asyncio.Event`` and every sleep blocks until the test sets it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.gate: asyncio.Event | None = None

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.gate is not None:
            await self.gate.wait()
        self.now += seconds
        await asyncio.sleep(0)  # a real sleep yields: let the other tasks run


async def run_ready() -> None:
    """Let every ready task run until it blocks."""
    for _ in range(20):
        await asyncio.sleep(0)


async def eventually(condition: Callable[[], bool], *, within: float = 10.0) -> None:
    """Return once ``condition()`` holds, letting other tasks and callbacks run meanwhile;
    fail if it has not held ``within`` seconds (a guard against a hang, not a timing)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{condition!r} still false after {within} s")
        await asyncio.sleep(0.001)  # a short real pause, so I/O callbacks get their turn


async def collect(items: AsyncIterable[T]) -> list[T]:
    """Everything ``items`` yields, in order."""
    return [item async for item in items]


async def drain_until_error(iterable: AsyncIterable[T]) -> tuple[list[T], Exception | None]:
    """The items yielded before iteration raised, and what it raised (None: it finished)."""
    got: list[T] = []
    try:
        async for item in iterable:
            got.append(item)  # noqa: PERF401 - the items before the error are the point
    except Exception as exc:
        return got, exc
    return got, None


def uuids(items: list[Any]) -> list[str]:
    """The ``uuid`` of each item, in order."""
    return [item.uuid for item in items]


@asynccontextmanager
async def all_closed(build: Callable[..., C]) -> AsyncIterator[Callable[..., C]]:
    """``build`` wrapped so that everything it made is closed (``aclose()``) when the block
    ends: a fixture's factory of clients or limiters."""
    made: list[C] = []

    def make(*args: Any, **kwargs: Any) -> C:
        made.append(built := build(*args, **kwargs))
        return built

    try:
        yield make
    finally:
        for built in made:
            await built.aclose()


def case_in_reach(fake: FakeLucidGreen) -> tuple[Collection, str]:
    """A case of this dispensary's reach with items, and its first packaged product."""
    case = next(
        c
        for c in fake.state.cases.values()
        if c.uuid not in fake.state.cases_scanned_elsewhere and c.current_ids()
    )
    return case, fake.state.items[case.current_ids()[0]].packaged_product_uuid
