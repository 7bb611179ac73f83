"""Promise attacked: every write whose outcome is unclear is catchable as
``lucidgreen.WriteOutcomeUnknown`` (issue #20: "Make ``except lucidgreen.WriteOutcomeUnknown``
catch every case where a write may or may not have been applied").

The invariant checked on every error a write raises here: ``exc.outcome_unknown`` (the SDK's
own word that the write may have applied) implies ``isinstance(exc, WriteOutcomeUnknown)``.
The hostile servers try the paths that once broke it: a 2xx whose body cannot be read
(``DecodeError``), a resendable write whose resend runs out of deadline while it waits for
rate-limit budget (``DeadlineExceeded``, raised rather than returned), and a 401 to the
resend after a 503 (``AuthenticationError``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import RetryPolicy, WriteOutcomeUnknown
from lucidgreen.ratelimit import TokenBucket
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import error
from tests.adversarial.support import LID, LID2, NOW, TOKEN, Handler, first_503_then, serve

Write = Callable[[lucidgreen.RetailClient, lucidgreen.SourceClient], Awaitable[Any]]
WRITES: dict[str, Write] = {
    "transactions.complete": lambda r, s: r.transactions.complete(
        order_id="O-1", items=[LID], performed_at=NOW
    ),
    "transactions.void": lambda r, s: r.transactions.void(order_id="O-1", performed_at=NOW),
    "transactions.void without order_id": lambda r, s: r.transactions.void(performed_at=NOW),
    "caseids.import_case": lambda r, s: r.caseids.import_case(
        case_uuid=LID,
        packaged_product_uuid=LID2,
        pos_product_id="P1",
        pos_inventory_id="I1",
        package_uid="PKG-1",
    ),
    "inventory.add_items": lambda r, s: r.inventory.add_items(
        LID, case_uuid=LID2, lucid_ids=[LID2]
    ),
    "operations.request PUT": lambda r, s: r.operations.request("PUT", "thing/", json={}),
    "retail.request POST": lambda r, s: r.request("POST", "thing/", json={}),
    "source.assets.create": lambda r, s: s.assets.create("texts", name="n", content="c"),
    "source.request DELETE": lambda r, s: s.request("DELETE", "thing/1/"),
}
RESENDABLE = ["transactions.complete", "transactions.void", "caseids.import_case"]


@asynccontextmanager
async def clients(
    handler: Handler, session: str, **options: Any
) -> AsyncIterator[tuple[lucidgreen.RetailClient, lucidgreen.SourceClient, list[Any]]]:
    """Both clients on one loopback server, with the static token and no budget wait unless
    ``options`` say otherwise; ``session="caller"`` hands them a caller's session."""
    options.setdefault("retry", RetryPolicy(max_retries=0))
    async with serve(handler) as (url, log), aiohttp.ClientSession() as own:
        kw: dict[str, Any] = {"rate_limiter": lucidgreen.ratelimit.Unlimited(), **options}
        if session == "caller":
            kw["session"] = own
        async with (
            lucidgreen.RetailClient(token=TOKEN, base_url=url, **kw) as retail,
            lucidgreen.SourceClient(token=TOKEN, base_url=url, **kw) as source,
        ):
            yield retail, source, log


def _assert_catchable(exc: lucidgreen.LucidGreenError) -> None:
    assert exc.outcome_unknown, f"the write may have applied: {exc!r}"
    assert isinstance(exc, WriteOutcomeUnknown), (
        f"{type(exc).__name__} says outcome_unknown=True, yet "
        f"`except lucidgreen.WriteOutcomeUnknown` misses it: {exc}"
    )


def _answering(status: int, body: bytes) -> Handler:
    async def handler(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.Response(status=status, body=body, content_type="application/json")

    return handler


UNREADABLE = {
    "an HTML page": b"<html><body>OK</body></html>",
    "JSON cut short": b'{"status": "succ',
}


@pytest.mark.parametrize("session", ["default", "caller"])
@pytest.mark.parametrize("body", UNREADABLE, ids=list(UNREADABLE))
@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
async def test_a_2xx_whose_body_cannot_be_read_is_write_outcome_unknown(
    write: str, body: str, session: str
) -> None:
    """The server applied the write and answered 200 with a body nobody can read."""
    async with clients(_answering(200, UNREADABLE[body]), session) as (retail, source, log):
        exc = await error(WRITES[write](retail, source))
    _assert_catchable(exc)
    assert len(log) == 1


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
async def test_a_2xx_too_large_to_read_is_write_outcome_unknown(write: str) -> None:
    """The server applied the write and answered 200 with more than ``max_body_size``."""
    big = b'{"pad": "' + b"x" * 4096 + b'"}'
    async with clients(_answering(200, big), "default", max_body_size=1024) as (r, s, log):
        exc = await error(WRITES[write](r, s))
    _assert_catchable(exc)
    assert len(log) == 1


@pytest.mark.parametrize("session", ["default", "caller"])
@pytest.mark.parametrize("write", RESENDABLE)
async def test_a_resend_left_waiting_for_budget_past_the_deadline_is_write_outcome_unknown(
    write: str, session: str
) -> None:
    """The first attempt met a 503 (it may have applied); the resend finds the budget spent
    for a minute and the call's 10 s deadline cannot wait for it."""
    options = {
        "retry": RetryPolicy(max_retries=3, deadline=10, jitter="none"),
        "rate_limiter": TokenBucket(limit=1, per=60),
    }
    async with clients(first_503_then(200, {}), session, **options) as (retail, source, log):
        with without_sleeping():
            exc = await error(WRITES[write](retail, source))
    _assert_catchable(exc)
    assert len(log) == 1


@pytest.mark.parametrize("write", RESENDABLE)
async def test_a_401_to_the_resend_after_a_503_is_write_outcome_unknown(write: str) -> None:
    """The first attempt met a 503 (it may have applied), the resend a 401 the static token
    cannot renew: whether the write happened is still unknown."""
    refused = first_503_then(401, {"detail": "Invalid token."})
    async with clients(refused, "default", retry=RetryPolicy(max_retries=2)) as (r, s, log):
        with without_sleeping():
            exc = await error(WRITES[write](r, s))
    _assert_catchable(exc)
    assert len(log) == 2


@pytest.mark.parametrize("session", ["default", "caller"])
@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
async def test_a_write_refused_outright_is_no_unknown_outcome(write: str, session: str) -> None:
    """A 400 to a first attempt says the write was refused: neither outcome_unknown nor a
    WriteOutcomeUnknown (the other half of the invariant: no false alarm)."""
    refused = _answering(400, b'{"detail": "No."}')
    async with clients(refused, session) as (retail, source, log):
        exc = await error(WRITES[write](retail, source))
    assert not exc.outcome_unknown, repr(exc)
    assert not isinstance(exc, WriteOutcomeUnknown)
    assert len(log) == 1
