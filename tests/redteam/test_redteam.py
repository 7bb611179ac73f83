# ruff: noqa: RUF059, SIM105, PT018, SIM117, E501, PLW1510, RUF007, B905, B007
"""Red-team attacks on issues 12/13/14, written from scratch as hostile loopback servers.

These tests may fail: each states the behaviour the issue demands."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import random
import resource
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen.ratelimit import Unlimited

TOKEN = "SECRETTOKENabc123XYZ"
SECRET = "SECRETclientSECRET987"
NEWTOKEN = "FRESHTOKENfromEndpoint42"
LID = "UNDTMBovdue9tFWfhamnDM"
LID2 = "VNDTMBovdue9tFWfhamnDM"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
Handler = Callable[[web.Request, int], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[str, list[tuple[str, str, Any]]]]:
    log: list[tuple[str, str, Any]] = []

    async def h(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        log.append((request.method, request.path_qs, (dict(request.headers), body)))
        return await handler(request, len(log))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", h)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        await runner.cleanup()


@asynccontextmanager
async def raw_server(
    answer: bytes | Callable[..., Awaitable[None]],
) -> AsyncIterator[tuple[str, list[bytes]]]:
    seen: list[bytes] = []
    handlers: set[asyncio.Task[Any]] = set()

    async def cb(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            seen.append(head)
            if callable(answer):
                await answer(writer)
            else:
                writer.write(answer)
                await writer.drain()
        except Exception:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(cb, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.close()
        # A handler still dribbling its answer is stopped, its socket closed, before the
        # loop goes (otherwise the next test meets its ResourceWarning).
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


def source(url: str, **kw: Any) -> lucidgreen.SourceClient:
    kw.setdefault("rate_limiter", Unlimited())
    kw.setdefault("retry", lucidgreen.RetryPolicy(max_retries=0))
    return lucidgreen.SourceClient(token=kw.pop("token", TOKEN), base_url=url, **kw)


def retail(url: str, **kw: Any) -> lucidgreen.RetailClient:
    kw.setdefault("rate_limiter", Unlimited())
    kw.setdefault("retry", lucidgreen.RetryPolicy(max_retries=0))
    return lucidgreen.RetailClient(token=kw.pop("token", TOKEN), base_url=url, **kw)


def reachable_text(exc: BaseException) -> str:
    """repr/str of the exception, its args, attributes one level down, whole chain."""
    out: list[str] = []
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        out += [repr(e), str(e)]
        out += [repr(a) for a in getattr(e, "args", ())]
        for v in getattr(e, "__dict__", {}).values():
            out.append(repr(v))
            try:
                out += [repr(x) for x in vars(v).values()]
            except TypeError:
                pass
            ri = getattr(v, "request_info", None)
            if ri is not None:
                out.append(repr(ri))
        ri = getattr(e, "request_info", None)
        if ri is not None:
            out.append(repr(ri))
        stack += [e.__cause__, e.__context__]
    return "\n".join(out)


def assert_no_secret(text: str, *secrets: str) -> None:
    for s in secrets or (TOKEN, SECRET):
        assert s not in text, (
            f"secret {s[:8]}... reachable: ...{text[max(0, text.find(s) - 200) : text.find(s) + 40]}..."
        )


def sdk_logs(caplog: pytest.LogCaptureFixture) -> str:
    """What the SDK's own loggers recorded (aiohttp's server access log is the test's own)."""
    return "\n".join(
        f"{r.getMessage()} {r.args!r}" for r in caplog.records if r.name.startswith("lucidgreen")
    )


def drf(results: list[Any], *, count: Any = None, next: Any = None) -> web.Response:
    return web.json_response({"count": count, "next": next, "previous": None, "results": results})


def product(i: int) -> dict[str, Any]:
    return {"uuid": LID, "name": f"p{i}"}


async def collect(aiter: Any) -> list[Any]:
    return [x async for x in aiter]


# ---------------------------------------------------------------- writes and outcomes


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_void_redirect_is_never_a_success(status: int) -> None:
    """A 3xx to transactions.void (nothing applied) raises, is not followed, sends once."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=status, headers={"Location": "/api/v1.2/transactions/void/"})

    async with serve(h) as (url, log), retail(url) as client:
        with pytest.raises(lucidgreen.LucidGreenError):
            await client.transactions.void(performed_at=NOW, order_id="o")
    assert len(log) == 1


async def test_informational_final_status_is_an_error() -> None:
    """A bare 1xx as the only answer to a write is an SDK error, never a success."""
    async with raw_server(b"HTTP/1.1 199 Odd\r\nContent-Length: 0\r\n\r\n") as (url, seen):
        async with retail(url) as client:
            with pytest.raises(lucidgreen.LucidGreenError):
                await client.transactions.void(performed_at=NOW, order_id="o")


async def test_import_case_503_reports_outcome_unknown_and_is_not_resent() -> None:
    """import_case answered 503 (even with Retry-After: 0) is not resent; outcome_unknown."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "0"})

    async with serve(h) as (url, log):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(lucidgreen.LucidGreenError) as info:
                await c.caseids.import_case(
                    case_uuid=LID,
                    packaged_product_uuid=LID2,
                    pos_product_id="p",
                    pos_inventory_id="i",
                    package_uid="u",
                )
    assert info.value.outcome_unknown is True
    assert len(log) == 1


@pytest.mark.parametrize("body", [b"<html>ok</html>", b"", b'{"uuid": 5', b"[1,2]", b"null"])
async def test_assets_create_undecodable_2xx_is_outcome_unknown(body: bytes) -> None:
    """assets.create answered 200 with an undecodable body: an error with outcome_unknown."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=200, body=body, content_type="application/json")

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await c.assets.create("texts", name="n", content="c")
    assert info.value.outcome_unknown is True
    assert len(log) == 1


async def test_void_answer_dropped_mid_body_is_write_outcome_unknown_sent_once() -> None:
    """The server applies void and drops the connection mid-body: WriteOutcomeUnknown, 1 send."""

    async def answer(w: asyncio.StreamWriter) -> None:
        w.write(
            b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ret'
        )
        await w.drain()

    async with raw_server(answer) as (url, seen):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(lucidgreen.WriteOutcomeUnknown) as info:
                await c.transactions.void(performed_at=NOW, order_id="o")
    assert info.value.outcome_unknown is True
    assert len(seen) == 1


async def test_operations_post_429_retry_after_is_not_a_silent_resend_after_5xx() -> None:
    """operations.request POST answered 500 is sent once, error says outcome unknown."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=500, headers={"Retry-After": "0"})

    async with serve(h) as (url, log):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(lucidgreen.LucidGreenError) as info:
                await c.operations.request("POST", "thing/", json={"a": 1})
    assert len(log) == 1 and info.value.outcome_unknown is True


