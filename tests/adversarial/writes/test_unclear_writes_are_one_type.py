"""Attack: a write whose outcome is unclear slips past ``except WriteOutcomeUnknown``, or a
DELETE (which changes state on this API) is resent after one.

A loopback server answers every request 503 and counts them. A write the SDK will not
resend must reach it once, and its error must be catchable both as the
``WriteOutcomeUnknown`` the docs tell callers to catch and as the ``ServerError`` it is.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen.ids import from_uuid
from lucidgreen.ratelimit import Unlimited
from tests.adversarial.support import running

pytestmark = pytest.mark.usefixtures("lucidgreen_no_backoff")


@asynccontextmanager
async def failing_server(calls: list[str]) -> AsyncIterator[str]:
    """Every request is answered 503 and recorded as ``METHOD path``."""

    async def fail(request: web.Request) -> web.Response:
        calls.append(f"{request.method} {request.path}")
        return web.json_response({"detail": "unavailable"}, status=503)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fail)
    async with running(app) as url:
        yield url


async def test_a_write_answered_5xx_is_a_write_outcome_unknown_sent_once() -> None:
    """A PUT through the escape hatch meets a 503: sent once, caught as both types."""
    calls: list[str] = []
    async with (
        failing_server(calls) as url,
        lucidgreen.RetailClient(token="t0ken", base_url=url, rate_limiter=Unlimited()) as retail,
    ):
        with pytest.raises(lucidgreen.WriteOutcomeUnknown) as caught:
            await retail.operations.request("PUT", "inventory/collections/x/", json={"a": 1})
    assert isinstance(caught.value, lucidgreen.ServerError)
    assert caught.value.status == 503
    assert caught.value.outcome_unknown
    assert len(calls) == 1


async def test_a_delete_is_not_resent_after_a_5xx() -> None:
    """``assets.delete`` meets a 503: one DELETE reaches the server, not six."""
    calls: list[str] = []
    asset = from_uuid(uuid.uuid4())
    async with (
        failing_server(calls) as url,
        lucidgreen.SourceClient(token="t0ken", base_url=url, rate_limiter=Unlimited()) as source,
    ):
        with pytest.raises(lucidgreen.WriteOutcomeUnknown):
            await source.assets.delete(asset)
    assert calls == [f"DELETE /api/v1.5/assets/text/{asset}/delete/"]


async def test_a_read_answered_5xx_is_retried_and_stays_a_plain_server_error() -> None:
    """Reads change nothing: retried by the policy, and never called outcome-unknown."""
    calls: list[str] = []
    policy = lucidgreen.RetryPolicy(max_retries=2)
    async with (
        failing_server(calls) as url,
        lucidgreen.SourceClient(
            token="t0ken", base_url=url, rate_limiter=Unlimited(), retry=policy
        ) as source,
    ):
        with pytest.raises(lucidgreen.ServerError) as caught:
            await source.products.get(from_uuid(uuid.uuid4()))
    assert not isinstance(caught.value, lucidgreen.WriteOutcomeUnknown)
    assert len(calls) == 3
