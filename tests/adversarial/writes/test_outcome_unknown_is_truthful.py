"""Promise attacked: ``outcome_unknown`` is truthful on every error -- never True for a read
(nor for a write that provably never left), never False once a write may have applied.

Two families break it:

- **The token request speaks for the call.** ``/o/token/`` is a POST, so a 503 or a lost
  answer from it becomes ``ServerErrorOutcomeUnknown`` / ``WriteOutcomeUnknown``, and that
  error is what a GET (or a write that was never sent) raises.
- **A failure that is raised, not returned, forgets the earlier attempts.** After a first
  attempt that may have applied (a 503, a lost answer), the resend's failure is reported on
  its own: a refused connection (``ConnectError``), a rate limiter that cannot answer
  (``RateLimiterUnavailable``) or a token renewal the endpoint refuses after a 401 all say
  ``outcome_unknown=False``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import RetryPolicy, WriteOutcomeUnknown
from lucidgreen.ratelimit import Permit, RateLimiterUnavailable, Unlimited
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import error
from tests.adversarial.support import (
    LID,
    LID2,
    NOW,
    TOKEN,
    RouteHandler,
    first_503_then,
    numbered,
    ok_product,
    serve_routes,
    token_ok,
)
from tests.adversarial.wire.hostile import SESSIONS, Ledger, Seen, Session, counted
from tests.adversarial.wire.scripted import ScriptedServer, applying, half_close

Call = Callable[[lucidgreen.RetailClient], Awaitable[Any]]
RESENDABLE: dict[str, Call] = {
    "transactions.complete": lambda r: r.transactions.complete(
        order_id="O-1", items=[LID], performed_at=NOW
    ),
    "transactions.void": lambda r: r.transactions.void(order_id="O-1", performed_at=NOW),
    "caseids.import_case": lambda r: r.caseids.import_case(
        case_uuid=LID,
        packaged_product_uuid=LID2,
        pos_product_id="P1",
        pos_inventory_id="I1",
        package_uid="PKG-1",
    ),
}


def _in_doubt(exc: lucidgreen.LucidGreenError) -> None:
    """``exc`` says the write may have applied, and ``except WriteOutcomeUnknown`` sees it."""
    assert exc.outcome_unknown, repr(exc)
    assert isinstance(exc, WriteOutcomeUnknown), repr(exc)


def _no_doubt(exc: lucidgreen.LucidGreenError) -> None:
    """``exc`` says nothing may have changed, by its flag and by its type."""
    assert not exc.outcome_unknown, repr(exc)
    assert not isinstance(exc, WriteOutcomeUnknown), repr(exc)


@asynccontextmanager
async def _credentialed(
    routes: dict[str, RouteHandler], session: Session, **options: Any
) -> AsyncIterator[tuple[lucidgreen.RetailClient, lucidgreen.SourceClient, list[str]]]:
    """Both clients with client credentials (``/o/token/`` among ``routes``)."""
    options.setdefault("retry", RetryPolicy(max_retries=0))
    options.setdefault("rate_limiter", Unlimited())
    async with serve_routes(routes) as (url, seen), aiohttp.ClientSession() as own:
        kw = {"session": own, **options} if session == "caller" else options
        async with (
            lucidgreen.RetailClient("cid", "csecret", base_url=url, **kw) as retail,
            lucidgreen.SourceClient("cid", "csecret", base_url=url, **kw) as source,
        ):
            yield retail, source, seen


async def _503(request: web.Request) -> web.Response:
    del request
    return web.Response(status=503)


async def _dropped(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()
    await asyncio.sleep(1)
    return web.Response()


TOKEN_FAULTS: dict[str, RouteHandler] = {"503": _503, "dropped": _dropped}


async def _only_the_token_was_asked(
    routes: dict[str, RouteHandler],
    session: Session,
    *,
    source_call: Callable[[lucidgreen.SourceClient], Awaitable[Any]],
) -> None:
    """``source_call`` fails, no request but the token's reached the server, and its error
    claims no unknown outcome."""
    async with _credentialed(routes, session) as (_, source, seen):
        exc = await error(source_call(source))
    assert seen
    assert set(seen) == {"POST /o/token/"}
    _no_doubt(exc)


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("fault", TOKEN_FAULTS)
async def test_a_read_whose_token_request_failed_is_no_unknown_outcome(
    fault: str, session: Session
) -> None:
    """``products.get`` could not get a token: nothing of the caller's changed anywhere."""
    routes: dict[str, RouteHandler] = {
        "/o/token/": TOKEN_FAULTS[fault],
        "/api/v1.5/products/{u}/": ok_product,
    }
    await _only_the_token_was_asked(routes, session, source_call=lambda s: s.products.get(LID))


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("fault", TOKEN_FAULTS)
async def test_a_write_never_sent_for_want_of_a_token_is_no_unknown_outcome(
    fault: str, session: Session
) -> None:
    """``assets.create`` never left (its token request failed): the issue's own rule, "an
    unsafe write must not be reported as outcome-unknown when it was provably never sent"."""
    routes: dict[str, RouteHandler] = {"/o/token/": TOKEN_FAULTS[fault]}
    await _only_the_token_was_asked(
        routes, session, source_call=lambda s: s.assets.create("texts", name="n", content="c")
    )


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("write", RESENDABLE)
async def test_a_resend_that_cannot_connect_still_says_the_first_may_have_applied(
    write: str, session: Session
) -> None:
    """The server applies the first attempt, drops its answer and goes down: the resend's
    connection is refused. The write did apply, once."""
    ledger = Ledger()
    holder: list[ScriptedServer] = []

    async def going_down(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        holder[0].stop_listening()
        return await half_close(seen, writer)

    server = ScriptedServer(applying(ledger, going_down, on=1))
    holder.append(server)
    await server.start()
    try:
        async with counted(server, session=session, retry=RetryPolicy(max_retries=2)) as c:
            with without_sleeping():
                exc = await error(RESENDABLE[write](c.retail))
    finally:
        await server.close()
    assert sum(ledger.applied.values()) == 1
    assert exc.outcome_unknown, repr(exc)


class _GoneAfterFirst:
    """A rate limiter (the protocol a caller may implement) whose store answers once."""

    def __init__(self) -> None:
        self._inner = Unlimited()

    async def acquire(self, *, hold: float | None = None, max_wait: float | None = None) -> Permit:
        if self._inner.acquired:
            raise RateLimiterUnavailable("the shared limiter's Redis did not answer")
        return await self._inner.acquire(hold=hold, max_wait=max_wait)

    async def pause(self, seconds: float) -> None:
        await self._inner.pause(seconds)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _first_503(ledger: Ledger, path: str) -> RouteHandler:
    async def handler(request: web.Request) -> web.Response:
        ledger.applied[path] += 1
        return web.Response(status=503)

    return handler


PATHS = {
    "transactions.complete": "/api/v1.2/transactions/complete/",
    "transactions.void": "/api/v1.2/transactions/void/",
    "caseids.import_case": "/api/v1.2/caseids/import/",
}


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("write", RESENDABLE)
async def test_a_limiter_failing_before_the_resend_still_says_the_first_may_have_applied(
    write: str, session: Session
) -> None:
    """A 503 (the server may have acted), then the shared limiter goes away."""
    ledger = Ledger()
    routes = {"/o/token/": token_ok, PATHS[write]: _first_503(ledger, PATHS[write])}
    options = {"retry": RetryPolicy(max_retries=2), "rate_limiter": _GoneAfterFirst()}
    async with _credentialed(routes, session, **options) as (retail, _, seen):
        with without_sleeping():
            exc = await error(RESENDABLE[write](retail))
    assert seen.count(f"POST {PATHS[write]}") == 1
    _in_doubt(exc)


async def _issued_once_then_refused(request: web.Request, n: int) -> web.Response:
    del request
    if n == 1:
        return web.json_response({"access_token": TOKEN, "expires_in": 3600})
    return web.json_response({"error": "invalid_client"}, status=401)


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("write", RESENDABLE)
async def test_a_renewal_refused_after_a_401_still_says_the_first_may_have_applied(
    write: str, session: Session
) -> None:
    """A 503 (the server may have acted), the resend a 401, and ``/o/token/`` then refuses
    the credentials: the write's outcome is as unknown as it was."""
    refused_401 = first_503_then(401, {"detail": "Given token not valid."})
    routes = {"/o/token/": numbered(_issued_once_then_refused), PATHS[write]: numbered(refused_401)}
    async with _credentialed(routes, session, retry=RetryPolicy(max_retries=2)) as (r, _, seen):
        with without_sleeping():
            exc = await error(RESENDABLE[write](r))
    assert seen.count(f"POST {PATHS[write]}") == 2
    _in_doubt(exc)


# What holds: reads never claim an unknown outcome, whatever fails, and a write that never
# left says so.


async def _read_429(request: web.Request) -> web.Response:
    del request
    return web.json_response({"detail": "throttled"}, status=429, headers={"Retry-After": "0"})


async def _read_garbage(request: web.Request) -> web.Response:
    del request
    return web.Response(status=200, body=b"<html>", content_type="application/json")


async def _read_slow(request: web.Request) -> web.Response:
    del request
    await asyncio.sleep(5)
    return web.json_response({})


# fault -> (the handler, attempts of each read: a 2xx is an answer, never retried)
READ_FAULTS: dict[str, tuple[RouteHandler, int]] = {
    "503": (_503, 2),
    "dropped": (_dropped, 2),
    "429": (_read_429, 2),
    "2xx garbage": (_read_garbage, 1),
    "timeout": (_read_slow, 2),
}


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("fault", READ_FAULTS)
async def test_a_read_never_claims_an_unknown_outcome(fault: str, session: Session) -> None:
    """A typed GET and an escape-hatch GET, retried until the policy gives up on each fault:
    whatever they raise says nothing may have changed."""
    handler, attempts = READ_FAULTS[fault]
    routes = {"/o/token/": token_ok, "/api/{tail:.*}": handler}
    options = {"retry": RetryPolicy(max_retries=1), "timeout": 0.5}
    async with _credentialed(routes, session, **options) as (retail, source, seen):
        with without_sleeping():
            errors = [
                await error(source.products.get(LID)),
                await error(retail.request("GET", "products/")),
            ]
    assert len(seen) == 2 + 2 * attempts, seen  # a token per client, then each read
    for exc in errors:
        _no_doubt(exc)


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_whose_connection_never_opened_says_nothing_was_sent(
    session: Session,
) -> None:
    """The server is gone before the write: ConnectError, ``request_sent`` False and no
    unknown outcome."""
    async with serve_routes({}) as (url, _):
        pass  # the port is closed again: every connection is refused
    async with aiohttp.ClientSession() as own:
        kw: dict[str, Any] = {"session": own} if session == "caller" else {}
        client = lucidgreen.SourceClient(
            token=TOKEN, base_url=url, rate_limiter=Unlimited(), retry=RetryPolicy.none(), **kw
        )
        async with client:
            exc = await error(client.assets.create("texts", name="n", content="c"))
    assert isinstance(exc, lucidgreen.ConnectError), repr(exc)
    assert not exc.request_sent
    assert not exc.outcome_unknown


def _see_other(ledger: Ledger) -> RouteHandler:
    """Post/Redirect/Get: the write is applied, then answered 303 to where its result is."""

    async def handler(request: web.Request) -> web.Response:
        ledger.applied[f"{request.method} {request.path}"] += 1
        return web.Response(status=303, headers={"Location": "/api/v1.5/assets/texts/N1/"})

    return handler


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_answered_303_see_other_may_have_applied(session: Session) -> None:
    """``assets.create`` answered 303 (applied, "see the result there"): the SDK follows no
    redirect, and must not tell the caller nothing happened."""
    ledger = Ledger()
    routes = {"/o/token/": token_ok, "/api/v1.5/assets/{tail:.*}": _see_other(ledger)}
    async with _credentialed(routes, session) as (_, source, _seen):
        exc = await error(source.assets.create("texts", name="n", content="c"))
    assert isinstance(exc, lucidgreen.UnexpectedStatus), repr(exc)
    assert sum(ledger.applied.values()) == 1
    _in_doubt(exc)
