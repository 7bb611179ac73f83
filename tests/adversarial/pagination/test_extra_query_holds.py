"""``list(..., extra_query={...})``: the caller's parameters are sent on the first page and
hold on every page after it, whatever the server's ``next`` links carry."""

from __future__ import annotations

import typing
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from aiohttp import web

import lucidgreen

from ..support import LID, serve, source

PAGES = 3


def products_pages(*, keep_query: bool) -> Any:
    """A DRF list of ``PAGES`` pages; its next links keep the request's query or drop it."""

    async def handler(request: web.Request, n: int) -> web.StreamResponse:
        del n
        page = int(request.query.get("page", "1"))
        query = {k: v for k, v in request.query.items() if k != "page"} if keep_query else {}
        nxt = None
        if page < PAGES:
            nxt = str(request.url.with_path(request.path).with_query({**query, "page": page + 1}))
        return web.json_response(
            {
                "count": PAGES,
                "next": nxt,
                "previous": None,
                "results": [{"uuid": LID, "name": f"p{page}"}],
            }
        )

    return handler


def queries(log: list[tuple[str, str, Any]]) -> list[dict[str, str]]:
    return [dict(parse_qsl(urlsplit(path_qs).query)) for _, path_qs, _ in log]


@pytest.mark.parametrize("keep_query", [True, False], ids=["drf-links", "links-drop-it"])
async def test_the_callers_query_holds_on_every_page(keep_query: bool) -> None:
    extra = {"brand": "acme", "active": True}
    async with serve(products_pages(keep_query=keep_query)) as (url, log), source(url) as client:
        names = [p.name async for p in client.products.list(extra_query=extra)]
    assert names == ["p1", "p2", "p3"]
    for query in queries(log):
        assert query["brand"] == "acme"
        assert query["active"] == "true"
    assert [q.get("page") for q in queries(log)] == [None, "2", "3"]


async def test_a_resumed_walk_keeps_the_callers_query() -> None:
    extra = {"brand": "acme"}
    handler = products_pages(keep_query=False)
    async with serve(handler) as (url, log), source(url) as client:
        async for page in client.products.list(extra_query=extra).pages():
            cursor = page.cursor
            break
        log.clear()
        rest = [p.name async for p in client.products.list(extra_query=extra, resume_from=cursor)]
    assert rest == ["p2", "p3"]
    assert all(q["brand"] == "acme" for q in queries(log))


async def test_the_pagers_own_page_parameter_is_refused() -> None:
    async with serve(products_pages(keep_query=True)) as (url, log), source(url) as client:
        with pytest.raises(ValueError, match="resume_from"):
            client.products.list(extra_query={"page": 4})
    assert log == []


async def test_a_value_with_no_query_spelling_is_refused_before_sending() -> None:
    async with serve(products_pages(keep_query=True)) as (url, log), source(url) as client:
        with pytest.raises(TypeError, match="'brand'"):
            client.products.list(extra_query={"brand": {"nested": 1}})
    assert log == []


async def test_every_list_method_takes_extra_query_and_on_bad_record() -> None:
    for client_type in (lucidgreen.SourceClient, lucidgreen.RetailClient):
        client = client_type(token="t", base_url="http://127.0.0.1:9")
        try:
            for name in dir(client):
                namespace = getattr(client, name, None)
                lister = getattr(namespace, "list", None)
                if name.startswith("_") or not callable(lister):
                    continue
                # The options are one TypedDict (``**options: Unpack[ListOptions]``).
                [options] = typing.get_args(typing.get_type_hints(lister)["options"])
                assert {"extra_query", "on_bad_record"} <= set(options.__annotations__), name
        finally:
            await client.aclose()


async def test_on_bad_record_skip_from_list_delivers_the_good_records() -> None:
    async def one_bad(request: web.Request, n: int) -> web.StreamResponse:
        del request, n
        results = [{"uuid": LID, "name": "good"}, {"uuid": LID, "name": {"not": "a str"}}]
        return web.json_response({"count": 2, "next": None, "previous": None, "results": results})

    async with serve(one_bad) as (url, _), source(url) as client:
        pager = client.products.list(on_bad_record="skip")
        names = [p.name async for p in pager]
    assert names == ["good"]
    assert [skipped.index for skipped in pager.skipped] == [1]