@pytest.mark.parametrize("verb", ["PUT", "PATCH", "DELETE", "put"])
async def test_operations_request_sends_the_verb_it_was_given(verb: str) -> None:
    """operations.request(verb) sends that verb (or refuses it), never another one."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({})

    async with serve(h) as (url, log), retail(url) as c:
        await c.operations.request(verb, "thing/", json={"a": 1})
    assert [m for m, _, _ in log] == [verb.upper()]


# ---------------------------------------------------------------- deadlines


async def test_deadline_bounds_limiter_wait_and_never_sends() -> None:
    """Deadline 0.5 s, budget empty for 30 s: DeadlineExceeded(request_sent=False) quickly."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    bucket = lucidgreen.TokenBucket(limit=1, per=30.0)
    async with (
        serve(h) as (url, log),
        source(
            url,
            rate_limiter=bucket,
            retry=lucidgreen.RetryPolicy(max_retries=0, deadline=0.5, min_attempt_time=0.05),
        ) as c,
    ):
        await c.products.get(LID)
        t = time.monotonic()
        with pytest.raises(lucidgreen.DeadlineExceeded) as info:
            await c.products.get(LID)
        assert time.monotonic() - t < 2.0
    assert info.value.request_sent is False
    assert len(log) == 1
    assert bucket.waiting == 0


async def test_deadline_bounds_token_acquisition() -> None:
    """Token endpoint hangs 5 s, deadline 0.5 s: DeadlineExceeded(request_sent=False) fast."""

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            await asyncio.sleep(5)
        return web.json_response({"access_token": NEWTOKEN, "expires_in": 3600})

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(deadline=0.5, min_attempt_time=0.05),
        ) as c,
    ):
        t = time.monotonic()
        with pytest.raises(lucidgreen.DeadlineExceeded) as info:
            await c.products.get(LID)
        assert time.monotonic() - t < 2.0
    assert info.value.request_sent is False
    assert all(p.endswith("/o/token/") for _, p, _ in log)


async def test_deadline_bounds_429_pause() -> None:
    """429 with Retry-After: 20 and a 1 s deadline: the call fails within ~1 s."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "20"})

    async with (
        serve(h) as (url, log),
        source(
            url,
            rate_limiter=lucidgreen.TokenBucket(limit=100, per=1.0),
            retry=lucidgreen.RetryPolicy(deadline=1.0, min_attempt_time=0.05),
        ) as c,
    ):
        t = time.monotonic()
        with pytest.raises(lucidgreen.LucidGreenError):
            await asyncio.wait_for(c.products.get(LID), 10)
        assert time.monotonic() - t < 3.0


async def test_queued_writes_past_deadline_are_never_sent_with_a_sliver() -> None:
    """6 voids queued at 1 per 0.4 s, deadline 1 s: every void the server applied returned
    normally; the others raised DeadlineExceeded(request_sent=False), never WriteOutcomeUnknown."""

    arrivals: list[float] = []

    async def h(r: web.Request, n: int) -> web.Response:
        arrivals.append(time.monotonic())
        await asyncio.sleep(0.05)
        return web.json_response({"returnCode": 1000, "status": "ok"})

    bucket = lucidgreen.TokenBucket(limit=1, per=0.4)
    async with (
        serve(h) as (url, log),
        retail(
            url,
            rate_limiter=bucket,
            timeout=5,
            retry=lucidgreen.RetryPolicy(deadline=1.0, min_attempt_time=0.2),
        ) as c,
    ):
        results = await asyncio.gather(
            *(c.transactions.void(performed_at=NOW, order_id=f"o{i}") for i in range(6)),
            return_exceptions=True,
        )
    ok = [r for r in results if not isinstance(r, BaseException)]
    bad = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == len(log)
    assert all(isinstance(b, lucidgreen.DeadlineExceeded) and not b.request_sent for b in bad), bad
    # limit=1 per 0.4 s: no two arrivals closer than the window
    assert all(b - a >= 0.39 for a, b in zip(arrivals, arrivals[1:])), arrivals


async def test_retry_not_sent_with_sliver_left() -> None:
    """complete answered 503 after 0.8 s of a 1 s deadline: no second attempt is sent."""

    async def h(r: web.Request, n: int) -> web.Response:
        await asyncio.sleep(0.8)
        return web.Response(status=503)

    async with (
        serve(h) as (url, log),
        retail(
            url, retry=lucidgreen.RetryPolicy(deadline=1.0, initial_delay=0.0, min_attempt_time=0.5)
        ) as c,
    ):
        with pytest.raises(lucidgreen.LucidGreenError):
            await c.transactions.complete(order_id="o", items=[LID], performed_at=NOW)
    assert len(log) == 1


# ---------------------------------------------------------------- pagination

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


def _paged(total: int, reported: int, size: int = 2) -> Handler:
    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        start = (page - 1) * size
        if start >= total and page > 1:
            return web.json_response({"detail": "Invalid page."}, status=404)
        items = [product(i) for i in range(start, min(start + size, total))]
        nxt = f"/api/v1.5/products/?page={page + 1}" if start + size < total else None
        return drf(items, count=reported, next=nxt)

    return h


@pytest.mark.parametrize(("total", "reported"), [(12, 2), (12, 4), (6, 20), (6, 7), (9, 1)])
async def test_prefetch_yields_what_sequential_yields(total: int, reported: int) -> None:
    """Stale counts (low or high): prefetch=4 yields exactly what a sequential walk yields."""
    async with serve(_paged(total, reported)) as (url, log), source(url) as c:
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


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


EP = "/api/v1.5/products/"
CURSORS = [
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/../brands/", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/%2e%2e/brands/", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "//evil/api/v1.5/products/", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/?page=\u00b2", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/?page=" + "9" * 30, "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": 5, "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": None, "c": "x", "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": None, "c": 1, "y": 1e400, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": None, "c": 1, "y": -1, "s": 0}),
    _cursor({"v": True, "e": EP}),
    _cursor({"v": 1, "e": ["x"]}),
    _cursor([[[[[[[[[[[]]]]]]]]]]]),
    base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
    base64.urlsafe_b64encode(b'{"v":1,"e":' + b"[" * 3000 + b"]" * 3000 + b"}").decode(),
    "!!!!",
    "",
    "\x00",
    "é" * 10,
    "a" * 100_000,
]


@pytest.mark.parametrize("cursor", CURSORS, ids=range(len(CURSORS)))
async def test_malformed_cursor_is_value_error_and_sends_nothing(cursor: str) -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return drf([product(1)], count=1)

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(ValueError):
            await collect(c.products.list(resume_from=cursor))
    for _, path, _ in log:
        assert path.split("?")[0] == EP


@pytest.mark.parametrize("cursor", [5, b"abc", ["x"]])
async def test_cursor_of_wrong_type_is_value_or_type_error(cursor: Any) -> None:
    async with serve(_paged(2, 2)) as (url, log), source(url) as c:
        with pytest.raises((ValueError, TypeError)):
            await collect(c.products.list(resume_from=cursor))
    if cursor is not None:
        assert log == []


# ---------------------------------------------------------------- identifiers

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

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({})

    async with serve(h) as (url, log), source(url) as s, retail(url) as r:
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
    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({})

    async with serve(h) as (url, log), retail(url) as r:
        try:
            await r.operations.request("GET", rel)
        except (ValueError, lucidgreen.LucidGreenError):
            pass
    for _, path, _ in log:
        assert path.startswith("/api/v1.2/"), path


# ---------------------------------------------------------------- secrets

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


@pytest.mark.parametrize("answer", MALFORMED, ids=range(len(MALFORMED)))
async def test_malformed_answer_never_exposes_token(
    answer: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Malformed HTTP: an SDK error; the token unreachable from chain, logs, hook events."""
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []
    hooks = lucidgreen.Hooks(on_request=events.append, on_retry=events.append)
    async with raw_server(answer) as (url, seen), source(url, hooks=hooks) as c:
        try:
            await c.products.get(LID)
            exc_text = ""
        except lucidgreen.LucidGreenError as exc:
            exc_text = reachable_text(exc)
    assert_no_secret(exc_text + sdk_logs(caplog) + repr(events) + repr(c))


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
async def test_raise_for_status_session_keeps_error_tree(status: int) -> None:
    """A caller session with raise_for_status=True: the SDK's typed error, no token reachable."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"detail": "no"}, status=status, headers={"Retry-After": "0"})

    async with serve(h) as (url, log), aiohttp.ClientSession(raise_for_status=True) as session:
        async with source(url, session=session) as c:
            with pytest.raises(lucidgreen.APIError) as info:
                await c.products.get(LID)
    assert info.value.status == status
    assert_no_secret(reachable_text(info.value))


async def test_api_error_body_echoing_token_is_scrubbed() -> None:
    """A 401 whose body echoes the bearer token: the token is not in the error."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(
            {"detail": f"token {r.headers.get('Authorization')} expired"}, status=401
        )

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await c.products.get(LID)
    assert_no_secret(reachable_text(info.value))


