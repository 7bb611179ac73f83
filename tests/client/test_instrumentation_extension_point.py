"""``client.instrument(...)`` is the documented extension point for tracing and metrics: an
instrumentation written against the public ``lucidgreen.Instrumentation`` protocol (no
OpenTelemetry) is told when each call starts, each attempt starts and ends, and the call ends."""

from __future__ import annotations

import pytest

import lucidgreen
from lucidgreen import CallName, CallObserver, Instrumentation, Request, Response
from lucidgreen.testing import FakeLucidGreen


class Recorder:
    """Writes down what it is told, in order."""

    def __init__(self, events: list[str], name: str) -> None:
        self.events = events
        self.name = name

    def attempt_started(self, request: Request, attempt: int) -> Request:
        self.events.append(f"{self.name} attempt {attempt} {request.method}")
        return request

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        shown = outcome.status if isinstance(outcome, Response) else type(outcome).__name__
        self.events.append(f"{self.name} attempt ended {shown}")

    def limiter_waited(self, seconds: float) -> None:
        del seconds

    def token_renewed(self, reason: str) -> None:
        self.events.append(f"{self.name} token {reason}")

    def retry_scheduled(
        self, retry_number: int, delay: float, error: lucidgreen.LucidGreenError
    ) -> None:
        del retry_number, delay, error

    def paused(self, seconds: float) -> None:
        del seconds

    def call_ended(self, error: BaseException | None) -> None:
        self.events.append(f"{self.name} ended {error!r}")


class Recording:
    """A custom instrumentation: one recorder per call."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def call_started(self, call: CallName, product: str) -> CallObserver:
        self.events.append(f"start {call.name} ({product})")
        return Recorder(self.events, call.name)


def test_instrument_refuses_what_is_no_instrumentation() -> None:
    """``instrument(print)`` fails at once, naming the argument, not at the first call."""
    client = lucidgreen.SourceClient(token="t", base_url="http://127.0.0.1:9")
    with pytest.raises(TypeError, match="instrumentation"):
        client.instrument(print)  # type: ignore[arg-type]


def test_the_attached_instrumentation_is_readable_on_the_client_and_its_views() -> None:
    """``client.instrumentation`` is what ``instrument`` attached, the same for every view,
    and None once detached (``lucidgreen.otel.uninstrument`` reads it to detach only its own)."""
    client = lucidgreen.SourceClient(token="t", base_url="http://127.0.0.1:9")
    view = client.with_options(timeout=5)
    recording = Recording()
    seen = [client.instrumentation]
    client.instrument(recording)
    seen += [client.instrumentation, view.instrumentation]
    view.instrument(None)
    seen.append(client.instrumentation)
    assert seen == [None, recording, recording, None]


def test_the_protocol_is_public() -> None:
    """The protocol and its vocabulary are defined at a public module."""
    for value in (Instrumentation, CallObserver, CallName):
        assert value.__module__ == "lucidgreen.instrumentation"


async def test_a_custom_instrumentation_is_told_start_attempts_and_end(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """A call of the client and of its view are reported through ``instrument``; after
    ``instrument(None)`` nothing is."""
    fake = lucidgreen_fake
    uuid = next(iter(fake.state.products))
    recording = Recording()
    instrumentation: Instrumentation = recording  # mypy: the public protocol is implementable
    async with fake.source_client() as source:
        source.instrument(instrumentation)
        await source.products.get(uuid)
        await source.with_options(timeout=5).products.get(uuid)
        source.instrument(None)
        await source.products.get(uuid)
    get, token = "source.products.get", "source.oauth.token"
    assert recording.events == [
        f"start {get} (source)",
        # The token request the call waits for is a call of its own.
        f"start {token} (source)",
        f"{token} attempt 1 POST",
        f"{token} attempt ended 200",
        f"{token} ended None",
        f"{get} token initial",
        f"{get} attempt 1 GET",
        f"{get} attempt ended 200",
        f"{get} ended None",
        f"start {get} (source)",
        f"{get} attempt 1 GET",
        f"{get} attempt ended 200",
        f"{get} ended None",
    ]
