"""Every request that reaches the wire is an attempt the SDK counted, for answers stranger
than a reset: a half-close, ``100 Continue`` then a reset, chunked bodies cut in a size
line, mid-chunk or just before the last chunk, headers then silence, HTTP/1.0 answers that
end with the connection, and a 307/308 to a write. No write is applied twice, and a
redirect of a write is never followed (aiohttp would resend its body to the new place).

Each runs with the client's own session and a caller's ``session=``; the server's count
must equal stats, ``on_request`` hooks and OpenTelemetry attempt spans.
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
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from tests.adversarial.exports.readers import READS, read_export
from tests.adversarial.outcomes import outcome_of
from tests.adversarial.support import NOW, retail, serve
from tests.adversarial.wire.hostile import (
    LID,
    SESSIONS,
    Answer,
    Counted,
    Ledger,
    Seen,
    Session,
    counted,
)
from tests.adversarial.wire.scripted import (
    SCRIPTS,
    Script,
    ScriptedServer,
    applying,
    half_close,
    headers_then_silence,
    http10,
    part_of_the_body_then_silence,
    redirecting,
    scripted,
)

Call = Callable[[Counted], Awaitable[Any]]
# kind -> (the call, what it gives after one broken answer, requests the server then reads)
KINDS: dict[str, tuple[Call, str, int]] = {
    "read": (lambda c: c.retail.products.get(LID), "success", 2),
    "unrecognisable write": (
        lambda c: c.retail.operations.request("PUT", "thing/", json={"n": 1}),
        "WriteOutcomeUnknown",
        1,
    ),
    "escape-hatch DELETE": (
        lambda c: c.retail.request("DELETE", "thing/1/"),
        "WriteOutcomeUnknown",
        1,
    ),
    "sale": (
        lambda c: c.retail.transactions.complete(order_id="O-1", items=[LID], performed_at=NOW),
        "replayed",
        2,
    ),
}


def _gives(outcome: Any) -> str:
    if isinstance(outcome, WriteOutcomeUnknown):  # the promise: one except clause catches it
        return "WriteOutcomeUnknown"
    if isinstance(outcome, BaseException):
        return type(outcome).__name__
    return "replayed" if isinstance(outcome, TransactionResult) and outcome.replayed else "success"


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", SCRIPTS)
async def test_an_answer_that_never_ends_is_retried_or_reported_and_counted(
    fault: str, kind: str, session: Session
) -> None:
    """A read pools a connection; the call's first request is applied and met by the
    fault. The read is retried, the sale resent and replayed, the writes the API cannot
    recognise reported once as WriteOutcomeUnknown; the server saw what the SDK counted."""
    call, gives, reads = KINDS[kind]
    ledger = Ledger()
    async with (
        scripted(applying(ledger, SCRIPTS[fault], on=2)) as server,
        counted(server, session=session, retry=RetryPolicy(max_retries=3)) as client,
    ):
        await client.retail.products.get(LID)
        with without_sleeping():
            outcome = await outcome_of(call(client))
        client.assert_counted(server)
    assert _gives(outcome) == gives, repr(outcome)
    assert len(server.requests) == 1 + reads
    assert ledger.applied_twice() == []


SILENCES: dict[str, tuple[Script, dict[str, Any]]] = {
    "timeout after the headers": (headers_then_silence, {"timeout": 0.5}),
    "deadline firing mid-body": (
        part_of_the_body_then_silence,
        {"retry": RetryPolicy(max_retries=3, deadline=1.5, min_attempt_time=0.5)},
    ),
}


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("kind", ["unrecognisable write", "escape-hatch DELETE", "sale"])
@pytest.mark.parametrize("silence", SILENCES)
async def test_a_write_whose_answer_stops_coming_is_write_outcome_unknown(
    silence: str, kind: str, session: Session
) -> None:
    """The write is applied and its answer stops after the head (or part of the body) until
    the timeout or the call's deadline ends it: WriteOutcomeUnknown, every attempt counted,
    nothing applied twice (the sale may be resent only within its deadline)."""
    script, options = SILENCES[silence]
    options = {"retry": RetryPolicy(max_retries=0), **options}
    call, _, _ = KINDS[kind]
    ledger = Ledger()
    async with (
        scripted(applying(ledger, script, on=1)) as server,
        counted(server, session=session, **options) as client,
    ):
        with without_sleeping():
            outcome = await outcome_of(call(client))
        client.assert_counted(server)
    assert isinstance(outcome, lucidgreen.WriteOutcomeUnknown), repr(outcome)
    assert outcome.outcome_unknown
    assert ledger.applied_twice() == []


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("continue_first", [False, True], ids=["plain", "100-continue-first"])
async def test_http10_answers_that_end_with_the_connection_cost_nothing(
    session: Session, continue_first: bool
) -> None:
    """An HTTP/1.0 proxy: every answer without Content-Length, ended by closing (some after
    an unasked-for 100 Continue). Twelve mixed calls all succeed at their first attempt;
    nothing is resent, each write applied once, every count agrees."""
    ledger = Ledger()
    kinds = [KINDS[k][0] for k in ("read", "unrecognisable write", "sale")]
    async with (
        scripted(http10(ledger, continue_first=continue_first)) as server,
        counted(server, session=session) as client,
    ):
        outcomes = []
        for n in range(12):
            outcomes.append(await outcome_of(kinds[n % 3](client)))
            ledger.applied.clear()  # the same body each round: applied once per round
        client.assert_counted(server)
    assert [_gives(o) for o in outcomes] == ["success"] * 12
    assert len(server.requests) == 12


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("kind", ["unrecognisable write", "escape-hatch DELETE", "sale"])
async def test_a_redirected_write_is_not_resent_to_the_new_location(
    kind: str, status: int, session: Session
) -> None:
    """A 307/308 asks for the same write (body included) at another URL; the SDK never
    follows a redirect of an API call, so nothing reaches ``/moved/``: UnexpectedStatus,
    sent once, counted once."""
    call, _, _ = KINDS[kind]
    async with (
        scripted(redirecting(status)) as server,
        counted(server, session=session, retry=RetryPolicy(max_retries=3)) as client,
    ):
        with without_sleeping():
            outcome = await outcome_of(call(client))
        client.assert_counted(server)
    assert isinstance(outcome, lucidgreen.UnexpectedStatus), repr(outcome)
    assert [r.path.startswith("/moved/") for r in server.requests] == [False]


@asynccontextmanager
async def _cancelled_mid_flight(
    session: Session, **options: Any
) -> AsyncIterator[tuple[ScriptedServer, Counted]]:
    """An unrecognisable write the server has read (and applied), cancelled by the caller
    while it waits for the rest of the answer; the CancelledError must reach the caller.
    Yields the server and the client, still open."""
    ledger, arrived = Ledger(), asyncio.Event()

    async def stall(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        arrived.set()
        return await headers_then_silence(seen, writer)

    async with (
        scripted(applying(ledger, stall, on=1)) as server,
        counted(server, session=session, **options) as client,
    ):
        task = asyncio.ensure_future(KINDS["unrecognisable write"][0](client))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        yield server, client


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_cancelled_mid_flight_still_propagates(session: Session) -> None:
    """Cancelling a write the server has read: CancelledError reaches the caller (never
    swallowed, never retried), and the server read it once."""
    async with _cancelled_mid_flight(session, retry=RetryPolicy(max_retries=3)) as (server, _):
        pass
    assert len(server.requests) == 1


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_cancelled_mid_flight_is_seen_by_every_count(session: Session) -> None:
    """The server read the write, then the caller cancelled it: stats, hooks and spans must
    all count the one attempt that reached the wire (hooks say status None: no answer)."""
    async with _cancelled_mid_flight(session) as (server, client):
        client.assert_counted(server)


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("kind", KINDS)
async def test_a_timeout_after_the_headers_is_retried_or_reported_and_counted(
    kind: str, session: Session
) -> None:
    """With retries on, the first request is applied and its answer stops after the head
    until the 0.5 s timeout: the read is retried, the sale resent and replayed, the writes
    the API cannot recognise reported once; the server saw what the SDK counted."""
    call, gives, reads = KINDS[kind]
    ledger = Ledger()
    async with (
        scripted(applying(ledger, headers_then_silence, on=1)) as server,
        counted(server, session=session, retry=RetryPolicy(max_retries=3), timeout=0.5) as c,
    ):
        with without_sleeping():
            outcome = await outcome_of(call(c))
        c.assert_counted(server)
    assert _gives(outcome) == gives, repr(outcome)
    assert len(server.requests) == reads
    assert ledger.applied_twice() == []


def _renewing(ledger: Ledger) -> Script:
    """A token endpoint and the API: every third API request is refused 401 (a token the
    server revoked), every fourth request of any kind applied and its answer dropped."""
    served, api = 0, 0

    async def script(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        nonlocal served, api
        served += 1
        if seen.path == "/o/token/":
            answer = Answer(200, {"access_token": f"token{served}", "expires_in": 3600})
        else:
            api += 1
            answer = ledger.answer(seen) if api % 3 else Answer(401, {"detail": "revoked"})
        if served % 4 == 0:
            return await half_close(seen, writer)
        writer.write(answer.encoded())
        await writer.drain()
        return True

    return script


@pytest.mark.parametrize("session", SESSIONS)
async def test_token_renewals_under_drops_are_counted(session: Session) -> None:
    """Client credentials against a server that revokes tokens (401) and drops one answer
    in four, token requests included: 24 reads all succeed, and the server's count of
    every request (token ones too) is the SDK's stats, hooks and attempt spans."""
    ledger = Ledger()
    async with (
        scripted(_renewing(ledger)) as server,
        counted(server, credentials=True, session=session, retry=RetryPolicy(max_retries=5)) as c,
    ):
        with without_sleeping():
            outcomes = [await outcome_of(c.retail.products.get(LID)) for _ in range(24)]
        c.assert_counted(server)
    assert [_gives(o) for o in outcomes] == ["success"] * 24
    assert len(server.seen("/o/token/")) > 1  # renewals happened