@pytest.mark.parametrize(
    "body",
    [
        f"access_token={NEWTOKEN}&token_type=Bearer&expires_in=3600",
        f'{{"access_token": "{NEWTOKEN}", "expires_in',
        f'["{NEWTOKEN}"]',
        f'{{"token": "{NEWTOKEN}"}}',
        f'{{"access_token": ["{NEWTOKEN}"]}}',
        f'{{"access_token": "{NEWTOKEN}", "expires_in": "soon"}}',
        f"<html>{NEWTOKEN}</html>",
    ],
)
async def test_odd_token_body_never_quoted(body: str, caplog: pytest.LogCaptureFixture) -> None:
    """Token endpoint 200 with an odd body holding the token: not in the error or logs."""
    caplog.set_level(logging.DEBUG)

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.Response(body=body, content_type="application/x-www-form-urlencoded")
        return web.json_response(product(1))

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=0),
        ) as c,
    ):
        try:
            await c.products.get(LID)
            text = ""
        except lucidgreen.LucidGreenError as exc:
            text = reachable_text(exc)
    assert_no_secret(text + sdk_logs(caplog), NEWTOKEN, SECRET)


async def test_token_endpoint_error_echoing_secret_is_scrubbed() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        form = await r.post()
        return web.json_response(
            {"error": "invalid_client", "error_description": f"bad {form.get('client_secret')}"},  # type: ignore[str-bytes-safe]
            status=401,
        )

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=0),
        ) as c,
    ):
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await c.products.get(LID)
    assert_no_secret(reachable_text(info.value))


def _run_cli(url: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "PYTHONPATH": os.getcwd()}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lucidgreen",
            "get",
            "source",
            "product",
            LID,
            "--base-url",
            url,
            "--max-retries",
            "0",
            *args,
        ],
        env=full,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("answer", [MALFORMED[0], MALFORMED[12], MALFORMED[13]], ids=range(3))
async def test_cli_never_prints_token(answer: bytes) -> None:
    async with raw_server(answer) as (url, seen):
        proc = await asyncio.to_thread(_run_cli, url, {"LUCIDGREEN_TOKEN": TOKEN})
    assert proc.returncode != 0
    assert_no_secret(proc.stdout + proc.stderr)


async def test_cli_never_prints_token_from_odd_token_body() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(body=f"access_token={NEWTOKEN}&x=1", content_type="text/plain")

    async with serve(h) as (url, log):
        proc = await asyncio.to_thread(
            _run_cli, url, {"LUCIDGREEN_CLIENT_ID": "cid", "LUCIDGREEN_CLIENT_SECRET": SECRET}
        )
    assert proc.returncode != 0
    assert_no_secret(proc.stdout + proc.stderr, NEWTOKEN, SECRET)


async def test_token_with_crlf_is_refused_without_leak() -> None:
    """A token with CRLF (header injection): an SDK error or ValueError, no header injected,
    token text not in the message."""
    bad = TOKEN + "\r\nX-Injected: 1"

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    async with serve(h) as (url, log):
        try:
            async with source(url, token=bad) as c:
                await c.products.get(LID)
            text = ""
        except (ValueError, lucidgreen.LucidGreenError) as exc:
            text = reachable_text(exc)
    assert all("X-Injected" not in h for _, _, (h, _) in log)
    assert_no_secret(text)


