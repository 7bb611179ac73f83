"""Every request that reaches the wire is an attempt the SDK counted, whatever the connection
does, and no write is applied twice.

The hostile server resets the connection before any response byte, after the headers or
mid-body (each after applying the request: the worst case for a write), or answers
``Connection: close`` on every other request, as some proxies do. For a read, a write the API
cannot recognise again (``operations.request("PUT")``) and one it can (a sale, by
``order_id``), with the client's own session and a caller's ``session=``, the server's
request count equals the SDK's stats, ``on_request`` hooks and OpenTelemetry attempt spans.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pytest

from lucidgreen import RetryPolicy
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import outcome_of
from tests.adversarial.support import NOW
from tests.adversarial.wire.hostile import (
    LID,
    SESSIONS,
    Counted,
    Decide,
    Fault,
    Ledger,
    Session,
    counted,
    hostile,
)

Call = Callable[[Counted, int], Awaitable[Any]]
# kind -> (the call, what it gives after one broken answer, requests the server reads)
KINDS: dict[str, tuple[Call, str, int]] = {
    "read": (lambda c, n: c.retail.products.get(LID), "success", 2),
    "unrecognisable write": (
        lambda c, n: c.retail.operations.request("PUT", "thing/", json={"n": n}),
        "WriteOutcomeUnknown",
        1,
    ),
    "sale": (
        lambda c, n: c.retail.transactions.complete(
            order_id=f"O-{n}", items=[LID], performed_at=NOW
        ),
        "replayed",
        2,
    ),
}
BROKEN = [Fault.RESET, Fault.AFTER_HEADERS, Fault.MID_BODY]


def _gives(outcome: Any) -> str:
    if isinstance(outcome, BaseException):
        return type(outcome).__name__
    return "replayed" if isinstance(outcome, TransactionResult) and outcome.replayed else "success"


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", BROKEN, ids=[f.name.lower() for f in BROKEN])
async def test_a_broken_answer_is_retried_or_reported_and_every_attempt_counted(
    fault: Fault, kind: str, session: Session
) -> None:
    """After a read has pooled a connection, the call's first request meets the fault: the
    read is retried and succeeds, the sale is resent and replayed, the unrecognisable write is
    reported once as WriteOutcomeUnknown. The server saw what the SDK counted."""
    call, gives, reads = KINDS[kind]
    ledger = Ledger()
    async with (
        # request 2, the call's first, is applied and then meets the fault
        hostile(ledger.spoiled(lambda n, answer: fault if n == 2 else answer)) as server,
        counted(server, session=session, retry=RetryPolicy(max_retries=3)) as client,
    ):
        await client.retail.products.get(LID)  # leaves a pooled connection behind
        with without_sleeping():
            outcome = await outcome_of(call(client, 1))
        client.assert_counted(server)
    assert _gives(outcome) == gives, repr(outcome)
    assert len(server.requests) == 1 + reads
    assert ledger.applied_twice() == []


def _closes_every_other(ledger: Ledger) -> Decide:
    return ledger.spoiled(
        lambda n, answer: attrs.evolve(answer, close=True) if n % 2 == 0 else answer
    )


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("concurrent", [False, True], ids=["one-by-one", "concurrent"])
async def test_connection_close_on_every_other_answer_costs_nothing(
    session: Session, concurrent: bool
) -> None:
    """A proxy that closes every other connection after answering: 24 mixed calls all
    succeed first time, none is resent, each write is applied once, and every count agrees."""
    ledger = Ledger()
    kinds = list(KINDS.values())
    async with (
        hostile(_closes_every_other(ledger)) as server,
        counted(server, session=session) as client,
    ):
        calls = [kinds[n % 3][0](client, n) for n in range(24)]
        if concurrent:
            outcomes = await asyncio.gather(*(outcome_of(c) for c in calls))
        else:
            outcomes = [await outcome_of(c) for c in calls]
        client.assert_counted(server)
    assert [_gives(o) for o in outcomes] == ["success"] * 24
    assert len(server.requests) == 24
    assert len(ledger.applied) == 16
    assert ledger.applied_twice() == []
