"""The instrumentation guard (``lucidgreen._guard``) without an event loop: what
``attempt_started`` answers is sent only when its added headers can be sent, and an
observer written with ``async def`` callbacks is said to be one, never half-told."""

from __future__ import annotations

import gc
import logging
import warnings
from typing import Any

import pytest

from lucidgreen import CallName, CallObserver, LucidGreenError, Request, Response
from lucidgreen._guard import Guard

GIVEN = Request("GET", "https://api.example/products/", headers={"User-Agent": "sdk"})


class Adding:
    """An observer whose ``attempt_started`` adds ``extra`` headers (a trace context)."""

    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    def attempt_started(self, request: Request, attempt: int) -> Request:
        return request.with_headers(self.extra)

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None: ...
    def limiter_waited(self, seconds: float) -> None: ...
    def token_renewed(self, reason: str) -> None: ...
    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None: ...
    def paused(self, seconds: float) -> None: ...
    def call_ended(self, error: BaseException | None) -> None: ...


class AsyncEnd(Adding):
    async def call_ended(self, error: BaseException | None) -> None:  # type: ignore[override]
        raise AssertionError("an async callback is never called")


class Answering:
    def __init__(self, observer: Any) -> None:
        self.observer = observer

    def call_started(self, call: CallName, product: str) -> CallObserver:
        return self.observer  # type: ignore[no-any-return]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def _sent(extra: dict[str, Any]) -> Request:
    observer = Guard(Answering(Adding(extra))).call_started(CallName("source.products.get"), "x")
    assert observer is not None
    return observer.attempt_started(GIVEN, 1)


def test_a_sendable_header_telemetry_adds_or_changes_is_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent = _sent({"traceparent": "00-abc-01", "User-Agent": "sdk otel"})
    assert sent.headers == {"User-Agent": "sdk otel", "traceparent": "00-abc-01"}
    assert _warnings(caplog) == []


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"traceparent": "00-a\r\nX-Evil: 1"}, "the value of traceparent holds CR, LF"),
        ({"traceparent": 5}, "a int as the value of traceparent, not a str"),
        ({"trace parent": "00"}, "a header name that is no HTTP token"),
        ({"User-Agent": "sdk\u00e9"}, "the value of User-Agent holds CR, LF"),
    ],
    ids=["CRLF", "int", "name", "changed"],
)
def test_an_unsendable_header_telemetry_adds_sends_the_given_request_and_is_said_once(
    extra: dict[str, Any], said: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert _sent(extra) is GIVEN
    [warning] = _warnings(caplog)
    assert "CallObserver.attempt_started of Adding returned a request with" in warning
    assert said in warning
    assert "X-Evil" not in warning


def test_an_observer_with_an_async_callback_is_not_told_and_said_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard = Guard(Answering(AsyncEnd({})))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine never awaited would warn at collection
        for _ in range(3):
            assert guard.call_started(CallName("source.products.get"), "x") is None
        gc.collect()
    [warning] = _warnings(caplog)
    assert "CallObserver.call_ended of AsyncEnd is async" in warning