SIG = "SIGNATUREsecretQUERY77"


@pytest.mark.parametrize("file_answer", ["500", "403", "garbage", "redirect-http-evil"])
async def test_presigned_query_never_leaks(
    file_answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []

    async def h(r: web.Request, n: int) -> web.Response:
        if "package-uids-export" in r.path:
            return web.json_response(
                {
                    "export_url": f"{r.url.origin()!s}/file.json?X-Amz-Signature={SIG}&X-Amz-Credential=AKIA{SIG}"
                }
            )
        if file_answer == "garbage":
            return web.Response(body=b"{oops", content_type="application/json")
        if file_answer == "redirect-http-evil":
            return web.Response(
                status=302, headers={"Location": f"http://evil.invalid/f?sig={SIG}"}
            )
        return web.Response(status=int(file_answer), text=f"<Error><Url>{r.path_qs}</Url></Error>")

    async with (
        serve(h) as (url, log),
        retail(url, hooks=lucidgreen.Hooks(on_request=events.append)) as c,
    ):
        export = await c.package_uids.export()
        texts = [repr(export)]
        for reader in (export.download, lambda: collect(export.entries())):
            try:
                await reader()
            except lucidgreen.LucidGreenError as exc:
                texts.append(reachable_text(exc))
    assert_no_secret("\n".join(texts) + sdk_logs(caplog) + repr(events), SIG)


# ---------------------------------------------------------------- bodies


async def test_endless_body_is_capped() -> None:
    async def h(r: web.Request, n: int) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(r)
        chunk = b" " * 65536
        try:
            for _ in range(2000):
                await resp.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    async with serve(h) as (url, log), source(url, max_body_size=2**20) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await asyncio.wait_for(c.products.get(LID), 10)


def _bomb(kind: str, size: int) -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 31 if kind == "gzip" else 15)
    block = b"\0" * 2**20
    return b"".join(comp.compress(block) for _ in range(size // 2**20)) + comp.flush()


@pytest.mark.parametrize("kind", ["gzip", "deflate"])
async def test_compression_bomb_capped_in_memory(kind: str) -> None:
    """1.5 GiB of zeros compressed (~1.5 MB) sent in one go: DecodeError, RSS grows < 300 MB."""
    bomb = await asyncio.to_thread(_bomb, kind, 1536 * 2**20)

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Encoding": kind, "Content-Type": "application/json"}
        )

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    async with serve(h) as (url, log), source(url, max_body_size=2**20) as c:
        with pytest.raises(lucidgreen.DecodeError):
            await asyncio.wait_for(c.products.get(LID), 20)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 300, f"peak RSS grew {grown_mb:.0f} MB"


async def test_slowloris_answer_times_out() -> None:
    async def answer(w: asyncio.StreamWriter) -> None:
        w.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        for _ in range(200):
            w.write(b" ")
            await w.drain()
            await asyncio.sleep(0.05)

    async with raw_server(answer) as (url, seen), source(url, timeout=0.5) as c:
        with pytest.raises(lucidgreen.RequestTimeout):
            await asyncio.wait_for(c.products.get(LID), 5)


async def test_export_entries_slowloris_ends() -> None:
    """The export file dribbles one byte per 0.05 s forever: entries() (timeout=0.5) ends
    with an SDK error within 5 s rather than hanging (issue 12: no hang)."""

    async def h(r: web.Request, n: int) -> web.StreamResponse:
        if "package-uids-export" in r.path:
            return web.json_response({"export_url": f"{r.url.origin()!s}/file.json?sig=x"})
        resp = web.StreamResponse()
        await resp.prepare(r)
        await resp.write(b'{"P": {"C": ["')
        try:
            for _ in range(130):
                if r.transport is None or r.transport.is_closing():
                    break  # the client hung up: stop dribbling, free the socket
                await resp.write(b"U")
                await asyncio.sleep(0.05)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    async with serve(h) as (url, log), retail(url, timeout=0.5) as c:
        export = await c.package_uids.export()

        async def read_all() -> None:
            from contextlib import aclosing

            async with aclosing(export.entries()) as it:  # type: ignore[type-var]
                async for _ in it:
                    pass

        with pytest.raises(lucidgreen.LucidGreenError):
            await asyncio.wait_for(read_all(), 5)


ODD_EXPORTS = [
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}} trailing',
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}}{"P2": {}}',
    b'[{"P1": {}}]',
    b'{"P1": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"P1": {"C1": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}, "P1": {"C2": ["' + LID2.encode() + b'"]}}',
    b'\xef\xbb\xbf{"P1": {"C1": ["' + LID.encode() + b'"]}}',
    b'{"P\\u0031": {"C\\u0031": ["' + LID.encode() + b'"]}}',
    b'{"P1": {"C1": [5]}}',
    b'{"P1": {"C1": NaN}}',
    b'{"P1": {"C1": ["\\ud800"]}}',
    b'{"P1": null}',
    b"",
    b"   ",
    b"{}",
    b'{"P1": {"C1": ["' + LID.encode() + b'"]},}',
    b'{"P1": {"C1": ["' + LID.encode() + b'"]}',
    b'{"P1": {"C1": ["' + LID.encode() + b'", "' + LID.encode() + b'"]}}',
    b"{'P1': {}}",
]


@pytest.mark.parametrize("body", ODD_EXPORTS, ids=range(len(ODD_EXPORTS)))
async def test_export_download_and_entries_agree_on_odd_json(body: bytes) -> None:
    """download() and entries() either both give the same data or both raise DecodeError;
    never another exception type."""

    async def h(r: web.Request, n: int) -> web.Response:
        if "package-uids-export" in r.path:
            return web.json_response({"export_url": f"{r.url.origin()!s}/file.json?sig=x"})
        return web.Response(body=body, content_type="application/json")

    async with serve(h) as (url, log), retail(url) as c:
        export = await c.package_uids.export()
        try:
            whole: Any = await export.download()
            whole = {
                uid: {case: list(ids) for case, ids in cases.items()}
                for uid, cases in whole.items()
            }
        except lucidgreen.DecodeError:
            whole = "DecodeError"
        try:
            merged: dict[str, dict[str, list[str]]] = {}
            for e in await collect(export.entries()):
                merged.setdefault(e.package_uid, {})[e.case_id] = list(e.lucid_ids)
            streamed: Any = merged
        except lucidgreen.DecodeError:
            streamed = "DecodeError"
    assert whole == streamed


