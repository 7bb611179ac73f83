"""Opt-in prefetch: same items in the same order, real concurrency, bounded window, clean close."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest

import lucidgreen
from lucidgreen import SourceClient
from lucidgreen.testing import FakeLucidGreen
from tests.pager.helpers import (
    N_PAGES,
    PAGE_SIZE,
    PRODUCTS,
    MakeClient,
    acquired_connections,
    list_requests,
    page_numbers,
)
from tests.support import collect, eventually, uuids

_SDK = Path(lucidgreen.__file__).parent
_FAKE = _SDK / "testing"


def _client_tasks() -> set[asyncio.Task[object]]:
    """Pending tasks running SDK code (not the fake's server tasks, not the test itself)."""
    found: set[asyncio.Task[object]] = set()
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        where = Path(code.co_filename) if code is not None else None
        if (
            not task.done()
            and where is not None
            and where.is_relative_to(_SDK)
            and not where.is_relative_to(_FAKE)
        ):
            found.add(task)
    return found


@pytest.mark.parametrize("prefetch", [1, 2, 4, 8, 40])
async def test_prefetch_yields_the_same_pages_in_the_same_order(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient, prefetch: int
) -> None:
    """Pages (items and cursors) come out exactly as sequentially, each page fetched once."""
    sequential = await collect(make_client().products.list().pages())
    lucidgreen_fake.requests.clear()

    prefetched = await collect(make_client().products.list(prefetch=prefetch).pages())
    assert [uuids(list(p.items)) for p in prefetched] == [uuids(list(p.items)) for p in sequential]
    assert [p.cursor for p in prefetched] == [p.cursor for p in sequential]
    assert [p.next_url for p in prefetched] == [p.next_url for p in sequential]
    assert sorted(page_numbers(lucidgreen_fake)) == list(range(1, N_PAGES + 1))


async def test_prefetch_runs_pages_concurrently_within_its_bound(
    lucidgreen_fake: FakeLucidGreen,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With 50 ms per page, prefetch=4 overlaps 2..4 requests server-side and is much faster."""
    in_flight = 0
    peak = 0
    real_sleep = lucidgreen_fake._sleep

    async def counting_sleep(seconds: float) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await real_sleep(seconds)
        finally:
            in_flight -= 1

    monkeypatch.setattr(lucidgreen_fake, "_sleep", counting_sleep)
    lucidgreen_fake.faults.path_latency[PRODUCTS] = 0.05

    started = time.perf_counter()
    sequential = await collect(make_client().products.list())
    sequential_seconds = time.perf_counter() - started
    sequential_peak, peak = peak, 0

    started = time.perf_counter()
    prefetched = await collect(make_client().products.list(prefetch=4))
    prefetch_seconds = time.perf_counter() - started

    assert uuids(prefetched) == uuids(sequential)
    assert sequential_peak == 1
    assert 1 < peak <= 4
    # Ideal is ~0.33x (1 + 14/4 page times against 15); loose for a noisy machine.
    assert prefetch_seconds < 0.75 * sequential_seconds


@pytest.mark.parametrize("prefetch", [1, 3, 5])
async def test_a_slow_consumer_never_has_more_than_prefetch_pages_outstanding(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient, prefetch: int
) -> None:
    """Pages requested but not yet consumed never exceed ``prefetch``, however slow the reader."""
    outstanding: list[int] = []
    consumed = 0

    def window_full() -> bool:
        return len(list_requests(lucidgreen_fake)) >= min(N_PAGES, consumed + prefetch)

    async for page in source.products.list(prefetch=prefetch).pages():
        # Holding this page: give the window every chance to run ahead of the reader.
        if consumed:
            await eventually(window_full)
        await asyncio.sleep(0.01)
        outstanding.append(len(list_requests(lucidgreen_fake)) - consumed)
        assert len(page.items) in (PAGE_SIZE, 2)
        consumed += 1
    assert max(outstanding) == prefetch  # the window did fill up...
    assert all(n <= prefetch for n in outstanding)  # ...and never beyond its bound
    assert len(list_requests(lucidgreen_fake)) == N_PAGES


@pytest.mark.parametrize(
    ("prefetch", "limit", "pages_needed"),
    [(4, 8, 2), (4, 30, 5), (8, 30, 5), (4, 99, 15), (8, 0, 0)],
)
async def test_prefetch_with_a_limit_plans_only_the_needed_pages(
    lucidgreen_fake: FakeLucidGreen,
    source: SourceClient,
    prefetch: int,
    limit: int,
    pages_needed: int,
) -> None:
    """Under ``limit`` the prefetch plan stops at the page holding the last wanted item."""
    items = await collect(source.products.list(prefetch=prefetch, limit=limit))
    assert uuids(items) == list(lucidgreen_fake.state.products)[:limit]
    assert sorted(page_numbers(lucidgreen_fake)) == list(range(1, pages_needed + 1))


async def test_prefetch_after_a_resume_yields_the_remainder_once(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient
) -> None:
    """A resumed pager with prefetch yields exactly what follows the cursor, each page once."""
    pages = await collect(make_client().products.list(limit=3 * PAGE_SIZE + 2).pages())
    lucidgreen_fake.requests.clear()
    rest = await collect(make_client().products.list(prefetch=4, resume_from=pages[-1].cursor))
    assert uuids(rest) == list(lucidgreen_fake.state.products)[3 * PAGE_SIZE + 2 :]
    assert sorted(page_numbers(lucidgreen_fake)) == list(range(4, N_PAGES + 1))


@pytest.mark.parametrize("view", ["items", "pages"])
async def test_closing_a_prefetching_iterator_cancels_its_requests_at_once(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient, view: str
) -> None:
    """``aclosing`` exit after an early break leaves no SDK task pending and no connection out."""
    lucidgreen_fake.faults.path_latency[PRODUCTS] = 0.1
    pager = source.products.list(prefetch=4)
    iterator = pager.__aiter__() if view == "items" else pager.pages()
    stop_at = 2 * PAGE_SIZE + 1 if view == "items" else 3  # inside page 3
    seen = 0
    async with contextlib.aclosing(iterator) as walk:
        async for _ in walk:
            seen += 1
            if seen == stop_at:
                # Page 6 was planned when page 2 was done with: let it reach the server.
                await eventually(lambda: len(list_requests(lucidgreen_fake)) == 6)
                assert _client_tasks()
                assert acquired_connections(source) > 0
                break
    assert _client_tasks() == set()
    assert acquired_connections(source) == 0
    await asyncio.sleep(0)
    assert _client_tasks() == set()
    assert max(page_numbers(lucidgreen_fake)) == 6


async def test_negative_prefetch_is_refused(source: SourceClient) -> None:
    """``prefetch`` below zero is a ValueError when the pager is created."""
    with pytest.raises(ValueError, match="prefetch"):
        source.products.list(prefetch=-1)
