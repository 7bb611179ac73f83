"""Hostile and buggy list servers against the pager, each written for one attack.

Every server here is a small ``aiohttp.web`` app on loopback that answers list pages from a
script and records every request it receives (path, query, Authorization). Each test states
what the server does and what the SDK must do, and counts the requests the server saw.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import RetailClient, SourceClient, TokenBucket
from lucidgreen._pager import MAX_EMPTY_PAGES
from lucidgreen.errors import DecodeError
from tests.adversarial.support import running

PRODUCTS = "/api/v1.5/products/"
TOKEN = "hostile-test-bearer-token"
DISPENSARY = "UNDTMBovdue9tFWfhamnDM"
_SDK = Path(lucidgreen.__file__).parent

#: What a script answers for one request: (status, JSON body).
Answer = tuple[int, Any]


@attrs.define
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, str]
    raw: str
    authorization: str | None


@attrs.define
class ListServer:
    """A loopback server answering every path from ``answer(path, query)``."""

    answer: Callable[[str, dict[str, str]], Answer]
    seen: list[Seen] = attrs.field(factory=list)
    url: str = ""
    hold_from_page: int | None = None
    release: asyncio.Event = attrs.field(factory=asyncio.Event)
    holding: asyncio.Event = attrs.field(factory=asyncio.Event)  # set once a page is held

    async def handle(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.seen.append(
            Seen(request.path, query, request.raw_path, request.headers.get("Authorization"))
        )
        if self.hold_from_page is not None and int(query.get("page", "1")) >= self.hold_from_page:
            self.holding.set()
            await self.release.wait()  # a page that never comes while the test runs
        status, body = self.answer(request.path, query)
        return web.json_response(body, status=status)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]


@contextlib.asynccontextmanager
async def serving(
    answer: Callable[[str, dict[str, str]], Answer], *, hold_from_page: int | None = None
) -> AsyncIterator[ListServer]:
    server = ListServer(answer, hold_from_page=hold_from_page)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    async with running(app) as url:
        server.url = url
        try:
            yield server
        finally:
            server.release.set()  # a held page answers, so the server can stop


class Late:
    """An answer set after the server started (scripts need its URL for their links)."""

    def __init__(self) -> None:
        self.answer: Callable[[str, dict[str, str]], Answer] | None = None

    def __call__(self, path: str, query: dict[str, str]) -> Answer:
        assert self.answer is not None
        return self.answer(path, query)


def _bucket() -> TokenBucket:
    return TokenBucket(limit=1_000_000, per=1.0, burst=100_000)


@contextlib.asynccontextmanager
async def source_on(server: ListServer) -> AsyncIterator[SourceClient]:
    async with SourceClient(token=TOKEN, base_url=server.url, rate_limiter=_bucket()) as client:
        yield client


def page_body(
    server: ListServer, number: int, *, count: int | None, items: list[Any], next_link: str | None
) -> dict[str, Any]:
    return {
        "count": count,
        "next": next_link,
        "previous": None if number == 1 else f"{server.url}{PRODUCTS}?page={number - 1}",
        "results": items,
    }


def product(name: str) -> dict[str, Any]:
    return {"uuid": name, "name": name, "sku": name, "product_type": "FLOWER"}


def number_of(query: dict[str, str]) -> int:
    return int(query.get("page", "1"))


async def walk(client: SourceClient, **options: Any) -> tuple[list[str], Exception | None]:
    """The uuids a products walk yields before it ends, and what it raised (None: finished)."""
    got: list[str] = []
    try:
        async for item in client.products.list(**options):
            got.append(item.uuid)  # noqa: PERF401 - the items before an error are the point
    except Exception as exc:
        return got, exc
    return got, None


# -- 1. prefetch yields what a sequential walk yields -------------------------------------


PAGE = 5


def growing(server: ListServer) -> Callable[[str, dict[str, str]], Answer]:
    """A list that has grown by 2 items each time a later page is served: page p sees 10+2p."""

    def answer(path: str, query: dict[str, str]) -> Answer:
        p = number_of(query)
        total = 10 + 2 * p
        if (p - 1) * PAGE >= total:
            return 404, {"detail": "Invalid page."}
        items = [product(f"item-{i}") for i in range((p - 1) * PAGE, min(p * PAGE, total))]
        more = p * PAGE < total
        link = f"{server.url}{PRODUCTS}?page={p + 1}" if more else None
        return 200, page_body(server, p, count=total, items=items, next_link=link)

    return answer


def shrinking(server: ListServer) -> Callable[[str, dict[str, str]], Answer]:
    """A list losing 5 items per page served: page p sees 30-5p, so page 3 is the last."""

    def answer(path: str, query: dict[str, str]) -> Answer:
        p = number_of(query)
        total = 30 - 5 * p
        if (p - 1) * PAGE >= total:
            return 404, {"detail": "Invalid page."}
        items = [product(f"item-{i}") for i in range((p - 1) * PAGE, min(p * PAGE, total))]
        link = f"{server.url}{PRODUCTS}?page={p + 1}" if p * PAGE < total else None
        return 200, page_body(server, p, count=total, items=items, next_link=link)

    return answer


@pytest.mark.parametrize("script", [growing, shrinking], ids=["growing", "shrinking"])
@pytest.mark.parametrize("prefetch", [1, 4, 8])
async def test_prefetch_yields_what_a_sequential_walk_yields_on_a_changing_list(
    script: Callable[[ListServer], Callable[[str, dict[str, str]], Answer]], prefetch: int
) -> None:
    """Growing: the last planned page's next is followed; shrinking: a 404 past the end of a
    page saying next: null is dropped. Either way prefetch yields what sequential yields."""
    late = Late()
    async with serving(late) as server:
        late.answer = script(server)
        async with source_on(server) as client:
            sequential, seq_error = await walk(client)
            assert seq_error is None
            sent_sequentially = len(server.seen)
            server.seen.clear()
            prefetched, error = await walk(client, prefetch=prefetch)
    assert error is None
    assert prefetched == sequential
    assert len(sequential) == (18 if script is growing else 15)
    # Fetching ahead costs at most `prefetch` requests per page followed.
    assert len(server.seen) <= sent_sequentially * (prefetch + 1)


@pytest.mark.parametrize("count", [10**6, 10**9])
async def test_next_null_ends_a_prefetch_walk_whatever_count_says(count: int) -> None:
    """A server claiming a huge count says next: null after page 5 (and answers empty pages
    beyond): the walk yields 25 items, plans nothing up front, and asks for only a window more.
    """

    def answer(path: str, query: dict[str, str]) -> Answer:
        p = number_of(query)
        if p > 5:
            endless = f"{server.url}{PRODUCTS}?page={p + 1}"
            return 200, page_body(server, p, count=count, items=[], next_link=endless)
        items = [product(f"item-{p}-{i}") for i in range(PAGE)]
        link = f"{server.url}{PRODUCTS}?page={p + 1}" if p < 5 else None
        return 200, page_body(server, p, count=count, items=items, next_link=link)

    async with serving(answer) as server, source_on(server) as client:
        got, error = await asyncio.wait_for(walk(client, prefetch=4), 30)
    assert error is None
    assert len(got) == 25
    # Pages 1-5 plus at most the 4 fetched ahead of page 5 (6-9), never the plan of `count`.
    assert len(server.seen) <= 5 + 4
    assert max(number_of(seen.query) for seen in server.seen) <= 9


# -- 2. every walk is bounded -------------------------------------------------------------


def endless(server: ListServer, *, count: int | None, size: int, numbered: bool) -> Any:
    """Pages of ``size`` items, each linking to another one, up to page 400."""

    def answer(path: str, query: dict[str, str]) -> Answer:
        p = int(query.get("page", query.get("cursor", "1")))
        key = "page" if numbered else "cursor"
        link = f"{server.url}{PRODUCTS}?{key}={p + 1}" if p < 400 else None
        items = [product(f"item-{p}-{i}") for i in range(size)]
        return 200, page_body(server, p, count=count, items=items, next_link=link)

    return answer


@pytest.mark.parametrize(
    ("count", "size", "numbered", "requests"),
    [
        (None, 0, True, MAX_EMPTY_PAGES),  # empty pages, no count: the empty run ends it
        (10**6, 0, True, MAX_EMPTY_PAGES),  # empty pages under a huge count
        (10, 5, True, 3),  # full pages past the count: page 4 would start at item 16 of 10
        (10, 5, False, 4),  # cursor links: 20 items received of a count of 10 (+5 slack)
        (0, 1, False, 2),
    ],
    ids=["empty-no-count", "empty-huge-count", "pages-past-count", "items-past-count", "zero"],
)
@pytest.mark.parametrize("prefetch", [0, 4])
async def test_an_endless_chain_ends_with_decode_error_after_a_few_requests(
    count: int | None, size: int, numbered: bool, requests: int, prefetch: int
) -> None:
    """Whatever `next` keeps saying, the walk stops with DecodeError at the documented bound."""
    late = Late()
    async with serving(late) as server:
        late.answer = endless(server, count=count, size=size, numbered=numbered)
        async with source_on(server) as client:
            got, error = await walk(client, prefetch=prefetch)
            followed = list(server.seen)
    assert isinstance(error, DecodeError)
    chain = sorted({int(s.query.get("page", s.query.get("cursor", "1"))) for s in followed})
    assert chain[:requests] == list(range(1, requests + 1))
    if prefetch == 0:
        assert len(followed) == requests
    else:
        assert len(followed) <= requests * (prefetch + 2)
    assert len(got) <= (count or 0) + size


# -- 3. links and cursors are judged after normalisation ----------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "{url}/api/v1.5/products/../batches/?page=2",
        "{url}/api/v1.5/products/../../o/token/",
        "{url}/api/v1.5/products/%2e%2E/batches/?page=2",
        "{url}/api/v1.5/products/%2E%2E/%2e%2e/o/token/?page=2",
        "{url}/api/v1.5/products/./../brands/?page=2",
        "{url}/api/v1.5/products\\..\\batches/?page=2",
        "{url}/api/v1.5//products/?page=2",
    ],
)
@pytest.mark.parametrize("prefetch", [0, 4])
async def test_a_next_link_resolving_off_the_list_is_refused_before_sending(
    link: str, prefetch: int
) -> None:
    """Dot segments, encoded dots, backslashes: DecodeError, and only page 1 was requested."""

    def answer(path: str, query: dict[str, str]) -> Answer:
        if path != PRODUCTS:
            return 200, {"count": 1, "next": None, "previous": None, "results": [product("x")]}
        items = [product(f"item-{i}") for i in range(PAGE)]
        return 200, page_body(
            server, 1, count=50, items=items, next_link=link.format(url=server.url)
        )

    async with serving(answer) as server, source_on(server) as client:
        got, error = await walk(client, prefetch=prefetch)
    assert isinstance(error, DecodeError)
    assert "leaves the list endpoint" in str(error)
    assert server.paths() == [PRODUCTS]
    assert len(got) == 0  # the page carrying the link is refused with it


def _cursor_text(payload: Any) -> str:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "next_path",
    [
        "/api/v1.5/products/../brands/",
        "/api/v1.5/products/%2e%2e/brands/",
        "/api/v1.5/products/../../o/token/",
        "/api/v1.5/products/./../batches/?page=2",
    ],
)
async def test_a_cursor_resolving_off_the_list_is_refused_with_zero_requests(
    next_path: str,
) -> None:
    """A tampered cursor naming another list through dot segments is a ValueError."""

    def answer(path: str, query: dict[str, str]) -> Answer:
        return 200, [{"uuid": "b", "name": "brand"}]

    cursor = _cursor_text({"v": 1, "e": PRODUCTS, "n": next_path, "c": 1, "y": 0, "s": 0})
    async with serving(answer) as server, source_on(server) as client:
        with pytest.raises(ValueError, match="cursor"):
            client.products.list(resume_from=cursor)
    assert server.seen == []


async def test_a_link_to_another_origin_never_carries_the_token() -> None:
    """Page 1 links to a second loopback server: it gets nothing; page 2 comes from home."""

    async with serving(lambda path, query: (200, {})) as other:

        def answer(path: str, query: dict[str, str]) -> Answer:
            p = number_of(query)
            link = f"{other.url}{PRODUCTS}?page=2" if p == 1 else None
            items = [product(f"item-{p}-{i}") for i in range(PAGE)]
            return 200, page_body(server, p, count=10, items=items, next_link=link)

        async with serving(answer) as server, source_on(server) as client:
            got, error = await walk(client, prefetch=2)
    assert error is None
    assert len(got) == 10
    assert other.seen == []
    assert [s.authorization for s in server.seen] == [f"Bearer {TOKEN}"] * 2


# -- 4. malformed cursors and links -------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "http://[::1/api/v1.5/products/?page=2",
        "{url}/api/v1.5/products/?page=²",
        "{url}/api/v1.5/products/?page=1e9999",
        "{url}/api/v1.5/products/?page=0",
        "{url}/api/v1.5/products/?page=-1",
        "{url}/api/v1.5/products/?page=2&page=9",
    ],
    ids=["ipv6", "superscript", "1e9999", "zero", "negative", "twice"],
)
async def test_a_malformed_next_link_is_a_decode_error(link: str) -> None:
    """Never a bare ValueError from urlsplit or int(): DecodeError, nothing more requested."""

    def answer(path: str, query: dict[str, str]) -> Answer:
        if query:
            return 200, page_body(server, 2, count=5, items=[], next_link=None)
        items = [product(f"item-{i}") for i in range(PAGE)]
        return 200, page_body(
            server, 1, count=50, items=items, next_link=link.format(url=server.url)
        )

    async with serving(answer) as server, source_on(server) as client:
        _, error = await walk(client)
    assert isinstance(error, DecodeError)
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor_text("[" * 50_000 + "]" * 50_000),
        _cursor_text({"v": 1, "e": PRODUCTS, "n": None, "c": 1, "y": True, "s": 0}),
        _cursor_text({"v": True, "e": PRODUCTS, "n": None, "c": 1, "y": 1, "s": 0}),
        _cursor_text({"v": 1, "e": [PRODUCTS], "n": None, "c": 1, "y": 1, "s": 0}),
        _cursor_text({"v": 1, "e": PRODUCTS, "n": 5, "c": 1, "y": 1, "s": 0}),
        _cursor_text({"v": 1, "e": PRODUCTS, "n": None, "c": 10**30, "y": 1, "s": 0}),
        _cursor_text({"v": 1, "e": PRODUCTS, "n": None, "c": "1", "y": 1, "s": 0}),
        _cursor_text("9" * 5000),
    ],
    ids=[
        "deep",
        "bool-yielded",
        "bool-version",
        "list-endpoint",
        "int-path",
        "huge",
        "str",
        "digits",
    ],
)
async def test_a_malformed_cursor_is_a_value_error_with_zero_requests(cursor: str) -> None:
    """Deep JSON, bools as ints, wrong types, huge ints: ValueError (never RecursionError)."""
    async with serving(lambda path, query: (200, [])) as server, source_on(server) as client:
        with pytest.raises(ValueError, match="cursor") as caught:
            client.products.list(resume_from=cursor)
    assert type(caught.value) is ValueError
    assert server.seen == []


# -- 5. identifiers -----------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["..", ".", ""])
async def test_dot_identifiers_are_refused_before_sending(identifier: str) -> None:
    """`collections.get("..")` would GET /api/v1.5/, `inventory_collection_delete(d, "..")`
    would DELETE …/inventory-pos/: both are ValueErrors and the server sees nothing."""
    async with serving(lambda path, query: (200, {"returnCode": 1000})) as server:
        async with source_on(server) as source:
            for call in (source.collections.get, source.collections.case):
                with pytest.raises(ValueError, match=r"identifier|path segment"):
                    await call(identifier)
        async with RetailClient(token=TOKEN, base_url=server.url, rate_limiter=_bucket()) as retail:
            with pytest.raises(ValueError, match="identifier"):
                await retail.operations.inventory_collection_delete(DISPENSARY, identifier)
            with pytest.raises(ValueError, match="identifier"):
                await retail.operations.collection_details(identifier)
            with pytest.raises(ValueError, match="request_id"):
                await retail.operations.package_uids_associations_fetch(identifier)
    assert server.seen == []


@pytest.mark.parametrize("path", ["../../o/token/", "collections/%2e%2e/", "./brands/", "a/../b/"])
async def test_a_raw_operation_path_may_not_climb_out_of_the_api(path: str) -> None:
    """`operations.request("GET", "../../o/token/")` is refused, not sent as a bearer GET."""
    async with (
        serving(lambda p, q: (200, {})) as server,
        RetailClient(token=TOKEN, base_url=server.url, rate_limiter=_bucket()) as retail,
    ):
        with pytest.raises(ValueError, match="segments"):
            await retail.operations.request("GET", path)
    assert server.seen == []


# -- 6. closable pagers -------------------------------------------------------------------


def _sdk_tasks() -> set[asyncio.Task[Any]]:
    """Pending tasks running SDK code (not the test server's, not the test itself)."""
    found: set[asyncio.Task[Any]] = set()
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if code is not None and not task.done() and Path(code.co_filename).is_relative_to(_SDK):
            found.add(task)
    return found


def slow_list(server: ListServer) -> Callable[[str, dict[str, str]], Answer]:
    def answer(path: str, query: dict[str, str]) -> Answer:
        p = number_of(query)
        items = [product(f"item-{p}-{i}") for i in range(PAGE)]
        link = f"{server.url}{PRODUCTS}?page={p + 1}" if p < 20 else None
        return 200, page_body(server, p, count=100, items=items, next_link=link)

    return answer


async def _close_inside_page_2(pager: Any, how: str) -> None:
    """Walk into page 2 (the window of 4 is then out: pages 3-5 held), then close."""

    async def until_page_2(items: AsyncIterator[Any]) -> None:
        seen = 0
        async for _ in items:
            seen += 1
            if seen == PAGE + 1:  # the first item of page 2
                assert _sdk_tasks()
                return

    if how == "aclosing-pages":
        async with contextlib.aclosing(pager.pages()) as pages:
            async for page in pages:
                if page.items[0].uuid == "item-2-0":
                    assert _sdk_tasks()
                    break
    elif how == "aclose":
        await until_page_2(pager.__aiter__())
        await pager.aclose()
    else:
        context = pager if how == "async-with" else contextlib.aclosing(pager)
        async with context:
            await until_page_2(pager)


@pytest.mark.parametrize("how", ["aclose", "async-with", "aclosing-pager", "aclosing-pages"])
async def test_closing_a_pager_cancels_its_prefetch_at_once(how: str) -> None:
    """Inside page 2, pages 3-5 are in flight on a server that never answers them: closing
    returns (it cancels them, it does not wait for them) and leaves no SDK task behind."""
    late = Late()
    async with serving(late, hold_from_page=3) as server:
        late.answer = slow_list(server)
        async with source_on(server) as client:
            pager = client.products.list(prefetch=4)
            # A guard against a hang, not a timing: the held pages never come back.
            await asyncio.wait_for(_close_inside_page_2(pager, how), 10)
            assert _sdk_tasks() == set()
            requested = len(server.seen)
            if how != "aclosing-pages":  # that closes one iteration, not the pager
                with pytest.raises(RuntimeError, match="closed"):
                    pager.__aiter__()
    assert requested == 5  # page 1 and the window of 4 (2-5); nothing after the close


async def test_a_closed_pager_in_async_with_yields_everything_before_the_close() -> None:
    """`async with pager:` around a full walk yields every item and closes cleanly."""
    late = Late()
    async with serving(late) as server:
        late.answer = slow_list(server)
        async with source_on(server) as client:
            async with client.products.list(prefetch=3) as pager:
                items = [item.uuid async for item in pager]
            assert _sdk_tasks() == set()
    assert len(items) == 20 * PAGE
    assert len(set(items)) == 20 * PAGE
    assert sorted(number_of(s.query) for s in server.seen) == list(range(1, 21))


async def test_closing_a_pager_from_another_task_stops_its_walk_with_a_clear_error() -> None:
    """A walk waiting for a held page while another task closes the pager ends with
    RuntimeError("... closed ..."), not a CancelledError out of nowhere, and leaves no task."""
    late = Late()
    async with serving(late, hold_from_page=3) as server:
        late.answer = slow_list(server)
        async with source_on(server) as client:
            pager = client.products.list(prefetch=4)
            reached_page_3 = asyncio.Event()

            async def consume() -> int:
                seen = 0
                async for _ in pager:
                    seen += 1
                    if seen == 2 * PAGE:
                        reached_page_3.set()  # the next item is on page 3, which is held
                return seen

            consumer = asyncio.ensure_future(consume())
            await asyncio.wait_for(reached_page_3.wait(), 10)
            # Page 3 is held at the server, so the consumer now waits for it.
            await asyncio.wait_for(server.holding.wait(), 10)
            await pager.aclose()
            with pytest.raises(RuntimeError, match="closed"):
                await asyncio.wait_for(consumer, 10)
            assert _sdk_tasks() == set()
