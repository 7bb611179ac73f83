"""Promise attacked: exactly once where the API can tell -- after an unclear first attempt,
the duplicate answer to our own resend is reported as the replayed success it is, and only
then; whatever the server's answer looks like, no sale is applied twice.

The hostile server applies the first attempt and answers it with a 503, then answers the
resend with the duplicate refusal dressed oddly: surrounding whitespace (a proxy's newline),
the order id echoed as a number, package uids ending in a dot or a space. It also runs
concurrent calls for one order under dropped answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import CaseAlreadyImported, RetryPolicy, TransactionAlreadyProcessed
from lucidgreen.retail._rules import ALREADY_PROCESSED
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import outcome_of
from tests.adversarial.support import (
    LID,
    LID2,
    NOW,
    RouteHandler,
    first_503_then,
    numbered,
    retail,
    serve,
    serve_routes,
)
from tests.adversarial.wire.hostile import SESSIONS, Fault, Ledger, Session, counted, hostile

Sale = Callable[[lucidgreen.RetailClient, str], Awaitable[TransactionResult]]
SALES: dict[str, Sale] = {
    "complete": lambda c, order: c.transactions.complete(
        order_id=order, items=[LID], performed_at=NOW
    ),
    "void": lambda c, order: c.transactions.void(order_id=order, performed_at=NOW),
}


async def _resent(
    body: dict[str, Any], call: Callable[[lucidgreen.RetailClient], Awaitable[Any]]
) -> tuple[Any, int]:
    """``call`` (resent up to twice) against a server that applies the first attempt and
    answers it 503, then meets every resend with ``body`` (400): the call's outcome, and how
    many requests reached the server."""
    async with (
        serve(first_503_then(400, body)) as (url, log),
        retail(url, retry=RetryPolicy(max_retries=2)) as client,
    ):
        with without_sleeping():
            outcome = await outcome_of(call(client))
    return outcome, len(log)


PADDED = {
    "a trailing newline": ALREADY_PROCESSED + "\n",
    "surrounding spaces": f"  {ALREADY_PROCESSED}  ",
}


@pytest.mark.parametrize("padding", PADDED)
@pytest.mark.parametrize("sale", SALES)
async def test_a_padded_duplicate_answer_to_our_resend_is_a_replay(sale: str, padding: str) -> None:
    body = {"message": PADDED[padding]}
    outcome, requests = await _resent(body, lambda c: SALES[sale](c, "O-1"))
    assert isinstance(outcome, TransactionResult), repr(outcome)
    assert outcome.replayed
    assert requests == 2


@pytest.mark.parametrize("sale", SALES)
async def test_a_duplicate_echoing_our_order_id_as_a_number_is_a_replay(sale: str) -> None:
    """We sent ``order_id="1001"``; the server echoes it back as the number 1001."""
    body = {"message": ALREADY_PROCESSED, "order_id": 1001}
    outcome, _ = await _resent(body, lambda c: SALES[sale](c, "1001"))
    assert isinstance(outcome, TransactionResult), repr(outcome)
    assert outcome.replayed


@pytest.mark.parametrize("sale", SALES)
async def test_a_duplicate_naming_another_order_of_another_type_is_no_replay(sale: str) -> None:
    """The resend's duplicate names order 1002 while we sent "1001": never a replay, and the
    error still says the first attempt may have applied."""
    body = {"message": ALREADY_PROCESSED, "order_id": 1002}
    outcome, _ = await _resent(body, lambda c: SALES[sale](c, "1001"))
    assert isinstance(outcome, lucidgreen.LucidGreenError), repr(outcome)
    assert outcome.outcome_unknown


def _imported(case: str, package_uid: str) -> dict[str, str]:
    """LucidRetail's documented answer: the uid, then a period."""
    return {"detail": f"Items in CaseID {case} are already imported into inventory {package_uid}."}


def _import(package_uid: str) -> Callable[[lucidgreen.RetailClient], Awaitable[Any]]:
    return lambda client: client.caseids.import_case(
        case_uuid=LID,
        packaged_product_uuid=LID2,
        pos_product_id="P1",
        pos_inventory_id="I1",
        package_uid=package_uid,
    )


ODD_UIDS = ["PKG-1.", "PKG-1 ", " PKG-1", "PKG.1..", "inventory PKG-1"]


