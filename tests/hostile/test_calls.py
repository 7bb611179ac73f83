"""Attacks on the send path itself: deadlines, write outcomes, the token endpoint.

Each test runs a small aiohttp.web server written for the attack on loopback, and a real
client against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import (
    DeadlineExceeded,
    DecodeError,
    RetryPolicy,
    ServerError,
    SourceClient,
    TokenBucket,
)
from lucidgreen.ids import from_uuid
from lucidgreen.retry import without_sleeping

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOKEN = "tok3n-SECRET-value"
SECRET = "client-secret-VALUE"
WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
UUID = from_uuid("3b8a6b0e-7c1f-4c9e-9f55-4b0e0f6f3a11")


@contextlib.asynccontextmanager
async def serve(routes: dict[str, Handler]) -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback server answering ``routes`` (path -> handler); yields its URL and a log
    of ``"METHOD /path"`` for every request that reached it."""
    seen: list[str] = []

    @web.middleware
    async def log(request: web.Request, handler: Handler) -> web.StreamResponse:
        seen.append(f"{request.method} {request.path}")
        return await handler(request)

    app = web.Application(middlewares=[log])
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


def product_json() -> dict[str, object]:
    return {"uuid": UUID, "name": "P"}


async def ok_product(request: web.Request) -> web.Response:
    del request
    return web.json_response(product_json())


async def token_ok(request: web.Request) -> web.Response:
    del request
    return web.json_response({"access_token": TOKEN, "expires_in": 3600})


# --- deadlines ----------------------------------------------------------------------------


async def test_calls_whose_deadline_passes_in_the_limiter_queue_are_never_sent() -> None:
    """Five writes queued behind a 1-per-0.5 s budget with a 1.2 s deadline: the ones the
    budget cannot reach in time raise DeadlineExceeded(request_sent=False), and the server
    sees exactly the ones that were sent, each with room for its whole timeout."""
    applied: list[float] = []

    async def void(request: web.Request) -> web.Response:
        applied.append(time.monotonic())
        return web.json_response({"returnCode": 1000, "message": "voided"})

    async with serve({"/api/v1.2/{tail:.*}": void}) as (url, seen):
        bucket = TokenBucket(limit=1, per=0.5, burst=1)
        policy = RetryPolicy(deadline=1.2, min_attempt_time=0.3)
        async with lucidgreen.RetailClient(
            token=TOKEN, base_url=url, rate_limiter=bucket, retry=policy
        ) as retail:
            results = await asyncio.gather(
                *(
                    retail.transactions.void(order_id=f"order-{n}", performed_at=WHEN)
                    for n in range(5)
                ),
                return_exceptions=True,
            )
    refused = [r for r in results if isinstance(r, DeadlineExceeded)]
    done = [r for r in results if not isinstance(r, BaseException)]
    assert refused, results
    assert all(not r.request_sent and not r.outcome_unknown for r in refused)
    assert "never sent" in str(refused[0])
    assert len(done) == len(seen) == len(applied) == 5 - len(refused)


async def test_a_deadline_spent_waiting_for_a_token_sends_nothing() -> None:
    """A token endpoint that never answers: the call's deadline bounds the wait for the token
    too, and the API request is never sent."""

    async def stall(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.json_response({})

    async with serve({"/o/token/": stall, "/api/v1.5/products/{uuid}/": ok_product}) as (
        url,
        seen,
    ):
        policy = RetryPolicy(deadline=0.6, min_attempt_time=0.1)
        async with SourceClient("id", SECRET, base_url=url, retry=policy) as source:
            started = time.monotonic()
            with pytest.raises(DeadlineExceeded) as caught:
                await source.products.get(UUID)
            elapsed = time.monotonic() - started
    assert not caught.value.request_sent
    assert "token" in str(caught.value)
    assert elapsed < 3
    assert [s for s in seen if s.startswith("GET")] == []


# --- write outcomes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1.2/transactions/void/"), ("GET", "/api/v1.5/products/{uuid}/")],
)
async def test_a_5xx_says_whether_a_write_may_have_applied(method: str, path: str) -> None:
    """A write ending in 503 has ``outcome_unknown`` (the server may have acted before
    failing); a read ending the same way does not."""

    async def fail(request: web.Request) -> web.Response:
        del request
        return web.Response(status=503, text="busy")

    async with serve({"/{tail:.*}": fail}) as (url, _):
        with without_sleeping():
            client: lucidgreen.RetailClient | SourceClient
            call: Awaitable[object]
            if method == "POST":
                client = lucidgreen.RetailClient(token=TOKEN, base_url=url)
                call = client.transactions.void(order_id="order-1", performed_at=WHEN)
            else:
                roomy = TokenBucket(limit=1000, per=1.0)
                client = SourceClient(token=TOKEN, base_url=url, rate_limiter=roomy)
                call = client.products.get(UUID)
            async with client:
                with pytest.raises(ServerError) as caught:
                    await call
    assert caught.value.outcome_unknown is (method == "POST")
    assert caught.value.method == method