async def test_export_parser_is_linear() -> None:
    """One package of 2 MB vs 8 MB: the 8 MB one takes < 8x the 2 MB one."""
    from lucidgreen.retail._export_file import ExportFileParser

    def timed(n_cases: int) -> float:
        body = json.dumps({"P": {f"C{i:08d}": [LID] for i in range(n_cases)}}).encode()
        p = ExportFileParser()
        t = time.perf_counter()
        for i in range(0, len(body), 65536):
            list(p.feed(body[i : i + 65536]))
        p.close()
        return time.perf_counter() - t

    small, large = timed(50_000), timed(200_000)
    assert large < 8 * small + 0.05, (small, large)


# ---------------------------------------------------------------- rate limiting


async def test_drf_sliding_window_with_arrival_jitter_never_429() -> None:
    """DRF window 20/1 s, arrivals delayed 0-0.3 s before counting: 0 x 429 for 70 calls."""
    arrivals: list[float] = []
    rejected = 0

    async def h(r: web.Request, n: int) -> web.Response:
        nonlocal rejected
        await asyncio.sleep(random.uniform(0, 0.3))
        now = time.monotonic()
        while arrivals and arrivals[0] <= now - 1.0:
            arrivals.pop(0)
        if len(arrivals) >= 20:
            rejected += 1
            return web.json_response(
                {"detail": "throttled"}, status=429, headers={"Retry-After": "1"}
            )
        arrivals.append(now)
        await asyncio.sleep(random.uniform(0, 0.1))
        return web.json_response(product(n))

    bucket = lucidgreen.TokenBucket(limit=20, per=1.0)
    async with serve(h) as (url, log), source(url, rate_limiter=bucket) as c:
        view = c.with_options(timeout=10)
        await asyncio.gather(
            *(c.products.get(LID) for _ in range(35)),
            *(view.products.get(LID) for _ in range(35)),
            return_exceptions=True,
        )
    assert rejected == 0
    assert bucket.in_flight == 0 and bucket.waiting == 0


async def test_cancellation_storm_leaks_no_permit() -> None:
    """60 calls against a slow server, cancelled at random moments: afterwards no permit in
    flight or waiting, and a fresh call gets budget within one window."""

    async def h(r: web.Request, n: int) -> web.Response:
        await asyncio.sleep(random.uniform(0, 0.2))
        return web.json_response(product(n))

    bucket = lucidgreen.TokenBucket(limit=5, per=0.5)
    async with serve(h) as (url, log), source(url, rate_limiter=bucket, timeout=5) as c:
        tasks = [asyncio.ensure_future(c.products.get(LID)) for _ in range(60)]
        for _ in range(40):
            await asyncio.sleep(random.uniform(0, 0.03))
            random.choice(tasks).cancel()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert bucket.waiting == 0
        assert bucket.in_flight == 0
        await asyncio.wait_for(c.products.get(LID), 3)


async def test_direct_acquire_cancellation_leaks_nothing() -> None:
    bucket = lucidgreen.TokenBucket(limit=2, per=0.3)

    async def one() -> None:
        permit = await bucket.acquire(hold=1.0)
        await asyncio.sleep(0.01)
        await permit.settle()

    tasks = [asyncio.ensure_future(one()) for _ in range(30)]
    await asyncio.sleep(0)
    for i, t in enumerate(tasks):
        if i % 3:
            t.cancel()
        await asyncio.sleep(0.005)
    await asyncio.gather(*tasks, return_exceptions=True)
    assert bucket.waiting == 0 and bucket.in_flight == 0
    p = await asyncio.wait_for(bucket.acquire(hold=1.0), 2)
    await p.release()


# ---------------------------------------------------------------- token endpoint


@pytest.mark.parametrize(
    "expires",
    ["0", "-5", '"3600"', "1e308", "1e400", "NaN", "true", "null", "99999999999999999999999"],
)
async def test_odd_expires_in_neither_crashes_nor_loops(expires: str) -> None:
    """expires_in games: 3 calls finish (or DecodeError), <= 6 token requests, no crash."""

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.Response(
                body=f'{{"access_token": "{NEWTOKEN}", "token_type": "Bearer", "expires_in": {expires}}}',
                content_type="application/json",
            )
        return web.json_response(product(n))

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=1, initial_delay=0),
        ) as c,
    ):
        for _ in range(3):
            try:
                await asyncio.wait_for(c.products.get(LID), 5)
            except lucidgreen.DecodeError:
                pass
    assert sum(p.endswith("/o/token/") for _, p, _ in log) <= 6