@pytest.mark.parametrize("package_uid", ODD_UIDS, ids=repr)
async def test_our_own_import_with_an_odd_package_uid_is_a_replay(package_uid: str) -> None:
    """A package uid ending in a dot or a space, or holding the message's own words: the
    documented duplicate answer for exactly that uid, after a 503, is our replay."""
    outcome, requests = await _resent(_imported(LID, package_uid), _import(package_uid))
    assert getattr(outcome, "replayed", False), repr(outcome)
    assert outcome.package_uid == package_uid
    assert requests == 2


@pytest.mark.parametrize(
    ("sent", "named"),
    [("PKG-1.", "PKG-1"), ("PKG-1", "PKG-1 2"), ("PKG-1 ", "PKG-1 x"), ("PKG-1", "pkg-1")],
)
async def test_an_import_duplicate_for_a_near_miss_uid_is_a_conflict(sent: str, named: str) -> None:
    """The duplicate names a package uid that differs from ours by a dot, a suffix or
    case: a real conflict (CaseAlreadyImported naming it), never our replay; and since the
    first attempt met a 503, the error says the outcome is unknown."""
    outcome, _ = await _resent(_imported(LID, named), _import(sent))
    assert isinstance(outcome, CaseAlreadyImported), repr(outcome)
    assert outcome.package_uid != sent
    assert outcome.outcome_unknown


async def test_an_import_duplicate_naming_another_case_is_no_replay() -> None:
    """After a 503, "already imported" about another CaseID proves nothing about ours."""
    outcome, _ = await _resent(_imported(LID2, "PKG-1"), _import("PKG-1"))
    assert isinstance(outcome, CaseAlreadyImported), repr(outcome)
    assert outcome.outcome_unknown


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("calls", [2, 5])
async def test_concurrent_calls_for_one_order_apply_it_once(calls: int, session: Session) -> None:
    """``calls`` tasks complete the same order at once while every other answer is lost:
    the sale is applied once; each call ends replayed, refused as already processed, or (at
    most one) a plain success -- never two plain successes for one order."""
    ledger = Ledger()
    async with (
        hostile(ledger.spoiled(lambda n, answer: Fault.DROP if n % 2 else answer)) as server,
        counted(server, session=session, retry=RetryPolicy(max_retries=4)) as client,
    ):
        with without_sleeping():
            outcomes = await asyncio.gather(
                *(outcome_of(SALES["complete"](client.retail, "O-1")) for _ in range(calls))
            )
        client.assert_counted(server)
    assert ledger.applied == {"sale O-1": 1}
    plain = [o for o in outcomes if isinstance(o, TransactionResult) and not o.replayed]
    assert len(plain) <= 1, outcomes
    for o in outcomes:
        assert isinstance(o, TransactionResult | TransactionAlreadyProcessed), repr(o)


def _lost_then_revoked_then_duplicate(ledger: Ledger) -> RouteHandler:
    """The sale: applied and its answer lost; the resend refused 401 (the token was revoked
    meanwhile); the replay with a new token met by the duplicate answer."""
    attempts = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            ledger.applied["sale O-1"] += 1
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(1)
        if attempts == 2:
            return web.json_response({"detail": "Given token not valid."}, status=401)
        return web.json_response({"message": ALREADY_PROCESSED}, status=400)

    return handler


async def _tokens(request: web.Request, n: int) -> web.Response:
    del request
    return web.json_response({"access_token": f"token{n}", "expires_in": 3600})


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("sale", SALES)
async def test_a_sale_lost_then_refused_401_is_replayed_after_renewal(
    sale: str, session: Session
) -> None:
    """The 401 renewal's replay still knows the first attempt was unclear: the duplicate it
    meets is our own sale, reported replayed; applied once."""
    ledger = Ledger()
    path = f"/api/v1.2/transactions/{sale}/"
    routes = {"/o/token/": numbered(_tokens), path: _lost_then_revoked_then_duplicate(ledger)}
    async with serve_routes(routes) as (url, seen), aiohttp.ClientSession() as own:
        kw: dict[str, Any] = {"session": own} if session == "caller" else {}
        client = lucidgreen.RetailClient(
            "cid", "csecret", base_url=url, retry=RetryPolicy(max_retries=2), **kw
        )
        async with client:
            with without_sleeping():
                outcome = await outcome_of(SALES[sale](client, "O-1"))
    assert isinstance(outcome, TransactionResult), repr(outcome)
    assert outcome.replayed
    token, sent = "POST /o/token/", f"POST {path}"
    assert seen == [token, sent, sent, token, sent]
    assert ledger.applied == {"sale O-1": 1}
