"""Attacks on ``client.instrument(...)`` and the public :mod:`lucidgreen.instrumentation`
protocols: a careless instrumentation (raising, returning the wrong thing, async), one
swapped mid-call, re-entrant, on a view, beside ``lucidgreen.otel``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import lucidgreen
import lucidgreen.otel
from lucidgreen import CallName, CallObserver, LucidGreenError, Request, Response
from lucidgreen.ratelimit import Unlimited
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import MockTransport, json_response

LID = "UNDTMBovdue9tFWfhamnDM"
PRODUCT = {"uuid": LID, "name": "x"}
KEEP: Any = object()  # attempt_started returns the request it was given


class Observer:
    """Records what it is told; raises (or answers ``bad_answer``) in ``failing``."""

    def __init__(self, log: list[str], failing: str = "", bad_answer: Any = KEEP) -> None:
        self.log, self.failing, self.bad_answer = log, failing, bad_answer

    def _told(self, what: str) -> None:
        self.log.append(what)
        if what == self.failing:
            raise RuntimeError(f"instrumentation bug in {what}")

    def attempt_started(self, request: Request, attempt: int) -> Request:
        self._told("attempt_started")
        return request if self.bad_answer is KEEP else self.bad_answer

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        self._told("attempt_ended")

    def limiter_waited(self, seconds: float) -> None:
        self._told("limiter_waited")

    def token_renewed(self, reason: str) -> None:
        self._told("token_renewed")

    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None:
        self._told("retry_scheduled")

    def paused(self, seconds: float) -> None:
        self._told("paused")

    def call_ended(self, error: BaseException | None) -> None:
        self._told("call_ended")


class Instrumented:
    def __init__(self, failing: str = "", bad_answer: Any = KEEP) -> None:
        self.log: list[str] = []
        self.failing, self.bad_answer = failing, bad_answer

    def call_started(self, call: CallName, product: str) -> CallObserver:
        self.log.append(f"call_started {call.name}")
        if self.failing == "call_started":
            raise RuntimeError("instrumentation bug in call_started")
        return Observer(self.log, self.failing, self.bad_answer)


def _retail(transport: MockTransport, **options: Any) -> lucidgreen.RetailClient:
    return lucidgreen.RetailClient(
        token="t", transport=transport, rate_limiter=Unlimited(), **options
    )


def _applied_write() -> MockTransport:
    return MockTransport(lambda request: json_response({"status": "success"}))


@pytest.mark.parametrize("failing", ["attempt_started", "attempt_ended", "call_ended"])
async def test_a_raising_observer_loses_no_response_and_never_resends_a_write(
    failing: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller gets the answer to a write the server applied whatever the
    instrumentation raises; the write went out once, and the error is logged as a warning."""
    transport = _applied_write()
    async with _retail(transport, retry=lucidgreen.RetryPolicy(max_retries=3)) as client:
        client.instrument(Instrumented(failing))
        assert await client.request("PUT", "inventory/", json={"a": 1}) == {"status": "success"}
    assert len(transport.requests) == client.stats.requests == 1
    [warning] = [r for r in caplog.records if r.name == "lucidgreen"]
    assert warning.levelname == "WARNING"
    assert f"CallObserver.{failing}" in warning.getMessage()
    assert "RuntimeError" in warning.getMessage()


@pytest.mark.parametrize("failing", ["retry_scheduled", "paused", "call_ended"])
async def test_a_raising_observer_changes_no_retry(failing: str) -> None:
    """Raising where a retry is reported (a 503, a 429's pause): the retry goes on and
    the caller gets the answer that followed."""
    answers = iter(
        [json_response({}, status=503), json_response({}, status=429), json_response(PRODUCT)]
    )
    transport = MockTransport(lambda request: next(answers))
    async with _retail(transport) as client:
        instrumentation = Instrumented(failing)
        client.instrument(instrumentation)
        with without_sleeping():
            assert (await client.products.get(LID)).uuid == LID
    assert failing in instrumentation.log
    assert len(transport.requests) == 3


async def test_a_raising_call_started_breaks_no_call() -> None:
    """An instrumentation whose ``call_started`` raises leaves calls working."""
    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        client.instrument(Instrumented("call_started"))
        assert (await client.products.get(LID)).uuid == LID