async def test_failing_token_endpoint_fails_waiters_together() -> None:
    """/o/token/ always 503; 10 concurrent calls on a 2-retry 0.3 s schedule fail together,
    with one shared schedule of token requests."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=503)

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=2, initial_delay=0.3),
        ) as c,
    ):
        start = time.monotonic()
        ends: list[float] = []

        async def call() -> None:
            try:
                await c.products.get(LID)
            finally:
                ends.append(time.monotonic() - start)

        res = await asyncio.gather(*(call() for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, lucidgreen.LucidGreenError) for r in res)
    assert max(ends) - min(ends) < 0.5, ends
    assert len(log) <= 6


async def test_401_storm_is_bounded() -> None:
    """The API answers 401 forever: 10 calls each fail with AuthenticationError after at most
    one renewal; token requests <= 11."""

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.json_response({"access_token": f"{NEWTOKEN}{n}", "expires_in": 3600})
        return web.json_response({"detail": "no"}, status=401)

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0),
        ) as c,
    ):
        res = await asyncio.gather(
            *(c.products.get(LID) for _ in range(10)), return_exceptions=True
        )
    assert all(isinstance(r, lucidgreen.AuthenticationError) for r in res), res
    assert sum(p.endswith("/o/token/") for _, p, _ in log) <= 11
    assert len(log) <= 40


@pytest.mark.parametrize("tok", ['""', "123", "null", '"a b"', '"x\\r\\nX-Injected: 1"'])
async def test_odd_access_token_is_sdk_error(tok: str) -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.Response(
                body=f'{{"access_token": {tok}, "expires_in": 3600}}',
                content_type="application/json",
            )
        return web.json_response(product(n))

    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=0),
        ) as c,
    ):
        try:
            await c.products.get(LID)
        except lucidgreen.LucidGreenError:
            pass
    assert all("X-Injected" not in h for _, _, (h, _) in log)


# ---------------------------------------------------------------- constructor / user input


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5", True, -0.0])
def test_bad_timeout_refused_at_construction(timeout: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.SourceClient(token=TOKEN, base_url="http://127.0.0.1:1", timeout=timeout)


@pytest.mark.parametrize(
    "kw",
    [
        {"rate_limiter": 5},
        {"retry": 5},
        {"hooks": {}},
        {"session": "s"},
        {"rate_limiter": lucidgreen.TokenBucket},
        {"max_body_size": 0},
        {"max_body_size": 1.5},
        {"api_version": "../o"},
    ],
)
def test_bad_kinds_refused_at_construction(kw: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.SourceClient(token=TOKEN, base_url="http://127.0.0.1:1", **kw)


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:1/api",
        "http://127.0.0.1:1?x=1",
        "http://example.com",
        "ftp://127.0.0.1",
        "127.0.0.1:1",
        "http://user:pw@127.0.0.1:1",
        "http://127.0.0.1:1#frag",
        "https://",
    ],
)
def test_bad_base_url_refused(base: str) -> None:
    with pytest.raises(ValueError):
        lucidgreen.SourceClient(token=TOKEN, base_url=base)


async def test_naive_datetime_refused_before_sending() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"returnCode": 1000, "status": "ok"})

    from datetime import tzinfo

    class NoneTz(tzinfo):
        def utcoffset(self, dt: Any) -> None:
            return None

    async with serve(h) as (url, log), retail(url) as c:
        for when in (datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=NoneTz())):  # type: ignore[abstract]
            with pytest.raises(lucidgreen.NaiveDatetimeError):
                await c.transactions.complete(order_id="o", items=[LID], performed_at=when)
            with pytest.raises(lucidgreen.NaiveDatetimeError):
                await c.transactions.void(order_id="o", performed_at=when)
        with pytest.raises(TypeError):
            await c.transactions.void(order_id="o", performed_at="2026-01-01T00:00:00")  # type: ignore[arg-type]
    assert log == []


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"LUCIDGREEN_SOURCE_ENVIRONMENT": "staging"}, "LUCIDGREEN_SOURCE_ENVIRONMENT"),
        ({"LUCIDGREEN_ENVIRONMENT": "Production "}, "LUCIDGREEN_ENVIRONMENT"),
        ({"LUCIDGREEN_SOURCE_CLIENT_ID": "cid"}, "LUCIDGREEN_SOURCE_CLIENT_SECRET"),
        ({"LUCIDGREEN_CLIENT_SECRET": SECRET}, "LUCIDGREEN_CLIENT_ID"),
        ({}, "LUCIDGREEN_SOURCE_CLIENT_ID"),
    ],
)
def test_env_oddities_give_clear_errors(
    env: dict[str, str], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k in list(os.environ):
        if k.startswith("LUCIDGREEN"):
            monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises((ValueError, lucidgreen.LucidGreenError)) as info:
        lucidgreen.SourceClient()
    assert needle in str(info.value)
    assert_no_secret(reachable_text(info.value))


async def test_env_token_with_trailing_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    """LUCIDGREEN_TOKEN read from a file with a trailing newline: works or a clear SDK error
    without the token in it, never a raw aiohttp ValueError quoting the header."""
    for k in list(os.environ):
        if k.startswith("LUCIDGREEN"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("LUCIDGREEN_TOKEN", TOKEN + "\n")

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    async with serve(h) as (url, log):
        try:
            async with lucidgreen.SourceClient(base_url=url, rate_limiter=Unlimited()) as c:
                await c.products.get(LID)
            text = ""
        except (ValueError, lucidgreen.LucidGreenError) as exc:
            text = reachable_text(exc)
    assert_no_secret(text)


def test_client_on_second_event_loop_is_clear() -> None:
    """A client used in a second asyncio.run: a clear RuntimeError (or works), no aiohttp
    'Event loop is closed', and closing it leaks no socket (ResourceWarning)."""
    import gc
    import threading
    import warnings

    loop = asyncio.new_event_loop()
    ready: list[Any] = []

    async def start() -> None:
        async def h(r: web.Request) -> web.Response:
            return web.json_response(product(1))

        app = web.Application()
        app.router.add_route("*", "/{t:.*}", h)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.append(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}")  # type: ignore[union-attr]
        ready.append(runner)

    th = threading.Thread(target=loop.run_forever, daemon=True)
    th.start()
    try:
        asyncio.run_coroutine_threadsafe(start(), loop).result(5)
        client = source(ready[0])
        asyncio.run(client.products.get(LID))
        with pytest.raises(RuntimeError) as info:
            asyncio.run(client.products.get(LID))
        assert "Event loop is closed" not in str(info.value)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(client.aclose())
            del client
            gc.collect()
        leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
        assert not leaks, [str(w.message) for w in leaks]
    finally:
        if len(ready) > 1:
            asyncio.run_coroutine_threadsafe(ready[1].cleanup(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        th.join(5)
        loop.close()


# ---------------------------------------------------------------- second wave


async def test_write_timeout_in_flight_is_write_outcome_unknown_sent_once() -> None:
    """void: the server applies it and never answers; timeout 0.3 s: WriteOutcomeUnknown,
    outcome_unknown True, one request, even with retries configured."""

    async def h(r: web.Request, n: int) -> web.Response:
        await asyncio.sleep(0.8)
        return web.json_response({})

    async with (
        serve(h) as (url, log),
        retail(url, timeout=0.3, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c,
    ):
        with pytest.raises(lucidgreen.WriteOutcomeUnknown) as info:
            await c.transactions.void(performed_at=NOW, order_id="o")
    assert info.value.outcome_unknown is True and len(log) == 1


async def test_deadline_after_a_sent_attempt_says_request_sent() -> None:
    """POST answered 429 Retry-After 5 under a 1 s deadline: DeadlineExceeded/RateLimited,
    request_sent True if DeadlineExceeded, outcome_unknown False (a 429 applied nothing)."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "5"})

    async with (
        serve(h) as (url, log),
        retail(
            url,
            rate_limiter=lucidgreen.TokenBucket(limit=50, per=1.0),
            retry=lucidgreen.RetryPolicy(deadline=1.0, min_attempt_time=0.05),
        ) as c,
    ):
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await asyncio.wait_for(c.operations.request("POST", "x/", json={}), 5)
    if isinstance(info.value, lucidgreen.DeadlineExceeded):
        assert info.value.request_sent is True
    assert info.value.outcome_unknown is False
    assert len(log) == 1


