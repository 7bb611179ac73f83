"""A caller's ``session=`` may carry aiohttp middlewares that try a request again (on a 5xx,
or on a connection error), as retry recipes for aiohttp 3.12+ do. Those tries run below the
SDK's pipeline, so none may reach the server: a write the API cannot recognise is sent once,
a sale is resent only by the pipeline (and replayed), and the server's count is the SDK's.

When the server did answer (a 503), the caller learns of that answer, not of a connection
that was never lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import Hooks, RetryPolicy
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from tests.adversarial.support import retail, serve

LID = "UNDTMBovdue9tFWfhamnDM"
ALREADY = {"message": "This transaction has already been processed."}


async def again_on_5xx(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    response = await handler(request)
    for _ in range(2):
        if response.status < 500:
            break
        response.release()
        response = await handler(request)
    return response


async def again_on_errors(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    for _ in range(2):
        try:
            return await handler(request)
        except aiohttp.ClientError:
            pass
    return await handler(request)


MIDDLEWARES = {"again on 5xx": again_on_5xx, "again on errors": again_on_errors}


async def _first_fails_then_ledger(request: web.Request, n: int) -> web.StreamResponse:
    """The first request is applied and answered 503 (or, past the first, like the API:
    the same sale again is "already processed")."""
    if n == 1:
        return web.json_response({"detail": "upstream down"}, status=503)
    if request.path.endswith("/transactions/complete/"):
        return web.json_response(ALREADY, status=400)
    return web.json_response({"status": "success", "request_id": "r", "uuid": LID, "name": "P"})


Served = tuple[list[Any], list[lucidgreen.RequestSent], lucidgreen.RetailClient]


@asynccontextmanager
async def _served(middleware: aiohttp.ClientMiddlewareType) -> AsyncIterator[Served]:
    """The API of :func:`_first_fails_then_ledger`, and a client (the default retry policy)
    on a caller's session that carries ``middleware``: the server's request log, the
    client's hooks, the client."""
    hooked: list[lucidgreen.RequestSent] = []
    async with (
        serve(_first_fails_then_ledger) as (url, log),
        aiohttp.ClientSession(middlewares=(middleware,)) as session,
        retail(
            url, session=session, retry=RetryPolicy(), hooks=Hooks(on_request=hooked.append)
        ) as client,
    ):
        yield log, hooked, client


@pytest.fixture(params=list(MIDDLEWARES.values()), ids=list(MIDDLEWARES))
async def served(request: pytest.FixtureRequest) -> AsyncIterator[Served]:
    """:func:`_served` once with each middleware of :data:`MIDDLEWARES`."""
    async with _served(request.param) as served:
        yield served


async def test_a_write_is_sent_once_whatever_the_callers_middleware(served: Served) -> None:
    log, hooked, c = served
    with without_sleeping(), pytest.raises(lucidgreen.WriteOutcomeUnknown) as caught:
        await c.operations.request("PUT", "/api/v1/inventory/", json={"a": 1})
    assert caught.value.outcome_unknown is True
    assert len(log) == c.stats.requests == len(hooked) == 1


async def test_a_sale_is_resent_by_the_pipeline_alone_and_replayed(served: Served) -> None:
    log, hooked, c = served
    with without_sleeping():
        result = await c.transactions.complete(
            order_id="order-1", items=[LID], performed_at=datetime(2026, 1, 1, tzinfo=UTC)
        )
    assert isinstance(result, TransactionResult)
    assert result.replayed is True
    assert len(log) == c.stats.requests == len(hooked) == 2


async def test_a_read_is_retried_by_the_pipeline_and_every_try_counted(served: Served) -> None:
    log, hooked, c = served
    with without_sleeping():
        await c.products.get(LID)
    assert len(log) == c.stats.requests == len(hooked) == 2


async def test_the_503_the_server_answered_is_what_the_caller_gets() -> None:
    async with _served(again_on_5xx) as (_, _, c):
        with pytest.raises(lucidgreen.WriteOutcomeUnknown) as caught:
            await c.operations.request("PUT", "/api/v1/inventory/", json={"a": 1})
    assert isinstance(caught.value, lucidgreen.ServerError)
    assert caught.value.status == 503
    assert caught.value.outcome_unknown is True
