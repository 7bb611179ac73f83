# ruff: noqa: SIM105, PT018, B007
"""Identifiers, next links and raw operation paths can never move a request off its endpoint."""

from __future__ import annotations

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, drf, empty_object, product, retail, serve, source
from tests.support import collect

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


@pytest.mark.parametrize("link", ESCAPES)
async def test_next_link_never_leaves_the_endpoint(link: str) -> None:
    """Whatever the next link, every request goes to /api/v1.5/products/ exactly."""

    async def h(r: web.Request, n: int) -> web.Response:
        return drf([product(n)], count=3, next=link if n == 1 else None)

    async with serve(h) as (url, log), source(url) as c:
        try:
            await collect(c.products.list())
        except lucidgreen.DecodeError:
            pass
    for _, path, _ in log:
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

    async with serve(empty_object) as (url, log), source(url) as s, retail(url) as r:
        for call in (
            lambda: s.collections.get(ident),
            lambda: r.operations.inventory_collection_delete(LID, ident),
            lambda: r.operations.collection_details(ident),
        ):
            try:
                await call()
            except (ValueError, lucidgreen.LucidGreenError):
                pass
    for method, path, _ in log:
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


@pytest.mark.parametrize("rel", REL)
async def test_operations_request_stays_under_api_prefix(rel: str) -> None:
    async with serve(empty_object) as (url, log), retail(url) as r:
        try:
            await r.operations.request("GET", rel)
        except (ValueError, lucidgreen.LucidGreenError):
            pass
    for _, path, _ in log:
        assert path.startswith("/api/v1.2/"), path