@pytest.mark.parametrize(
    "ra",
    [
        "NaN",
        "inf",
        "-inf",
        "1e308",
        "-5",
        "Fri, 01 Jan 1999 00:00:00 GMT",
        "Fri, 01 Jan 9999 00:00:00 GMT",
        "0x10",
        "\u00b2",
        "1" * 400,
    ],
)
async def test_odd_retry_after_neither_crashes_nor_hangs(ra: str) -> None:
    """429 with an odd Retry-After then 200: the call succeeds or raises RateLimited within 5 s."""

    async def h(r: web.Request, n: int) -> web.Response:
        if n == 1:
            return web.Response(status=429, headers={"Retry-After": ra})
        return web.json_response(product(n))

    async with (
        serve(h) as (url, log),
        source(
            url,
            rate_limiter=lucidgreen.TokenBucket(limit=50, per=1.0),
            retry=lucidgreen.RetryPolicy(max_retries=1, initial_delay=0, max_retry_after=2),
        ) as c,
    ):
        try:
            await asyncio.wait_for(c.products.get(LID), 5)
        except lucidgreen.RateLimited:
            pass


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
        await asyncio.sleep(0.1)  # let the loop's async-generator finaliser run
        leftover = sdk_tasks()
        assert len(leftover) <= before, leftover


async def test_raising_limiter_hook_leaks_no_permit() -> None:
    """A careless on_limiter_wait hook that raises: the permit it interrupted is not held
    until its 30 s hold runs out (a third call gets budget within ~1 s)."""

    def bad(event: Any) -> None:
        raise RuntimeError("hook bug")

    bucket = lucidgreen.TokenBucket(limit=1, per=0.3)

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(n))

    async with (
        serve(h) as (url, log),
        source(url, rate_limiter=bucket, hooks=lucidgreen.Hooks(on_limiter_wait=bad)) as c,
    ):
        await c.products.get(LID)
        with pytest.raises(RuntimeError):
            await c.products.get(LID)
        in_flight = bucket.in_flight
        # The interrupted call gave its permit back, so the next one is not held up by a
        # leaked 30 s hold: it gets budget at once (no wait, so the hook stays quiet).
        await asyncio.wait_for(c.products.get(LID), 2)
        assert in_flight == 0


async def test_raising_request_hook_on_applied_write() -> None:
    """A careless on_request hook that raises after a void the server applied: the caller
    must not be told nothing happened (the error says outcome unknown or is the hook's own,
    and the write is not resent)."""

    def bad(event: Any) -> None:
        raise RuntimeError("hook bug")

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"returnCode": 1000, "status": "ok"})

    async with (
        serve(h) as (url, log),
        retail(
            url,
            hooks=lucidgreen.Hooks(on_request=bad),
            retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0),
        ) as c,
    ):
        with pytest.raises(RuntimeError):
            await c.transactions.void(performed_at=NOW, order_id="o")
    assert len(log) == 1


# ---------------------------------------------------------------- third wave


def _deep_repr(obj: Any, depth: int = 3) -> str:
    out: list[str] = []
    seen: set[int] = set()

    def walk(o: Any, d: int) -> None:
        if id(o) in seen or d < 0:
            return
        seen.add(id(o))
        try:
            out.append(repr(o))
        except Exception:
            return
        attrs_: dict[str, Any] = {}
        try:
            attrs_ = dict(vars(o))
        except TypeError:
            for slot in getattr(type(o), "__slots__", ()):
                if hasattr(o, slot):
                    attrs_[slot] = getattr(o, slot)
        for v in attrs_.values():
            walk(v, d - 1)

    walk(obj, depth)
    return "\n".join(out)


async def test_reprs_of_client_and_parts_hide_token_and_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """repr of the client, its pipeline, auth, pager, permit (and its attributes one level down) and
    every hook event / DEBUG log of a token-flow run hide the secret and the bearer token."""
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.json_response({"access_token": NEWTOKEN, "expires_in": 3600})
        return drf([product(1)], count=1)

    bucket = lucidgreen.TokenBucket(limit=10, per=1.0)
    async with (
        serve(h) as (url, log),
        lucidgreen.SourceClient(
            "cid",
            SECRET,
            base_url=url,
            rate_limiter=bucket,
            hooks=lucidgreen.Hooks(on_request=events.append),
        ) as c,
    ):
        pager = c.products.list()
        await collect(pager)
        permit = await bucket.acquire(hold=1.0)
        text = "\n".join(
            [
                repr(c),
                repr(pager),
                repr(permit),
                repr(c.with_options(timeout=3)),
                _deep_repr(c, 1),
            ]
        )
        await permit.release()
    assert_no_secret(text, SECRET, NEWTOKEN)
    assert_no_secret(repr(events) + sdk_logs(caplog), SECRET, NEWTOKEN)


@pytest.mark.parametrize(
    "kw",
    [{"timeout": 0}, {"timeout": -1}, {"timeout": float("nan")}, {"retry": 5}, {"timeout": "3"}],
)
async def test_with_options_checks_its_arguments(kw: dict[str, Any]) -> None:
    c = source("http://127.0.0.1:1")
    try:
        with pytest.raises((ValueError, TypeError)):
            c.with_options(**kw)
    finally:
        await c.aclose()


