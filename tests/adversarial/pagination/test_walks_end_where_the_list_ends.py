# ruff: noqa: RUF059, SIM105, E501
"""A hostile list server cannot make a walk endless, silently wrong or different between
sequential and prefetching walks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import drf, paged, product, serve, source
from tests.support import collect, eventually


async def test_endless_empty_pages_are_bounded() -> None:
    """Empty pages linking on forever (cursor links, no count): DecodeError within 4 requests."""

    async def h(r: web.Request, n: int) -> web.Response:
        return drf([], next=f"/api/v1.5/products/?cursor=c{n}")

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await asyncio.wait_for(collect(c.products.list()), 10)
    assert len(log) <= 4


async def test_endless_single_item_cursor_chain_without_count_is_bounded() -> None:
    """Each page 1 item, fresh cursor link, no count: the walk ends in bounded requests
    (issue 12: every walk is bounded)."""

    async def h(r: web.Request, n: int) -> web.Response:
        return drf([product(n)], next=f"/api/v1.5/products/?cursor=c{n}")

    async with serve(h) as (url, log), source(url) as c:
        got = 0
        try:
            async for _ in c.products.list():
                got += 1
                if got > 3000:
                    break
        except lucidgreen.DecodeError:
            pass
    assert len(log) <= 3000


@pytest.mark.parametrize("count", ["1e309", "-1", '"5"', "true", "2.5", "1e18", "[]"])
@pytest.mark.parametrize("prefetch", [0, 4])
async def test_odd_count_is_decode_error_or_works(count: str, prefetch: int) -> None:
    """A count of inf/-1/"5"/true/2.5/1e18: items or DecodeError, never Overflow/TypeError."""

    async def h(r: web.Request, n: int) -> web.Response:
        nxt = f"/api/v1.5/products/?page={n + 1}" if n < 3 else "null"
        nxt = "null" if nxt == "null" else json.dumps(nxt)
        body = f'{{"count": {count}, "next": {nxt}, "previous": null, "results": [{json.dumps(product(n))}]}}'
        return web.Response(body=body, content_type="application/json")

    async with serve(h) as (url, log), source(url) as c:
        try:
            await asyncio.wait_for(collect(c.products.list(prefetch=prefetch)), 10)
        except lucidgreen.DecodeError:
            pass
    assert len(log) <= 8


@pytest.mark.parametrize(
    "nxt",
    [
        "5",
        "[]",
        "{}",
        "true",
        '"http://[::1/x"',
        '"?page=%C2%B2"',
        '"/api/v1.5/products/?page=\\u00b2"',
        '"/api/v1.5/products/?page=0"',
    ],
)
async def test_odd_next_is_decode_error(nxt: str) -> None:
    """next of a wrong type or malformed link: DecodeError, nothing else."""

    async def h(r: web.Request, n: int) -> web.Response:
        body = f'{{"count": 3, "next": {nxt}, "previous": null, "results": [{json.dumps(product(n))}]}}'
        return web.Response(body=body, content_type="application/json")

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await collect(c.products.list(prefetch=2))
    assert len(log) == 1


@pytest.mark.parametrize("results", ['{"a": 1}', '"x"', "[1, 2]", "[null]", "null"])
async def test_odd_results_is_decode_error(results: str) -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(
            body=f'{{"count": 1, "next": null, "results": {results}}}',
            content_type="application/json",
        )

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await collect(c.products.list())


@pytest.mark.parametrize(("total", "reported"), [(12, 2), (12, 4), (6, 20), (6, 7), (9, 1)])
async def test_prefetch_yields_what_sequential_yields(total: int, reported: int) -> None:
    """Stale counts (low or high): prefetch=4 yields exactly what a sequential walk yields."""
    async with serve(paged(total, reported)) as (url, log), source(url) as c:
        try:
            seq = [p.name for p in await collect(c.products.list())]
        except lucidgreen.DecodeError as exc:
            seq = [f"error {type(exc).__name__}"]
        try:
            pre = [p.name for p in await collect(c.products.list(prefetch=4))]
        except lucidgreen.LucidGreenError as exc:
            pre = [f"error {type(exc).__name__}"]
    assert pre == seq


async def test_prefetch_huge_count_makes_few_requests() -> None:
    """count=1e9, next null after page 3: a prefetch walk makes a handful of requests."""

    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        return drf(
            [product(page)],
            count=10**9,
            next=f"/api/v1.5/products/?page={page + 1}" if page < 3 else None,
        )

    async with serve(h) as (url, log), source(url) as c:
        items = await asyncio.wait_for(collect(c.products.list(prefetch=8)), 10)
    assert len(items) == 3
    assert len(log) <= 3 * 9


async def test_same_cursor_link_repeating_is_a_loop() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return drf([product(n)], next="/api/v1.5/products/?cursor=same")

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await asyncio.wait_for(collect(c.products.list()), 5)
    assert len(log) <= 3


async def test_prefetch_link_jump_matches_sequential() -> None:
    """Links jump 1 -> 3 -> 4 (page 2 skipped) with count 8, size 2: prefetch yields what
    sequential yields."""

    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        nxt = {1: 3, 3: 4}.get(page)
        return drf(
            [product(page * 10), product(page * 10 + 1)],
            count=8,
            next=f"/api/v1.5/products/?page={nxt}" if nxt else None,
        )

    async with serve(h) as (url, log), source(url) as c:
        seq = [p.name for p in await collect(c.products.list())]
        pre = [p.name for p in await collect(c.products.list(prefetch=4))]
    assert pre == seq


async def test_break_out_of_prefetch_leaves_no_task() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        await asyncio.sleep(0.05 * (page % 3))
        return drf([product(page)], count=100, next=f"/api/v1.5/products/?page={page + 1}")

    async with serve(h) as (url, log), source(url) as c:

        def sdk_tasks() -> list[asyncio.Task[Any]]:
            return [
                t
                for t in asyncio.all_tasks()
                if not t.done()
                and "web_protocol" not in repr(t)
                and t is not asyncio.current_task()
            ]

        before = len(sdk_tasks())
        async for _ in c.products.list(prefetch=8):
            break
        # The loop's async-generator finaliser closes the walk soon, not at once.
        await eventually(lambda: len(sdk_tasks()) <= before)
