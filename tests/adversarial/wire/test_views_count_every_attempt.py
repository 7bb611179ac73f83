"""A ``with_options`` view is the same client on the wire: what it sends is counted by the
client's stats, hooks and tracing, spends the client's rate-limit budget and token, and
``lucidgreen.otel.instrument`` traces a view's calls (and its parent's) however late it
is attached.

The hostile server resets every other request after applying it, so a view with retries
must resend its reads and never its unrecognisable writes; the server's request count is
compared with every count the SDK keeps, for the default session and a caller's
``session=``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

import lucidgreen
import lucidgreen.otel
from lucidgreen import RetryPolicy
from lucidgreen.ratelimit import Unlimited
from lucidgreen.retry import without_sleeping
from tests.adversarial.wire.hostile import (
    LID,
    SESSIONS,
    Action,
    Answer,
    Fault,
    Ledger,
    Seen,
    Session,
    counted,
    hostile,
)


@asynccontextmanager
async def _resetting(session: Session, **options: Any) -> AsyncIterator[tuple[Ledger, Any, Any]]:
    """A server resetting every other request after applying it, and a counted client."""
    ledger = Ledger()
    async with (
        hostile(ledger.spoiled(lambda n, answer: Fault.RESET if n % 2 == 0 else answer)) as server,
        counted(server, session=session, **options) as c,
    ):
        yield ledger, server, c


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_views_retried_reads_and_lost_writes_are_counted_by_its_client(
    session: Session,
) -> None:
    async with _resetting(session) as (ledger, server, c):
        view = c.retail.with_options(retry=RetryPolicy(max_retries=3), timeout=5)
        nested = view.with_options(headers={"X-View": "2"})
        with without_sleeping():
            for n in range(4):
                await nested.products.get(LID)
                with pytest.raises(lucidgreen.WriteOutcomeUnknown):
                    await nested.operations.request("PUT", "thing/", json={"n": n})
    assert ledger.applied_twice() == []
    c.assert_counted(server)
    assert c.client.stats.requests == view.stats.requests == nested.stats.requests


@pytest.mark.parametrize("session", SESSIONS)
async def test_instrumenting_a_view_after_use_traces_every_attempt_of_view_and_parent(
    session: Session,
) -> None:
    async with _resetting(session) as (_, server, c):
        view = c.retail.with_options(retry=RetryPolicy(max_retries=3))
        with without_sleeping():
            await view.products.get(LID)
            await c.retail.products.get(LID)
            before = len(server.requests)
            exporter = InMemorySpanExporter()
            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            lucidgreen.otel.instrument(view, tracer_provider=provider)
            for _ in range(3):
                await view.products.get(LID)
                await c.retail.products.get(LID)
        provider.shutdown()
    after = len(server.requests) - before
    attempts = sum(s.kind is SpanKind.CLIENT for s in exporter.get_finished_spans())
    assert attempts == after, f"server read {after} requests after instrument(view)"
    assert len(c.hooked) == c.client.stats.requests == len(server.requests)


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_view_spends_its_clients_budget_for_every_attempt(session: Session) -> None:
    limiter = Unlimited()  # counts the permits it hands out
    async with _resetting(session, rate_limiter=limiter) as (_, server, c):
        view = c.retail.with_options(retry=RetryPolicy(max_retries=3), timeout=5)
        with without_sleeping():
            for _ in range(3):
                await view.products.get(LID)
    assert limiter.acquired == len(server.requests) == c.client.stats.requests


@pytest.mark.parametrize("session", SESSIONS)
async def test_views_share_one_token(session: Session) -> None:
    def decide(seen: Seen) -> Action:
        if seen.path == "/o/token/":
            return Answer(200, {"access_token": "view-shared-token", "expires_in": 3600})
        return Answer(200, {"uuid": LID, "name": "P"})

    async with (
        hostile(decide) as server,
        counted(server, credentials=True, session=session) as c,
    ):
        views = [c.retail.with_options(timeout=t) for t in (5, 6, 7)]
        for view in views:
            await view.with_options(retry=RetryPolicy(max_retries=1)).products.get(LID)
        await c.retail.products.get(LID)
    assert len(server.seen("/o/token/")) == 1
    c.assert_counted(server)
