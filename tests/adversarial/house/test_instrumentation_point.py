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
from tests.adversarial.house.breaks import breaks

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


@pytest.mark.parametrize("failing", ["attempt_ended", "call_ended"])
async def test_a_raising_observer_never_resends_a_write(failing: str) -> None:
    """An observer raising after a write was applied: the write went out once, and the
    call fails rather than pretending nothing happened silently."""
    transport = _applied_write()
    async with _retail(transport, retry=lucidgreen.RetryPolicy(max_retries=3)) as client:
        client.instrument(Instrumented(failing))
        with pytest.raises(RuntimeError):
            await client.request("PUT", "inventory/", json={"a": 1})
    assert len(transport.requests) == client.stats.requests == 1


@breaks("a_raising_observer_loses_no_response")
@pytest.mark.parametrize("failing", ["attempt_ended", "call_ended"])
async def test_a_raising_observer_loses_no_response(failing: str) -> None:
    """The caller gets the server's answer whatever the instrumentation does."""
    async with _retail(_applied_write()) as client:
        client.instrument(Instrumented(failing))
        assert await client.request("PUT", "inventory/", json={"a": 1}) == {"status": "success"}


@breaks("a_raising_call_started_breaks_no_call")
async def test_a_raising_call_started_breaks_no_call() -> None:
    """An instrumentation whose ``call_started`` raises leaves calls working."""
    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        client.instrument(Instrumented("call_started"))
        assert (await client.products.get(LID)).uuid == LID


async def test_a_raising_attempt_started_gives_the_permit_back() -> None:
    """``attempt_started`` raising: nothing is sent and the budget it held is returned."""
    bucket = lucidgreen.TokenBucket(limit=1, per=3600)
    transport = MockTransport(lambda request: json_response(PRODUCT))
    async with lucidgreen.RetailClient(
        token="t", transport=transport, rate_limiter=bucket
    ) as client:
        client.instrument(Instrumented("attempt_started"))
        with pytest.raises(RuntimeError):
            await client.products.get(LID)
        client.instrument(None)
        assert (await client.products.get(LID)).uuid == LID  # the one permit is still there
    assert len(transport.requests) == 1


@breaks("attempt_started_answering_no_request_is_a_clear_type_error")
async def test_attempt_started_answering_no_request_is_a_clear_type_error() -> None:
    """An observer returning ``None`` from ``attempt_started``: a ``TypeError`` naming it."""
    async with _retail(MockTransport(lambda request: json_response(PRODUCT))) as client:
        client.instrument(Instrumented(bad_answer=None))  # a forgotten ``return request``
        with pytest.raises(TypeError, match="attempt_started"):
            await client.products.get(LID)


class AsyncInstrumentation:
    async def call_started(self, call: CallName, product: str) -> CallObserver:
        raise AssertionError("never awaited")


@breaks("an_async_instrumentation_is_refused_by_instrument")
def test_an_async_instrumentation_is_refused_by_instrument() -> None:
    """The callbacks are synchronous (documented): ``instrument()`` refuses async ones."""
    client = lucidgreen.SourceClient(
        token="t", transport=MockTransport(lambda r: json_response({}))
    )
    with pytest.raises(TypeError):
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


@breaks("otel_uninstrument_leaves_someone_elses_instrumentation")
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
