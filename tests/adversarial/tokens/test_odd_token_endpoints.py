# ruff: noqa: SIM105
"""An odd or failing token endpoint gives typed errors, fails its waiters together and never
loops."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import (
    DecodeError,
    RetryPolicy,
    ServerError,
    SourceClient,
)
from tests.adversarial.support import (
    LID,
    NEWTOKEN,
    SECRET,
    TOKEN,
    Handler,
    ok_product,
    product,
    serve,
    serve_routes,
    with_credentials,
)


def token_endpoint_answering(grant: str) -> Handler:
    """/o/token/ answers the raw JSON ``grant`` (odd on purpose); every other path a product."""

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.Response(body=grant, content_type="application/json")
        return web.json_response(product(n))

    return h


@pytest.mark.parametrize(
    "expires",
    ["0", "-5", '"3600"', "1e308", "1e400", "NaN", "true", "null", "99999999999999999999999"],
)
async def test_odd_expires_in_neither_crashes_nor_loops(expires: str) -> None:
    """expires_in games: 3 calls finish (or DecodeError), <= 6 token requests, no crash."""
    grant = f'{{"access_token": "{NEWTOKEN}", "token_type": "Bearer", "expires_in": {expires}}}'
    async with (
        serve(token_endpoint_answering(grant)) as (url, log),
        with_credentials(url, retry=lucidgreen.RetryPolicy(max_retries=1, initial_delay=0)) as c,
    ):
        for _ in range(3):
            try:
                await asyncio.wait_for(c.products.get(LID), 5)
            except lucidgreen.DecodeError:
                pass
    assert sum(p.endswith("/o/token/") for _, p, _ in log) <= 6


@pytest.mark.slow
async def test_failing_token_endpoint_fails_waiters_together() -> None:
    """/o/token/ always 503; 10 concurrent calls on a 2-retry 0.3 s schedule fail together,
    with one shared schedule of token requests."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=503)

    async with (
        serve(h) as (url, log),
        with_credentials(url, retry=lucidgreen.RetryPolicy(max_retries=2, initial_delay=0.3)) as c,
    ):
        start = time.monotonic()
        ends: list[float] = []

        async def call() -> None:
            try:
                await c.products.get(LID)
            finally:
                ends.append(time.monotonic() - start)

        res = await asyncio.gather(*(call() for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, lucidgreen.LucidGreenError) for r in res)
    assert max(ends) - min(ends) < 0.5, ends
    assert len(log) <= 6


async def test_401_storm_is_bounded() -> None:
    """The API answers 401 forever: 10 calls each fail with AuthenticationError after at most
    one renewal; token requests <= 11."""

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.json_response({"access_token": f"{NEWTOKEN}{n}", "expires_in": 3600})
        return web.json_response({"detail": "no"}, status=401)

    async with (
        serve(h) as (url, log),
        with_credentials(url, retry=lucidgreen.RetryPolicy(max_retries=3, initial_delay=0)) as c,
    ):
        res = await asyncio.gather(
            *(c.products.get(LID) for _ in range(10)), return_exceptions=True
        )
    assert all(isinstance(r, lucidgreen.AuthenticationError) for r in res), res
    assert sum(p.endswith("/o/token/") for _, p, _ in log) <= 11
    assert len(log) <= 40


@pytest.mark.parametrize("tok", ['""', "123", "null", '"a b"', '"x\\r\\nX-Injected: 1"'])
async def test_odd_access_token_is_sdk_error(tok: str) -> None:
    grant = f'{{"access_token": {tok}, "expires_in": 3600}}'
    async with (
        serve(token_endpoint_answering(grant)) as (url, log),
        with_credentials(url) as c,
    ):
        try:
            await c.products.get(LID)
        except lucidgreen.LucidGreenError:
            pass
    assert all("X-Injected" not in h for _, _, (h, _) in log)


@pytest.mark.slow
async def test_a_failing_token_endpoint_fails_every_waiter_together_on_one_schedule() -> None:
    """Ten calls wait for a token from an endpoint that answers 503: one retry schedule runs
    (1 + max_retries token requests), and every call fails with it, not one after another."""

    async def busy(request: web.Request) -> web.Response:
        del request
        return web.Response(status=503, text="down")

    policy = RetryPolicy(max_retries=2, initial_delay=0.05, max_delay=0.05)
    async with (
        serve_routes({"/o/token/": busy, "/api/v1.5/products/{uuid}/": ok_product}) as (
            url,
            seen,
        ),
        SourceClient("id", SECRET, base_url=url, retry=policy) as source,
    ):
        finished: list[float] = []

        async def call() -> BaseException | None:
            try:
                await source.products.get(LID)
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
        serve_routes({"/o/token/": odd, "/api/v1.5/products/{uuid}/": ok_product}) as (
            url,
            seen,
        ),
        SourceClient("id", SECRET, base_url=url) as source,
    ):
        with pytest.raises(DecodeError) as caught:
            await source.products.get(LID)
    shown = []
    error: BaseException | None = caught.value
    while error is not None:
        shown += [str(error), repr(error), repr(error.args), repr(vars(error))]
        error = error.__cause__ or error.__context__
    assert not any(TOKEN in text or SECRET in text for text in shown)
    assert seen == ["POST /o/token/"]