async def test_an_instrumentation_error_is_logged_once_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Failing in every call: one warning for the attached instrumentation, naming its
    class and the exception's type, never the exception's text (it may hold anything)."""

    class Leaky(Instrumented):
        def call_started(self, call: CallName, product: str) -> CallObserver:
            raise ValueError("Bearer s3cr3t-token-value")

    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        client.instrument(Leaky())
        for _ in range(3):
            await client.products.get(LID)
    [warning] = [r for r in caplog.records if r.name == "lucidgreen"]
    assert "Leaky" in warning.getMessage()
    assert "ValueError" in warning.getMessage()
    assert "s3cr3t" not in caplog.text


class Interrupt(BaseException):
    """Like KeyboardInterrupt: not an instrumentation bug to swallow."""


async def test_an_observer_raising_a_base_exception_is_not_swallowed() -> None:
    """Only ``Exception`` is guarded: a ``BaseException`` from an observer goes on."""

    class Interrupting(Observer):
        def call_ended(self, error: BaseException | None) -> None:
            raise Interrupt

    class Interrupted(Instrumented):
        def call_started(self, call: CallName, product: str) -> CallObserver:
            return Interrupting(self.log)

    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        client.instrument(Interrupted())
        with pytest.raises(Interrupt):
            await client.products.get(LID)


async def test_a_raising_attempt_started_sends_the_request_on_its_permit() -> None:
    """``attempt_started`` raising: the request it was given is sent, on the one permit
    the budget had (none is wasted)."""
    bucket = lucidgreen.TokenBucket(limit=1, per=3600)
    transport = MockTransport(lambda request: json_response(PRODUCT))
    async with lucidgreen.RetailClient(
        token="t", transport=transport, rate_limiter=bucket
    ) as client:
        client.instrument(Instrumented("attempt_started"))
        assert (await client.products.get(LID)).uuid == LID
    [sent] = transport.requests
    assert sent.url.endswith(f"/products/{LID}/")


@pytest.mark.parametrize("answer", [None, "request", {"X-Trace": "1"}])
async def test_attempt_started_answering_no_request_sends_the_original_and_says_so(
    answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An observer returning ``None`` from ``attempt_started`` (a forgotten ``return
    request``) or anything else that is no Request: the request it was given is sent, on
    the one permit, and the warning names the instrumentation, the protocol and the type."""
    bucket = lucidgreen.TokenBucket(limit=1, per=3600)
    transport = MockTransport(lambda request: json_response(PRODUCT))
    async with lucidgreen.RetailClient(
        token="t", transport=transport, rate_limiter=bucket
    ) as client:
        client.instrument(Instrumented(bad_answer=answer))
        assert (await client.products.get(LID)).uuid == LID
    assert len(transport.requests) == 1
    [warning] = [r for r in caplog.records if r.name == "lucidgreen"]
    message = warning.getMessage()
    assert "Instrumented" in message
    assert "CallObserver.attempt_started" in message
    assert type(answer).__name__ in message


class AsyncInstrumentation:
    async def call_started(self, call: CallName, product: str) -> CallObserver:
        raise AssertionError("never awaited")


def test_an_async_instrumentation_is_refused_by_instrument() -> None:
    """The callbacks are synchronous (documented): ``instrument()`` refuses async ones."""
    client = lucidgreen.SourceClient(
        token="t", transport=MockTransport(lambda r: json_response({}))
    )
    with pytest.raises(TypeError, match="call_started"):
        client.instrument(AsyncInstrumentation())  # type: ignore[arg-type]


async def test_instrument_swapped_mid_call_keeps_the_running_call_on_its_observer() -> None:
    """A call started under A ends under A when another task attaches B (or None) while it
    is on the wire; B sees only calls started after."""
    release = asyncio.Event()

    async def slow(request: Request) -> Response:
        await release.wait()
        return json_response(PRODUCT)

    first, second = Instrumented(), Instrumented()
    async with _retail(MockTransport(slow)) as client:
        client.instrument(first)
        running = asyncio.ensure_future(client.products.get(LID))
        while "attempt_started" not in first.log:  # noqa: ASYNC110 - the observer is told, no event
            await asyncio.sleep(0)
        client.instrument(second)
        release.set()
        await running
        assert first.log[-1] == "call_ended"
        assert second.log == []
        await client.products.get(LID)
        client.instrument(None)
        await client.products.get(LID)
    assert second.log.count("call_ended") == 1


async def test_an_instrumentation_may_start_a_call_of_its_client() -> None:
    """``call_started`` scheduling a call of the same client (re-entrance through a task):
    both calls complete, each observed once."""
    transport = MockTransport(lambda request: json_response(PRODUCT))
    client = _retail(transport)
    spawned: list[asyncio.Task[Any]] = []

    class Reentrant(Instrumented):
        def call_started(self, call: CallName, product: str) -> CallObserver:
            if not spawned:
                spawned.append(asyncio.ensure_future(client.products.get(LID)))
            return super().call_started(call, product)

    async with client:
        instrumentation = Reentrant()
        client.instrument(instrumentation)
        await client.products.get(LID)
        await spawned[0]
    assert instrumentation.log.count("call_ended") == 2
    assert len(transport.requests) == 2


@pytest.mark.parametrize("on", ["view", "client"])
async def test_a_view_and_its_client_share_one_instrumentation(on: str) -> None:
    """Documented: instrumenting a view or its client observes both."""
    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        view = client.with_options(timeout=5)
        instrumentation = Instrumented()
        (view if on == "view" else client).instrument(instrumentation)
        await client.products.get(LID)
        await view.products.get(LID)
    assert instrumentation.log.count("call_ended") == 2


async def test_a_custom_instrumentation_replaces_otel() -> None:
    """``otel.instrument`` then a custom one: the custom one is told every call."""
    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        lucidgreen.otel.instrument(client)
        custom = Instrumented()
        client.instrument(custom)
        await client.products.get(LID)
    assert custom.log[0] == "call_started retail.products.get"


async def test_otel_uninstrument_leaves_someone_elses_instrumentation() -> None:
    """``otel.uninstrument`` stops OpenTelemetry, not an instrumentation that replaced it."""
    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        lucidgreen.otel.instrument(client)
        custom = Instrumented()
        client.instrument(custom)
        lucidgreen.otel.uninstrument(client)
        await client.products.get(LID)
    assert custom.log


async def test_a_retry_is_reported_and_the_answer_kept_by_a_good_observer() -> None:
    """A well-behaved observer sees the retry and the caller gets the answer."""
    answers = iter([json_response({}, status=503), json_response(PRODUCT)])
    async with _retail(MockTransport(lambda request: next(answers))) as client:
        instrumentation = Instrumented()
        client.instrument(instrumentation)
        with without_sleeping():
            assert (await client.products.get(LID)).uuid == LID
    assert instrumentation.log.count("retry_scheduled") == 1
