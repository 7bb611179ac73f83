"""``PackageExport.entries()`` streams its file, yet its one request is an attempt like any
other: counted in stats, passed to ``on_request``, logged, and traced as a call of its own
(``retail.package_uids.entries``) whose spans end when the head arrives, whatever follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from lucidgreen import Hooks, RequestSent, RetailClient, TransportError
from lucidgreen.errors import APIError
from lucidgreen.retail.package_uids import PackageExport
from lucidgreen.testing import FakeLucidGreen
from tests.otel.test_otel import Telemetry, _retail, telemetry

__all__ = ["telemetry"]  # the fixture, shared with test_otel

ENTRIES = "retail.package_uids.entries"


async def _drain(export: PackageExport) -> None:
    async for _ in export.entries():
        pass


@asynccontextmanager
async def _streaming(
    telemetry: Telemetry,
) -> AsyncIterator[tuple[FakeLucidGreen, RetailClient, PackageExport, list[RequestSent]]]:
    """The fake, an instrumented client with its export made (before instrumenting), and
    the requests its ``on_request`` hook saw."""
    seen: list[RequestSent] = []
    async with (
        FakeLucidGreen(rate_limits=False) as fake,
        _retail(fake, hooks=Hooks(on_request=seen.append)) as retail,
    ):
        export = await retail.package_uids.export()
        telemetry.instrument(retail)
        yield fake, retail, export, seen


async def test_a_streamed_file_is_one_call_with_one_attempt_span(telemetry: Telemetry) -> None:
    """entries() over a good file: one call span, one CLIENT span with the 200 and the
    file's URL without its signature, and one request more in stats and hooks."""
    async with _streaming(telemetry) as (_, retail, export, seen):
        before = retail.stats.requests
        await _drain(export)
        assert retail.stats.requests == before + 1
    [call] = telemetry.calls(ENTRIES)
    [attempt] = telemetry.attempts_of(call)
    attributes = dict(attempt.attributes or {})
    assert attributes["http.response.status_code"] == 200
    assert attributes["url.full"] == export.url.split("?", 1)[0]
    assert (seen[-1].method, seen[-1].status) == ("GET", 200)
    assert "?" not in seen[-1].url  # the presigned query stays out of the hook


async def test_a_refused_stream_is_an_error_attempt_and_the_caller_gets_the_status(
    telemetry: Telemetry,
) -> None:
    """A CDN answering 403 (a forged signature): the attempt span says 403, the hook sees
    the 403, and the caller gets the typed error."""
    async with _streaming(telemetry) as (_, _, export, seen):
        forged = PackageExport(
            export._api,
            url=export.url.replace("X-Amz-Signature=", "X-Amz-Signature=0"),
            export_date=None,
        )
        with pytest.raises(APIError) as caught:
            await _drain(forged)
    assert caught.value.status == 403
    [call] = telemetry.calls(ENTRIES)
    [attempt] = telemetry.attempts_of(call)
    assert dict(attempt.attributes or {})["error.type"] == "403"
    assert seen[-1].status == 403


async def test_a_stream_dropped_before_its_head_is_a_counted_transport_error(
    telemetry: Telemetry,
) -> None:
    """The CDN closing the connection unanswered: the request still counts (stats,
    ``transport_errors``, a hook with no status) and its span and call end with the
    transport error the caller gets."""
    async with _streaming(telemetry) as (fake, retail, export, seen):
        before = retail.stats.requests
        fake.faults.script("/exports/", ["drop"])
        with pytest.raises(TransportError) as caught:
            await _drain(export)
        assert retail.stats.requests == before + 1
        assert retail.stats.transport_errors == 1
    assert seen[-1].status is None
    [call] = telemetry.calls(ENTRIES)
    [attempt] = telemetry.attempts_of(call)
    error_type = f"lucidgreen.errors.{type(caught.value).__qualname__}"
    assert dict(call.attributes or {})["error.type"] == error_type
    assert dict(attempt.attributes or {})["error.type"] == type(caught.value).__name__


async def test_a_stream_on_a_closed_client_sends_nothing(telemetry: Telemetry) -> None:
    """A closed client refuses the stream before anything is counted."""
    async with _streaming(telemetry) as (_, retail, export, seen):
        await retail.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await _drain(export)
        assert all("/exports/" not in sent.url for sent in seen)  # the file was never asked