@pytest.mark.parametrize(
    "kw",
    [
        {"deadline": 0},
        {"deadline": -1},
        {"deadline": float("nan")},
        {"max_retry_after": float("nan")},
        {"max_retry_after": -1},
        {"min_attempt_time": float("nan")},
        {"initial_delay": float("nan")},
        {"max_retries": 1.5},
        {"jitter": "bogus"},
    ],
)
def test_retry_policy_checks_its_arguments(kw: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.RetryPolicy(**kw)


@pytest.mark.parametrize(
    "kw",
    [
        {"limit": 0, "per": 1.0},
        {"limit": -1, "per": 1.0},
        {"limit": 1, "per": 0},
        {"limit": 1, "per": float("nan")},
        {"limit": 1, "per": float("inf")},
        {"limit": 1.5, "per": 1.0},
        {"limit": True, "per": 1.0},
    ],
)
def test_token_bucket_checks_its_arguments(kw: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.TokenBucket(**kw)


async def test_api_error_headers_case_insensitive_and_str_names_the_call() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"detail": "bad"}, status=400, headers={"X-Thing": "v"})

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.BadRequest) as info:
            await c.products.get(LID)
    e = info.value
    assert e.headers.get("Content-Type", "").startswith("application/json")
    assert e.headers.get("x-thing") == "v" and e.headers.get("X-THING") == "v"
    assert "GET" in str(e) and "/api/v1.5/products/" in str(e)


CURSOR_TAMPER = [
    "size-mid-line",
    "size-zero",
    "size-str",
    "size-huge",
    "lines-neg",
    "deep-json",
    "cursor-brands",
    "not-json",
    "count-bool",
    "size-float",
]


@pytest.mark.parametrize("how", CURSOR_TAMPER)
async def test_cli_tampered_cursor_exits_2(how: str, tmp_path: Any) -> None:
    """A tampered FILE.cursor: exit 2 with a message, never 0 or a traceback."""
    state = {"total": 4}

    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        if page > 2:
            return web.json_response({"detail": "Invalid page."}, status=404)
        return drf(
            [product(page * 10), product(page * 10 + 1)],
            count=state["total"],
            next=f"/api/v1.5/products/?page={page + 1}" if page < 2 else None,
        )

    out = tmp_path / "p.jsonl"

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LUCIDGREEN_TOKEN": TOKEN, "PYTHONPATH": os.getcwd()}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "lucidgreen",
                "export",
                "source",
                "products",
                "--out",
                str(out),
                "--base-url",
                url,
                *extra,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    async with serve(h) as (url, log):
        first = await asyncio.to_thread(run)
        assert first.returncode == 0, first.stderr
        cur = out.with_name(out.name + ".cursor")
        payload = json.loads(cur.read_text())
        if how == "size-mid-line":
            payload["size"] = payload["size"] - 3
        elif how == "size-zero":
            payload["size"] = 0
        elif how == "size-str":
            payload["size"] = "12"
        elif how == "size-huge":
            payload["size"] = 10**30
        elif how == "lines-neg":
            payload["lines"] = -1
        elif how == "cursor-brands":
            payload["cursor"] = _cursor(
                {"v": 1, "e": EP, "n": "/api/v1.5/brands/", "c": 1, "y": 0, "s": 0}
            )
        elif how == "count-bool":
            payload["count"] = True
        elif how == "size-float":
            payload["size"] = float(payload["size"])
        text = json.dumps(payload)
        if how == "deep-json":
            text = "[" * 100_000 + "]" * 100_000
        elif how == "not-json":
            text = text[:-5]
        cur.write_text(text)
        second = await asyncio.to_thread(run, "--resume")
    assert second.returncode == 2, (second.returncode, second.stderr[-500:])
    assert "Traceback" not in second.stderr
    assert all(p.split("?")[0] == EP for _, p, _ in log)


async def test_short_deadline_still_sends_first_attempt() -> None:
    """RetryPolicy(deadline=0.5) with the default min_attempt_time (1 s): a fast call works."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    async with serve(h) as (url, log), source(url, retry=lucidgreen.RetryPolicy(deadline=0.5)) as c:
        await c.products.get(LID)
    assert len(log) == 1


async def test_deep_repr_two_levels_reaches_client_secret() -> None:
    """Informative: two attribute levels below the client (client -> auth -> field) the
    client secret is a plain str (no SecretStr-style wrapper)."""
    c = lucidgreen.SourceClient("cid", SECRET, base_url="http://127.0.0.1:1")
    try:
        assert_no_secret(_deep_repr(c, 2), SECRET)
    finally:
        await c.aclose()


@pytest.mark.parametrize("answer", MALFORMED[:11] + MALFORMED[12:13], ids=range(12))
async def test_malformed_answer_to_a_write_is_outcome_unknown_sent_once(answer: bytes) -> None:
    """void answered with malformed HTTP (the server may have applied it): an SDK error with
    outcome_unknown True, sent once even with retries configured."""
    async with raw_server(answer) as (url, seen):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(lucidgreen.LucidGreenError) as info:
                await c.transactions.void(performed_at=NOW, order_id="o")
    assert info.value.outcome_unknown is True, repr(info.value)
    assert len(seen) == 1


async def test_unexpected_429_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    """Server window 8 per 1 s, client configured 16 per 1 s: 429s are met; the SDK logs one
    WARNING about the unexpected 429s (not one per 429) and every call ends."""
    caplog.set_level(logging.WARNING)
    arrivals: list[float] = []
    rejected = 0

    async def h(r: web.Request, n: int) -> web.Response:
        nonlocal rejected
        now = time.monotonic()
        while arrivals and arrivals[0] <= now - 1.0:
            arrivals.pop(0)
        if len(arrivals) >= 8:
            rejected += 1
            return web.json_response(
                {"detail": "throttled"}, status=429, headers={"Retry-After": "1"}
            )
        arrivals.append(now)
        return web.json_response(product(n))

    async with (
        serve(h) as (url, log),
        source(
            url,
            rate_limiter=lucidgreen.TokenBucket(limit=16, per=1.0),
            retry=lucidgreen.RetryPolicy(max_retries=5, initial_delay=0.1),
        ) as c,
    ):
        res = await asyncio.wait_for(
            asyncio.gather(*(c.products.get(LID) for _ in range(24)), return_exceptions=True), 20
        )
    warnings_ = [
        r
        for r in caplog.records
        if r.name.startswith("lucidgreen")
        and r.levelno == logging.WARNING
        and "429" in r.getMessage()
    ]
    assert rejected > 0
    assert len(warnings_) == 1, [r.getMessage() for r in warnings_]
    assert all(not isinstance(r, BaseException) for r in res), [
        r for r in res if isinstance(r, BaseException)
    ][:2]
