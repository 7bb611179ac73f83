"""Attack: the guard around instrumentation callbacks (``lucidgreen._guard``) over a long
walk failing in every callback (one warning, never a flood), an instrumentation that
recursed itself to death, observer callbacks written ``async``, and the caller's hooks
(documented as not guarded)."""

from __future__ import annotations

import gc
import logging
import warnings
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import CallName, CallObserver, LucidGreenError, Request, Response
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import MockTransport, json_response
from tests.adversarial.support import serve, source

LID = "UNDTMBovdue9tFWfhamnDM"
PAGES = 30


def _paged(request: Request) -> Any:
    if LID in request.url or request.method != "GET":  # one product, or a write's answer
        return json_response({"uuid": LID, "name": "x"})
    base, _, query = request.url.partition("?")
    page = int(dict(parse_qsl(query)).get("page") or (request.params or {}).get("page", "1"))
    following = f"{base}?page={page + 1}" if page < PAGES else None
    results = [{"uuid": LID, "name": f"p{page}"}]
    return json_response({"count": PAGES, "next": following, "previous": None, "results": results})


def _client(**options: Any) -> lucidgreen.SourceClient:
    return lucidgreen.SourceClient(
        token="t", transport=MockTransport(_paged), rate_limiter=Unlimited(), **options
    )


class Failing:
    """An observer whose every callback raises ``error``; counts how often it was told."""

    def __init__(self, error: Exception) -> None:
        self.error, self.told = error, 0

    def _fail(self, *args: object) -> Any:
        self.told += 1
        raise self.error

    attempt_started = attempt_ended = limiter_waited = token_renewed = _fail
    retry_scheduled = paused = call_ended = _fail


class Attached:
    def __init__(self, observer: Any) -> None:
        self.observer = observer

    def call_started(self, call: CallName, product: str) -> CallObserver:
        return self.observer  # type: ignore[no-any-return]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "lucidgreen" and r.levelno == logging.WARNING]


@pytest.mark.parametrize(
    "error", [RuntimeError("boom"), RecursionError("maximum recursion depth exceeded")]
)
async def test_a_callback_failing_on_every_page_of_long_walks_warns_exactly_once(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    observer = Failing(error)
    async with _client() as client:
        client.instrument(Attached(observer))
        for _ in range(3):
            names = [product.name async for product in client.products.list()]
            assert names == [f"p{page}" for page in range(1, PAGES + 1)]
    assert observer.told >= 3 * PAGES * 2  # told on every page, each time it failed
    [warning] = _warnings(caplog)
    assert type(error).__name__ in warning.getMessage()
    assert str(error) not in warning.getMessage()


class Async:
    """An observer written with ``async def`` callbacks (a common slip)."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def attempt_started(self, request: Request, attempt: int) -> Request:
        return request

    async def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        self.ran.append("attempt_ended")

    async def call_ended(self, error: BaseException | None) -> None:
        self.ran.append("call_ended")

    def limiter_waited(self, seconds: float) -> None: ...
    def token_renewed(self, reason: str) -> None: ...
    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None: ...
    def paused(self, seconds: float) -> None: ...


async def test_an_async_observer_callback_is_reported_not_silently_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    observer = Async()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "coroutine ... was never awaited"
        async with _client() as client:
            client.instrument(Attached(observer))
            await client.products.get(LID)
        gc.collect()
    assert observer.ran == []  # the callbacks never ran
    [warning] = _warnings(caplog)  # the guard says so, as it does for async call_started
    assert "attempt_ended" in warning.getMessage()


class HookBug(Exception):
    pass


def _raise_hook(event: object) -> None:
    raise HookBug


async def test_a_raising_hook_is_not_guarded_and_fails_the_call_as_documented() -> None:
    """Hooks are the caller's code, not telemetry: their error reaches the caller as it is
    (documented in ``lucidgreen._guard``), so a write answered 2xx raises the hook's error."""
    async with _client(hooks=lucidgreen.Hooks(on_request=_raise_hook)) as client:
        with pytest.raises(HookBug):
            await client.request("POST", "products/", json={"a": 1})


class Injecting:
    """Telemetry adding a header of its own (a trace context) to every attempt."""

    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    def call_started(self, call: CallName, product: str) -> CallObserver:
        observer: Any = Failing(RuntimeError())
        observer.attempt_started = lambda request, attempt: request.with_headers(self.extra)
        return observer  # type: ignore[no-any-return]


async def _product(request: web.Request, n: int) -> web.Response:
    del request, n
    return web.json_response({"uuid": LID, "name": "x"})


@pytest.mark.parametrize(
    "extra", [{"traceparent": "00-a\r\nX-Evil: 1"}, {"traceparent": 5}], ids=["CRLF", "int"]
)
async def test_telemetry_adding_an_unsendable_header_changes_no_outcome(
    extra: dict[str, Any],
) -> None:
    async with serve(_product) as (url, log), source(url) as client:
        client.instrument(Injecting(extra))
        product = await client.products.get(LID)
    assert product.name == "x"
    assert "X-Evil" not in log[0][2][0]
