# ruff: noqa: E501
"""What the adversarial tests share: loopback servers written for an attack, clients aimed at
them, and the scan that proves no secret is reachable from an error.

- :func:`serve` runs an ``aiohttp.web`` app answering every path with ``handler(request, n)``
  (``n`` counts the requests so far) and logs ``(method, path_qs, (headers, body))``;
  :func:`serve_routes` answers a few named paths and logs ``"METHOD /path"``.
- :func:`raw_server` is a bare TCP server, for answers ``aiohttp.web`` cannot produce.
- :func:`source` / :func:`retail`: a client on ``url`` with the static :data:`TOKEN`, no
  retries and a budget that never waits, unless the test says otherwise.
"""

from __future__ import annotations

import asyncio
import ssl
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web

import lucidgreen
from benchmarks._common import TcpHandler, loopback_tcp
from lucidgreen.ratelimit import Unlimited

TOKEN = "SECRETTOKENabc123XYZ"
SECRET = "SECRETclientSECRET987"
NEWTOKEN = "FRESHTOKENfromEndpoint42"
LID = "UNDTMBovdue9tFWfhamnDM"
LID2 = "VNDTMBovdue9tFWfhamnDM"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
Handler = Callable[[web.Request, int], Awaitable[web.StreamResponse]]
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def running(app: web.Application, *, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """``app`` served on 127.0.0.1 at a port the OS picks (over TLS with ``tls``); yields its
    URL. A handler still running when the test ends is cancelled at once rather than awaited."""
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[str, list[tuple[str, str, Any]]]]:
    """Every path answered by ``handler(request, n)``; yields the URL and the request log."""
    log: list[tuple[str, str, Any]] = []

    async def h(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        log.append((request.method, request.path_qs, (dict(request.headers), body)))
        return await handler(request, len(log))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", h)
    async with running(app) as url:
        yield url, log


@asynccontextmanager
async def serve_routes(routes: dict[str, RouteHandler]) -> AsyncIterator[tuple[str, list[str]]]:
    """``routes`` (path -> handler) answered; yields the URL and ``"METHOD /path"`` for every
    request that reached the server."""
    seen: list[str] = []

    @web.middleware
    async def log(request: web.Request, handler: RouteHandler) -> web.StreamResponse:
        seen.append(f"{request.method} {request.path}")
        return await handler(request)

    app = web.Application(middlewares=[log])
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    async with running(app) as url:
        yield url, seen


def product_json() -> dict[str, object]:
    return {"uuid": LID, "name": "P"}


async def ok_product(request: web.Request) -> web.Response:
    del request
    return web.json_response(product_json())


async def empty_object(request: web.Request, n: int) -> web.Response:
    """A :func:`serve` handler answering ``{}`` to everything."""
    del request, n
    return web.json_response({})


async def token_ok(request: web.Request) -> web.Response:
    del request
    return web.json_response({"access_token": TOKEN, "expires_in": 3600})


def first_503_then(status: int, body: dict[str, Any]) -> Handler:
    """A :func:`serve` handler: a 503 to the first request (one that may have applied), then
    ``body`` with ``status`` to every other."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del request
        if n == 1:
            return web.Response(status=503)
        return web.json_response(body, status=status)

    return handler


def numbered(handler: Handler) -> RouteHandler:
    """A :func:`serve_routes` handler from a :func:`serve` one: ``n`` counts the requests this
    route has had, so one path of many can answer by turn."""
    count = 0

    async def route(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        return await handler(request, count)

    return route


@asynccontextmanager
async def tcp_server(handle: TcpHandler) -> AsyncIterator[str]:
    """A bare TCP server on 127.0.0.1 (port 0) running ``handle`` per connection, which it
    closes afterwards; yields ``http://127.0.0.1:<port>``."""
    async with loopback_tcp(handle) as port:
        yield f"http://127.0.0.1:{port}"


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
    """One HTTP/1.1 request off ``reader``, its body included: ``(method, target, body)``."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return method, target, body


@asynccontextmanager
async def raw_server(
    answer: bytes | Callable[[asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[tuple[str, list[bytes]]]:
    """Reads one request head per connection (kept in the yielded list) and writes ``answer``
    (bytes, or a coroutine function that writes to the socket itself)."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        if callable(answer):
            await answer(writer)
        else:
            writer.write(answer)
            await writer.drain()

    async with tcp_server(handle) as url:
        yield url, seen


def source(url: str, **kw: Any) -> lucidgreen.SourceClient:
    kw.setdefault("rate_limiter", Unlimited())
    kw.setdefault("retry", lucidgreen.RetryPolicy(max_retries=0))
    return lucidgreen.SourceClient(token=kw.pop("token", TOKEN), base_url=url, **kw)


def retail(url: str, **kw: Any) -> lucidgreen.RetailClient:
    kw.setdefault("rate_limiter", Unlimited())
    kw.setdefault("retry", lucidgreen.RetryPolicy(max_retries=0))
    return lucidgreen.RetailClient(token=kw.pop("token", TOKEN), base_url=url, **kw)


def with_credentials(url: str, **kw: Any) -> lucidgreen.SourceClient:
    """A SourceClient on ``url`` that fetches its token with the client secret :data:`SECRET`."""
    kw.setdefault("rate_limiter", Unlimited())
    kw.setdefault("retry", lucidgreen.RetryPolicy(max_retries=0))
    return lucidgreen.SourceClient("cid", SECRET, base_url=url, **kw)


Client = TypeVar("Client", lucidgreen.SourceClient, lucidgreen.RetailClient)


@asynccontextmanager
async def aimed_at(
    handler: Handler, make: Callable[..., Client], **options: Any
) -> AsyncIterator[tuple[Client, list[tuple[str, str, Any]]]]:
    """A client made by ``make`` (:func:`source` or :func:`retail`) with ``options``, aimed
    at a :func:`serve` of ``handler``; yields the client and the server's request log."""
    async with serve(handler) as (url, log), make(url, **options) as client:
        yield client, log


def reachable(error: BaseException) -> list[object]:
    """The error, every exception in its __cause__/__context__ chain (recursively, through
    args and attributes too: a context suppressed by ``from None`` is still reachable), and
    every object one level down from each of them."""
    found: list[object] = []
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        link = stack.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        found.append(link)
        below = [*link.args, *vars(link).values()]
        below += [getattr(link, name, None) for name in ("request_info", "headers", "history")]
        for value in below:
            found.append(value)
            if isinstance(value, BaseException):
                stack.append(value)
        stack += [e for e in (link.__cause__, link.__context__) if e is not None]
    return found


def reachable_text(exc: BaseException) -> str:
    """All a caller can print from ``exc``: its traceback, and repr/str of everything
    :func:`reachable` finds, of those objects' attributes, and of any request headers."""
    out = ["".join(traceback.format_exception(exc))]
    for value in reachable(exc):
        out += [repr(value), str(value)]
        with suppress(TypeError):
            out += [repr(x) for x in vars(value).values()]
        request_info = getattr(value, "request_info", None)
        if request_info is not None:
            out += [repr(request_info), repr(dict(request_info.headers))]
    return "\n".join(out)


def assert_no_secret(text: str, *secrets: str) -> None:
    for s in secrets or (TOKEN, SECRET):
        assert s not in text, (
            f"secret {s[:8]}... reachable: ...{text[max(0, text.find(s) - 200) : text.find(s) + 40]}..."
        )


def drf(results: list[Any], *, count: Any = None, next: Any = None) -> web.Response:  # noqa: A002 - DRF's field
    return web.json_response({"count": count, "next": next, "previous": None, "results": results})


def product(i: int) -> dict[str, Any]:
    return {"uuid": LID, "name": f"p{i}"}


def paged(total: int, reported: int, size: int = 2) -> Handler:
    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        start = (page - 1) * size
        if start >= total and page > 1:
            return web.json_response({"detail": "Invalid page."}, status=404)
        items = [product(i) for i in range(start, min(start + size, total))]
        nxt = f"/api/v1.5/products/?page={page + 1}" if start + size < total else None
        return drf(items, count=reported, next=nxt)

    return h


MALFORMED = [
    b"HTTP/1.1 2OO OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 10\r\n\r\n0123456789",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: 10\r\n\r\n0123456789",
    b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    b"garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200",
    b"HTTP/1.1 500 " + TOKEN.encode() + b"\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer "
    + TOKEN.encode()
    + b"\r\nContent-Length: 0\r\n\r\n",
]
