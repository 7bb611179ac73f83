"""A loopback LucidSource products list whose records and page size the test changes at will.

It pages ``records`` as Django REST Framework's ``PageNumberPagination`` does (``?page=N``,
absolute ``next`` links, a 404 past the last page) at ``size`` records a page, both read
on every request: a test changes them between a walk and its resume, as a server that was
redeployed or whose data changed would. ``poison`` replaces records by index with bodies the
model refuses. Every request's page number is recorded.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import attrs
from aiohttp import web

from lucidgreen import SourceClient
from tests.adversarial.support import running, source

PRODUCTS = "/api/v1.5/products/"


def product(i: int) -> dict[str, Any]:
    """The i-th product as the API sends it (uuids are unique and sort like ``i``)."""
    return {"uuid": f"P{i:05d}", "name": f"product {i}", "is_published": True}


@attrs.define
class ListServer:
    records: list[dict[str, Any]]
    size: int
    poison: dict[int, Any] = attrs.field(factory=dict)
    url: str = ""
    pages: list[int] = attrs.field(factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        if request.path != PRODUCTS:
            return web.json_response({"detail": "Not found."}, status=404)
        page = int(request.query.get("page", "1"))
        self.pages.append(page)
        rows = [self.poison.get(i, row) for i, row in enumerate(self.records)]
        last = max(1, math.ceil(len(rows) / self.size))
        if not 1 <= page <= last:
            return web.json_response({"detail": "Invalid page."}, status=404)
        body = {
            "count": len(rows),
            "next": f"{self.url}{PRODUCTS}?page={page + 1}" if page < last else None,
            "previous": f"{self.url}{PRODUCTS}?page={page - 1}" if page > 1 else None,
            "results": rows[(page - 1) * self.size : page * self.size],
        }
        return web.json_response(body)

    def client(self, **options: Any) -> SourceClient:
        return source(self.url, **options)


@contextlib.asynccontextmanager
async def list_server(total: int, size: int) -> AsyncIterator[ListServer]:
    """``total`` products at ``size`` a page, served on loopback until the block ends."""
    server = ListServer([product(i) for i in range(total)], size)
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    async with running(app) as url:
        server.url = url
        yield server
