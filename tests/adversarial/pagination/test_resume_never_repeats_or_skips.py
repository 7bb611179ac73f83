"""Promise attacked: a resume continues right after the last record delivered, or raises
PageLayoutChanged; never a silent repeat or gap. The hostile server lists the cursor's
record twice (a duplicated id), changes the type of its ids, or 404s the cursor's page."""

from __future__ import annotations

import pytest
from aiohttp import web

from lucidgreen import PageLayoutChanged
from lucidgreen._cursors import Anchor
from lucidgreen._relocate import find
from tests.adversarial.pagination.list_server import ListServer, list_server, product
from tests.adversarial.support import running
from tests.support import uuids


async def _cursor_after(server: ListServer, items: int) -> str:
    async with server.client() as client:
        delivered = 0
        async for page in client.products.list().pages():
            delivered += len(page.items)
            if delivered >= items:
                return page.cursor
    raise AssertionError("too few records")


async def _resume(server: ListServer, cursor: str) -> list[str] | str:
    async with server.client() as client:
        try:
            return uuids([p async for p in client.products.list(resume_from=cursor)])
        except PageLayoutChanged:
            return "PageLayoutChanged"


@pytest.mark.parametrize("copy_at", [30, 31, 33, 36])
async def test_a_duplicated_id_on_the_cursors_page_repeats_nothing(copy_at: int) -> None:
    """The walk ended on P00039 (page 4 of 10 a page). Two records go before it, so it moves
    off its old index, and another record now carries its id earlier on the same page:
    resuming after that copy would deliver P00033..P00039 a second time."""
    async with list_server(100, 10) as server:
        cursor = await _cursor_after(server, 40)
        del server.records[:2]
        server.records.insert(copy_at, {**product(39), "name": "an impostor"})
        rest = await _resume(server, cursor)
    assert rest in ("PageLayoutChanged", [product(i)["uuid"] for i in range(40, 100)])


@pytest.mark.parametrize("spelled", [39.0, True, "39", [39], None])
def test_an_id_changing_type_is_not_the_cursors_record(spelled: object) -> None:
    """The cursor ended on the record with integer id 39; the page now spells that id as a
    float, a bool, a string, a list or null: none is taken for it (a guess could repeat or
    skip), so the resume looks further or raises PageLayoutChanged."""
    anchor = Anchor(path="/api/v1.5/products/?page=4", index=2, key=39, page_size=10)
    page = [{"id": 37}, {"id": 38}, {"id": spelled}, {"id": 40}]
    assert find(page, anchor) is None


class _Dropping(ListServer):
    """Answers 404 for one page that exists."""

    dropped: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if request.query.get("page") == str(self.dropped):
            return web.json_response({"detail": "Invalid page."}, status=404)
        return await super().handle(request)


async def test_the_cursors_page_answering_404_is_not_a_silent_end() -> None:
    """Page 4 now answers 404 though pages 5.. exist: the resume must neither finish
    quietly with nothing nor jump to page 5."""
    server = _Dropping([product(i) for i in range(100)], 10)
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    async with running(app) as url:
        server.url = url
        cursor = await _cursor_after(server, 30)  # the walk ended on page 3 ...
        server.dropped = 3  # ... and that page now answers 404
        rest = await _resume(server, cursor)
    assert rest in ("PageLayoutChanged", [product(i)["uuid"] for i in range(30, 100)])
