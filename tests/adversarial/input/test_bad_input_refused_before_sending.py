# ruff: noqa: RUF059
"""Bad arguments, environment values and loops are refused at once with a clear, typed error."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen.ratelimit import Unlimited
from tests.adversarial.support import (
    LID,
    SECRET,
    TOKEN,
    assert_no_secret,
    product,
    reachable_text,
    retail,
    serve,
    source,
)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5", True, -0.0])
def test_bad_timeout_refused_at_construction(timeout: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.SourceClient(token=TOKEN, base_url="http://127.0.0.1:1", timeout=timeout)


@pytest.mark.parametrize(
    "kw",
    [
        {"rate_limiter": 5},
        {"retry": 5},
        {"hooks": {}},
        {"session": "s"},
        {"rate_limiter": lucidgreen.TokenBucket},
        {"max_body_size": 0},
        {"max_body_size": 1.5},
        {"api_version": "../o"},
    ],
)
def test_bad_kinds_refused_at_construction(kw: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.SourceClient(token=TOKEN, base_url="http://127.0.0.1:1", **kw)


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:1/api",
        "http://127.0.0.1:1?x=1",
        "http://example.com",
        "ftp://127.0.0.1",
        "127.0.0.1:1",
        "http://user:pw@127.0.0.1:1",
        "http://127.0.0.1:1#frag",
        "https://",
    ],
)
def test_bad_base_url_refused(base: str) -> None:
    with pytest.raises(ValueError):
        lucidgreen.SourceClient(token=TOKEN, base_url=base)


async def test_naive_datetime_refused_before_sending() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"returnCode": 1000, "status": "ok"})

    from datetime import tzinfo

    class NoneTz(tzinfo):
        def utcoffset(self, dt: Any) -> None:
            return None

    async with serve(h) as (url, log), retail(url) as c:
        for when in (datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=NoneTz())):  # type: ignore[abstract]
            with pytest.raises(lucidgreen.NaiveDatetimeError):
                await c.transactions.complete(order_id="o", items=[LID], performed_at=when)
            with pytest.raises(lucidgreen.NaiveDatetimeError):
                await c.transactions.void(order_id="o", performed_at=when)
        with pytest.raises(TypeError):
            await c.transactions.void(order_id="o", performed_at="2026-01-01T00:00:00")  # type: ignore[arg-type]
    assert log == []


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"LUCIDGREEN_SOURCE_ENVIRONMENT": "staging"}, "LUCIDGREEN_SOURCE_ENVIRONMENT"),
        ({"LUCIDGREEN_ENVIRONMENT": "Production "}, "LUCIDGREEN_ENVIRONMENT"),
        ({"LUCIDGREEN_SOURCE_CLIENT_ID": "cid"}, "LUCIDGREEN_SOURCE_CLIENT_SECRET"),
        ({"LUCIDGREEN_CLIENT_SECRET": SECRET}, "LUCIDGREEN_CLIENT_ID"),
        ({}, "LUCIDGREEN_SOURCE_CLIENT_ID"),
    ],
)
def test_env_oddities_give_clear_errors(
    env: dict[str, str], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k in list(os.environ):
        if k.startswith("LUCIDGREEN"):
            monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises((ValueError, lucidgreen.LucidGreenError)) as info:
        lucidgreen.SourceClient()
    assert needle in str(info.value)
    assert_no_secret(reachable_text(info.value))


async def test_env_token_with_trailing_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    """LUCIDGREEN_TOKEN read from a file with a trailing newline: works or a clear SDK error
    without the token in it, never a raw aiohttp ValueError quoting the header."""
    for k in list(os.environ):
        if k.startswith("LUCIDGREEN"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("LUCIDGREEN_TOKEN", TOKEN + "\n")

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    async with serve(h) as (url, log):
        try:
            async with lucidgreen.SourceClient(base_url=url, rate_limiter=Unlimited()) as c:
                await c.products.get(LID)
            text = ""
        except (ValueError, lucidgreen.LucidGreenError) as exc:
            text = reachable_text(exc)
    assert_no_secret(text)


def test_client_on_second_event_loop_is_clear() -> None:
    """A client used in a second asyncio.run: a clear RuntimeError (or works), no aiohttp
    'Event loop is closed', and closing it leaks no socket (ResourceWarning)."""
    import gc
    import threading
    import warnings

    loop = asyncio.new_event_loop()
    ready: list[Any] = []

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    server = serve(h)  # served by ``loop``, in its own thread, for the whole test
    th = threading.Thread(target=loop.run_forever, daemon=True)
    th.start()
    try:
        url, _ = asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(5)
        ready.append(url)
        client = source(url)
        asyncio.run(client.products.get(LID))
        with pytest.raises(RuntimeError) as info:
            asyncio.run(client.products.get(LID))
        assert "Event loop is closed" not in str(info.value)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(client.aclose())
            del client
            gc.collect()
        leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
        assert not leaks, [str(w.message) for w in leaks]
    finally:
        if ready:
            asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        th.join(5)
        loop.close()


@pytest.mark.parametrize(
    "kw",
    [{"timeout": 0}, {"timeout": -1}, {"timeout": float("nan")}, {"retry": 5}, {"timeout": "3"}],
)
async def test_with_options_checks_its_arguments(kw: dict[str, Any]) -> None:
    c = source("http://127.0.0.1:1")
    try:
        with pytest.raises((ValueError, TypeError)):
            c.with_options(**kw)
    finally:
        await c.aclose()


@pytest.mark.parametrize(
    "kw",
    [
        {"deadline": 0},
        {"deadline": -1},
        {"deadline": float("nan")},
        {"max_retry_after": float("nan")},
        {"max_retry_after": -1},
        {"min_attempt_time": float("nan")},
        {"initial_delay": float("nan")},
        {"max_retries": 1.5},
        {"jitter": "bogus"},
    ],
)
def test_retry_policy_checks_its_arguments(kw: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.RetryPolicy(**kw)


@pytest.mark.parametrize(
    "kw",
    [
        {"limit": 0, "per": 1.0},
        {"limit": -1, "per": 1.0},
        {"limit": 1, "per": 0},
        {"limit": 1, "per": float("nan")},
        {"limit": 1, "per": float("inf")},
        {"limit": 1.5, "per": 1.0},
        {"limit": True, "per": 1.0},
    ],
)
def test_token_bucket_checks_its_arguments(kw: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        lucidgreen.TokenBucket(**kw)