# --- the token endpoint -------------------------------------------------------------------


async def test_a_failing_token_endpoint_fails_every_waiter_together_on_one_schedule() -> None:
    """Ten calls wait for a token from an endpoint that answers 503: one retry schedule runs
    (1 + max_retries token requests), and every call fails with it, not one after another."""

    async def busy(request: web.Request) -> web.Response:
        del request
        return web.Response(status=503, text="down")

    policy = RetryPolicy(max_retries=2, initial_delay=0.05, max_delay=0.05)
    async with (
        serve({"/o/token/": busy, "/api/v1.5/products/{uuid}/": ok_product}) as (
            url,
            seen,
        ),
        SourceClient("id", SECRET, base_url=url, retry=policy) as source,
    ):
        finished: list[float] = []

        async def call() -> BaseException | None:
            try:
                await source.products.get(UUID)
            except lucidgreen.LucidGreenError as exc:
                return exc
            finally:
                finished.append(time.monotonic())
            return None

        results = await asyncio.gather(*(call() for _ in range(10)))
    assert all(isinstance(r, ServerError) for r in results)
    assert seen.count("POST /o/token/") == 1 + policy.max_retries
    assert max(finished) - min(finished) < 0.05 * 2


@pytest.mark.parametrize(
    "body",
    [
        f"access_token={TOKEN}&expires_in=3600",  # form-encoded
        f'{{"access_token": "{TOKEN}", "expires_in"',  # truncated
        f'["{TOKEN}"]',  # an array
        f'{{"access_token": "{TOKEN}\\r\\nX-Evil: 1", "expires_in": 3600}}',  # header smuggling
        f'{{"access_token": "{TOKEN}", "expires_in": -5}}',  # already expired
        f'{{"access_token": "{TOKEN}", "expires_in": NaN}}',
    ],
)
async def test_an_odd_token_answer_never_has_its_body_quoted(body: str) -> None:
    """A 200 from /o/token/ that is not a usable token answer raises DecodeError whose text,
    repr, args and chain hold neither the token nor the secret; nothing else is sent."""

    async def odd(request: web.Request) -> web.Response:
        del request
        return web.Response(status=200, text=body, content_type="application/json")

    async with (
        serve({"/o/token/": odd, "/api/v1.5/products/{uuid}/": ok_product}) as (
            url,
            seen,
        ),
        SourceClient("id", SECRET, base_url=url) as source,
    ):
        with pytest.raises(DecodeError) as caught:
            await source.products.get(UUID)
    shown = []
    error: BaseException | None = caught.value
    while error is not None:
        shown += [str(error), repr(error), repr(error.args), repr(vars(error))]
        error = error.__cause__ or error.__context__
    assert not any(TOKEN in text or SECRET in text for text in shown)
    assert seen == ["POST /o/token/"]


async def test_a_refusing_token_endpoint_that_echoes_the_secret_does_not_leak_it() -> None:
    """A 401 whose body repeats the client secret: the AuthenticationError hides it."""

    async def echo(request: web.Request) -> web.Response:
        form = await request.post()
        return web.json_response(
            {"error": "invalid_client", "detail": f"bad secret {form['client_secret']!s}"},
            status=401,
        )

    async with (
        serve({"/o/token/": echo}) as (url, _),
        SourceClient("id", SECRET, base_url=url) as source,
    ):
        with pytest.raises(lucidgreen.AuthenticationError) as caught:
            await source.products.get(UUID)
    error = caught.value
    assert SECRET not in f"{error} {error!r} {error.body} {error.data} {error.__context__!r}"
    assert error.__cause__ is None
