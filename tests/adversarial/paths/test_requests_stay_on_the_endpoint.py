# ruff: noqa: PT018
"""Identifiers, next links and raw operation paths can never move a request off its endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import (
    LID,
    Handler,
    drf,
    empty_object,
    product,
    retail,
    serve,
    source,
)
from tests.support import collect

Call = Callable[[lucidgreen.SourceClient, lucidgreen.RetailClient], Awaitable[Any]]


async def _paths_sent(
    handler: Handler, calls: list[Call], refused: tuple[type[Exception], ...]
) -> list[str]:
    """Every path (query included) that reached a server answering with ``handler`` while
    ``calls`` ran on a SourceClient and a RetailClient aimed at it. A call may be refused
    with one of ``refused``: what is judged is where its requests went."""
    async with serve(handler) as (url, log), source(url) as s, retail(url) as r:
        for call in calls:
            with suppress(*refused):
                await call(s, r)
    return [path for _, path, _ in log]


ESCAPES = [
    "../batches/?page=2",
    "/api/v1.5/products/../batches/?page=2",
    "/api/v1.5/products/%2e%2e/batches/?page=2",
    "/api/v1.5/products/%2E%2e/%2e%2E/o/token/?page=2",
    "/api/v1.5/products/%252e%252e/batches/?page=2",
    "/api/v1.5/products/..%2fbatches/?page=2",
    "/api/v1.5/products/..%2Fbatches/?page=2",
    "/api/v1.5/products/..\\batches\\?page=2",
    "/api/v1.5/products;x/../batches/?page=2",
    "/api/v1.5/products/\uff0e\uff0e/batches/?page=2",
    "/api/v1.5/products/.%2e/batches/?page=2",
    "http://user:pw@evil.invalid/api/v1.5/batches/?page=2",
    "//evil.invalid/api/v1.5/batches/?page=2",
    "/api/v1.5/products/?page=2#/../../batches/",
    "/API/V1.5/products/?page=2",
    "/api/v1.5//products/?page=2",
    "/api/v1.5/products/./?page=2",
    "/api/v1.5/products/?page=2&page=../../o/token/",
    "/api/v1.5/products/%3F/../../batches/?page=2",
    "/api/v1.5/products/\t/../../batches/?page=2",
]


def _first_page_linking(link: str) -> Handler:
    async def h(r: web.Request, n: int) -> web.Response:
        return drf([product(n)], count=3, next=link if n == 1 else None)

    return h


@pytest.mark.parametrize("link", ESCAPES)
async def test_next_link_never_leaves_the_endpoint(link: str) -> None:
    """Whatever the next link, every request goes to /api/v1.5/products/ exactly."""
    listing: list[Call] = [lambda s, r: collect(s.products.list())]
    for path in await _paths_sent(_first_page_linking(link), listing, (lucidgreen.DecodeError,)):
        assert path.split("?")[0] == "/api/v1.5/products/", path


IDS = [
    ".",
    "..",
    "",
    "%2e%2e",
    "%2E",
    "a/..",
    "../..",
    "..%2f..",
    "./",
    "/",
    ".%2e",
    "..;",
    "\\..\\..",
]


@pytest.mark.parametrize("ident", IDS)
async def test_dot_identifiers_never_escape(ident: str) -> None:
    """collections.get / inventory_collection_delete with dot ids: refused or kept in place."""
    calls: list[Call] = [
        lambda s, r: s.collections.get(ident),
        lambda s, r: r.operations.inventory_collection_delete(LID, ident),
        lambda s, r: r.operations.collection_details(ident),
    ]
    for path in await _paths_sent(empty_object, calls, (ValueError, lucidgreen.LucidGreenError)):
        segs = path.split("?")[0].split("/")
        assert "." not in segs and ".." not in segs
        assert path.split("?")[0] not in ("/api/v1.5/", "/api/v1.2/", "/api/v1.5/collections/")
        assert not path.endswith("/inventory-pos/"), path


REL = [
    "../../o/token/",
    "../v1.5/products/",
    "%2e%2e/%2e%2e/o/token/",
    "..%2f..%2fo/token/",
    "http://evil.invalid/x",
    "//evil.invalid/x",
    "a/../../../o/token/",
    "\\..\\..\\o\\token\\",
    ".%2E/.%2E/o/token/",
    "x/%2e%2e/%2e%2e/%2e%2e/o/token/",
]


@pytest.mark.parametrize("rel", REL, ids=repr)
async def test_operations_request_stays_under_api_prefix(rel: str) -> None:
    call: list[Call] = [lambda s, r: r.operations.request("GET", rel)]
    for path in await _paths_sent(empty_object, call, (ValueError, lucidgreen.LucidGreenError)):
        assert path.startswith("/api/v1.2/"), path
