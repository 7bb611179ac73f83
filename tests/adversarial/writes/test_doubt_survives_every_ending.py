"""Promise attacked: ``except lucidgreen.WriteOutcomeUnknown`` catches every write whose
outcome is unclear, however the call ends, and the error keeps its own type too; a read is
never reported in doubt.

Each hostile server leaves a write in doubt one way (a 503 that may have applied, a lost
answer, an unreadable 2xx) and then ends the call another way (a refusal of the resend, the
deadline running out, the retries spent)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import RetryPolicy, WriteOutcomeUnknown
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import REFUSALS
from tests.adversarial.support import LID, first_503_then, retail, serve, source

WHEN = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("status", "cls"), REFUSALS)
async def test_a_refused_resend_of_a_sale_is_in_doubt_and_keeps_its_type(
    status: int, cls: type[lucidgreen.APIError]
) -> None:
    """complete() is resent after a 503; the resend is refused. The first attempt may have
    recorded the sale: both ``except`` clauses a caller may write see it."""
    body = {"detail": "no"}
    async with (
        serve(first_503_then(status, body)) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        with without_sleeping(), pytest.raises(WriteOutcomeUnknown) as caught:
            await client.transactions.complete(order_id="O-1", items=[LID], performed_at=WHEN)
    assert isinstance(caught.value, cls)
    assert caught.value.status == status
    assert caught.value.data == body
    assert caught.value.prior_outcome_unknown
    assert len(log) == 2


async def test_a_deadline_after_a_write_that_may_have_applied_is_in_doubt() -> None:
    """The first attempt gets a 503 (may have applied); the resend hangs past the call's
    deadline. The call ends as a timeout, ``except TimeoutError`` and
    ``except WriteOutcomeUnknown`` both catch it."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del request
        if n == 1:
            return web.Response(status=503, headers={"Retry-After": "0"})
        await asyncio.sleep(30)
        return web.json_response({})

    policy = RetryPolicy(max_retries=3, deadline=2.0, min_attempt_time=0.5)
    async with serve(handler) as (url, log), retail(url, retry=policy) as client:
        with pytest.raises(WriteOutcomeUnknown) as caught:
            await client.transactions.complete(order_id="O-1", items=[LID], performed_at=WHEN)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.outcome_unknown
    assert len(log) == 2


async def test_an_unreadable_answer_to_a_create_is_in_doubt_and_keeps_the_body() -> None:
    async def handler(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.Response(status=201, text="{not json", content_type="application/json")

    async with serve(handler) as (url, log), source(url) as client:
        with pytest.raises(WriteOutcomeUnknown) as caught:
            await client.assets.create("texts", name="n", content="c")
    assert isinstance(caught.value, lucidgreen.DecodeError)
    assert caught.value.text == "{not json"
    assert len(log) == 1


async def test_a_rate_limited_resend_with_retries_spent_is_in_doubt() -> None:
    async def handler(request: web.Request, n: int) -> web.Response:
        del request
        if n == 1:
            return web.Response(status=503)
        return web.json_response({"detail": "throttled"}, status=429, headers={"Retry-After": "0"})

    async with (
        serve(handler) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        with without_sleeping(), pytest.raises(WriteOutcomeUnknown) as caught:
            await client.transactions.void(order_id="O-1", performed_at=WHEN)
    assert isinstance(caught.value, lucidgreen.RateLimited)
    assert len(log) == 3


async def test_a_read_that_met_a_503_then_a_400_is_a_plain_refusal() -> None:
    """Nothing a GET does is in doubt: its error is never a WriteOutcomeUnknown."""
    async with (
        serve(first_503_then(400, {"detail": "no"})) as (url, log),
        source(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        with without_sleeping(), pytest.raises(lucidgreen.BadRequest) as caught:
            await client.products.get(LID)
    assert not isinstance(caught.value, WriteOutcomeUnknown)
    assert not caught.value.outcome_unknown
    assert len(log) == 2


async def test_a_write_refused_at_once_is_no_doubt() -> None:
    """A 400 to the first and only attempt says the server refused it: a plain BadRequest."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.json_response({"detail": "Invalid package."}, status=400)

    async with serve(handler) as (url, _log), retail(url) as client:
        with pytest.raises(lucidgreen.BadRequest) as caught:
            await client.transactions.void(order_id="O-1", performed_at=WHEN)
    assert not isinstance(caught.value, WriteOutcomeUnknown)
    assert not caught.value.outcome_unknown