@pytest.mark.parametrize("reader", READS)
@pytest.mark.parametrize("session", SESSIONS)
async def test_the_export_download_is_counted_whichever_reader(
    session: Session, reader: str
) -> None:
    """The package-UID export call, then its presigned file from the same loopback server:
    two requests on the wire, two in stats, hooks and spans, whichever reader fetched it."""

    async def script(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if "package-uids-export" in seen.path:
            url = f"http://127.0.0.1:{writer.get_extra_info('sockname')[1]}/file.json?sig=x"
            answer = Answer(200, {"export_url": url})
        else:
            answer = Answer(200, {"P1": {"C1": [LID]}})
        writer.write(answer.encoded())
        await writer.drain()
        return True

    async with scripted(script) as server, counted(server, session=session) as c:
        export = await c.retail.package_uids.export()
        await read_export(export, reader)
        assert c.counts() == {"stats": 2, "hooks": 2, "spans": 2}
    paths = [r.path.partition("?")[0] for r in server.requests]
    assert paths == ["/api/v1.2/package-uids-export/", "/file.json"]


@pytest.mark.parametrize("verb", ["POST", "PUT", "DELETE"])
async def test_a_caller_session_expecting_100_continue_sends_each_write_once(verb: str) -> None:
    """A caller's session that adds ``Expect: 100-continue`` to everything: aiohttp waits
    for the server's 100 before the body; each write still reaches the server once, is
    counted once, and succeeds."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del request
        return web.json_response({"n": n})

    hooked: list[lucidgreen.RequestSent] = []
    async with (
        serve(handler) as (url, log),
        aiohttp.ClientSession(headers={"Expect": "100-continue"}) as own,
        retail(
            url, session=own, retry=RetryPolicy(), hooks=lucidgreen.Hooks(on_request=hooked.append)
        ) as client,
    ):
        assert await client.request(verb, "thing/", json={"a": 1}) == {"n": 1}
        assert client.stats.requests == len(hooked) == 1
    assert [(m, headers.get("Expect"), body) for m, _, (headers, body) in log] == [
        (verb, "100-continue", b'{"a":1}')
    ]
