"""Promise attacked: a write resent after an unclear outcome is reported as a replayed
success only when the duplicate answer is about our own write, and every write whose
outcome stays unclear is catchable as ``WriteOutcomeUnknown``.

The hostile server answers the first attempt with a 503 (which may have applied it) and
the resend with a duplicate refusal about *another* order, or with a refusal that is no
duplicate at all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from lucidgreen import (
    APIError,
    RetryPolicy,
    TransactionAlreadyProcessed,
    WriteOutcomeUnknown,
)
from lucidgreen.retail._rules import ALREADY_PROCESSED
from lucidgreen.retry import without_sleeping
from tests.adversarial.support import LID, LID2, retail, serve

WHEN = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


def _then(second: tuple[int, dict[str, Any]]) -> Any:
    async def handler(request: web.Request, n: int) -> web.Response:
        del request
        if n == 1:
            return web.Response(status=503)
        status, body = second
        return web.json_response(body, status=status)

    return handler


@pytest.mark.parametrize("verb", ["void", "complete"])
async def test_a_duplicate_answer_naming_another_order_is_no_replay(verb: str) -> None:
    """The resend's "already processed" names order O-2, not ours (O-1): it proves nothing
    about O-1, so no ``replayed=True`` success is reported for it."""
    answer = (400, {"message": ALREADY_PROCESSED, "order_id": "O-2"})
    async with (
        serve(_then(answer)) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        send = (
            client.transactions.void(order_id="O-1", performed_at=WHEN)
            if verb == "void"
            else client.transactions.complete(order_id="O-1", items=[LID], performed_at=WHEN)
        )
        with without_sleeping(), pytest.raises(TransactionAlreadyProcessed) as caught:
            await send
    assert isinstance(caught.value, WriteOutcomeUnknown)
    assert caught.value.outcome_unknown
    assert caught.value.data == {"message": ALREADY_PROCESSED, "order_id": "O-2"}
    assert len(log) == 2


@pytest.mark.parametrize(
    "second",
    [
        (400, {"detail": "Invalid package."}),
        (403, {"detail": "You do not have permission to perform this action."}),
        (429, {"detail": "Request was throttled."}),
    ],
    ids=["400", "403", "429"],
)
async def test_a_write_left_unclear_by_a_503_is_catchable_as_write_outcome_unknown(
    second: tuple[int, dict[str, Any]],
) -> None:
    """import_case met a 503 (it may have applied) and its resend a refusal that is not the
    duplicate answer: whether the CaseID is imported is unknown, and the README's
    ``except lucidgreen.WriteOutcomeUnknown`` must catch it."""
    async with (
        serve(_then(second)) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=1)) as client,
    ):
        with without_sleeping(), pytest.raises(WriteOutcomeUnknown) as caught:
            await client.caseids.import_case(
                case_uuid=LID,
                packaged_product_uuid=LID2,
                pos_product_id="P1",
                pos_inventory_id="I1",
                package_uid="PKG-1",
            )
    status, body = second
    assert isinstance(caught.value, APIError)
    assert (caught.value.status, caught.value.data) == (status, body)
    assert caught.value.outcome_unknown
    assert caught.value.prior_outcome_unknown
    assert len(log) == 2


async def test_a_duplicate_answer_without_an_order_id_is_still_our_replay() -> None:
    """The documented body (no order id): after a 503 it is our own void, replayed."""
    async with (
        serve(_then((400, {"message": ALREADY_PROCESSED}))) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        with without_sleeping():
            result = await client.transactions.void(order_id="O-1", performed_at=WHEN)
    assert result.replayed
    assert len(log) == 2


async def test_a_duplicate_after_a_429_is_the_callers_own_earlier_write() -> None:
    """A 429 proves the first attempt was not applied: the duplicate answer to the resend is
    an earlier call's, raised as TransactionAlreadyProcessed, not a replayed success."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del request
        if n == 1:
            return web.json_response(
                {"detail": "throttled"}, status=429, headers={"Retry-After": "0"}
            )
        return web.json_response({"message": ALREADY_PROCESSED}, status=400)

    async with (
        serve(handler) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        with without_sleeping(), pytest.raises(TransactionAlreadyProcessed) as caught:
            await client.transactions.void(order_id="O-1", performed_at=WHEN)
    assert not caught.value.outcome_unknown
    assert len(log) == 2
