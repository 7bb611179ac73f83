# ruff: noqa: RUF059, PT018, SIM117
"""A write whose outcome is unclear (redirect, 1xx, 5xx, lost or unreadable answer, timeout
in flight) is reported as such and never silently sent twice.

The "sent once" attacks use ``inventory.add_items``, a write the API cannot recognise when it
comes again (``complete``, ``void`` and ``import_case`` are resent on purpose: see
``test_exactly_once_where_the_api_can_tell.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import (
    ServerError,
    SourceClient,
    TokenBucket,
)
from lucidgreen.retail.models import InventoryCollection
from lucidgreen.retry import without_sleeping
from tests.adversarial.support import (
    LID,
    LID2,
    MALFORMED,
    NOW,
    TOKEN,
    empty_object,
    raw_server,
    retail,
    serve,
    serve_routes,
    source,
)


def add_items(client: lucidgreen.RetailClient) -> Awaitable[InventoryCollection]:
    """A write the SDK never resends after an unclear outcome."""
    return client.inventory.add_items(LID, case_uuid=LID2, lucid_ids=[LID2])


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


def operations_post(client: lucidgreen.RetailClient) -> Awaitable[Any]:
    return client.operations.request("POST", "thing/", json={"a": 1})


@pytest.mark.parametrize(
    ("status", "write", "error"),
    [
        (503, add_items, lucidgreen.WriteOutcomeUnknown),  # even with Retry-After: 0
        (500, operations_post, lucidgreen.LucidGreenError),
    ],
)
async def test_a_5xx_to_a_write_reports_outcome_unknown_and_is_not_resent(
    status: int,
    write: Callable[[lucidgreen.RetailClient], Awaitable[Any]],
    error: type[lucidgreen.LucidGreenError],
) -> None:
    """add_items answered 503, operations.request POST answered 500 (both with Retry-After:
    0, retries allowed): sent once, the error says the outcome is unknown."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=status, headers={"Retry-After": "0"})

    async with serve(h) as (url, log):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(error) as info:
                await write(c)
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


async def test_an_answer_dropped_mid_body_is_write_outcome_unknown_sent_once() -> None:
    """The server applies add_items and drops the connection mid-body: WriteOutcomeUnknown,
    one send."""

    async def answer(w: asyncio.StreamWriter) -> None:
        w.write(
            b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ret'
        )
        await w.drain()

    async with raw_server(answer) as (url, seen):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(lucidgreen.WriteOutcomeUnknown) as info:
                await add_items(c)
    assert info.value.outcome_unknown is True
    assert len(seen) == 1


@pytest.mark.parametrize("verb", ["PUT", "PATCH", "DELETE", "put"])
async def test_operations_request_sends_the_verb_it_was_given(verb: str) -> None:
    """operations.request(verb) sends that verb (or refuses it), never another one."""
    async with serve(empty_object) as (url, log), retail(url) as c:
        await c.operations.request(verb, "thing/", json={"a": 1})
    assert [m for m, _, _ in log] == [verb.upper()]


@pytest.mark.slow
async def test_write_timeout_in_flight_is_write_outcome_unknown_sent_once() -> None:
    """add_items: the server applies it and never answers; timeout 0.3 s: WriteOutcomeUnknown,
    outcome_unknown True, one request, even with retries configured."""

    async def h(r: web.Request, n: int) -> web.Response:
        await asyncio.sleep(0.8)
        return web.json_response({})

    async with (
        serve(h) as (url, log),
        retail(url, timeout=0.3, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c,
    ):
        with pytest.raises(lucidgreen.WriteOutcomeUnknown) as info:
            await add_items(c)
    assert info.value.outcome_unknown is True and len(log) == 1


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


@pytest.mark.parametrize("answer", MALFORMED[:11] + MALFORMED[12:13], ids=range(12))
async def test_malformed_answer_to_a_write_is_outcome_unknown_sent_once(answer: bytes) -> None:
    """add_items answered with malformed HTTP (the server may have applied it): an SDK error with
    outcome_unknown True, sent once even with retries configured."""
    async with raw_server(answer) as (url, seen):
        async with retail(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c:
            with pytest.raises(lucidgreen.LucidGreenError) as info:
                await add_items(c)
    assert info.value.outcome_unknown is True, repr(info.value)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1.2/transactions/void/"), ("GET", "/api/v1.5/products/{uuid}/")],
)
async def test_a_5xx_says_whether_a_write_may_have_applied(method: str, path: str) -> None:
    """A write ending in 503 has ``outcome_unknown`` (the server may have acted before
    failing); a read ending the same way does not."""

    async def fail(request: web.Request) -> web.Response:
        del request
        return web.Response(status=503, text="busy")

    async with serve_routes({"/{tail:.*}": fail}) as (url, _):
        with without_sleeping():
            client: lucidgreen.RetailClient | SourceClient
            call: Awaitable[object]
            if method == "POST":
                client = lucidgreen.RetailClient(token=TOKEN, base_url=url)
                call = client.transactions.void(order_id="order-1", performed_at=NOW)
            else:
                roomy = TokenBucket(limit=1000, per=1.0)
                client = SourceClient(token=TOKEN, base_url=url, rate_limiter=roomy)
                call = client.products.get(LID)
            async with client:
                with pytest.raises(ServerError) as caught:
                    await call
    assert caught.value.outcome_unknown is (method == "POST")
    assert caught.value.method == method
