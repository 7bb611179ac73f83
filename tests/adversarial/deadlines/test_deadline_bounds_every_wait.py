# ruff: noqa: RUF007, B905
"""A call's deadline bounds every wait (limiter queue, token, 429 pause, retry) and nothing is
sent with only a sliver of it left."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import (
    DeadlineExceeded,
    RetryPolicy,
    SourceClient,
    TokenBucket,
)
from tests.adversarial.support import (
    LID,
    NEWTOKEN,
    NOW,
    SECRET,
    TOKEN,
    aimed_at,
    ok_product,
    product,
    retail,
    serve,
    serve_routes,
    source,
    with_credentials,
)

# Every test here waits on the real clock (deadlines, timeouts); the limiter's hopeless waits,
# which need no clock, are in test_hopeless_waits_fail_at_once.py.
pytestmark = pytest.mark.slow


async def test_deadline_bounds_token_acquisition() -> None:
    """Token endpoint hangs 5 s, deadline 0.5 s: DeadlineExceeded(request_sent=False) fast."""

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            await asyncio.sleep(5)
        return web.json_response({"access_token": NEWTOKEN, "expires_in": 3600})

    async with (
        serve(h) as (url, log),
        with_credentials(
            url, retry=lucidgreen.RetryPolicy(deadline=0.5, min_attempt_time=0.05)
        ) as c,
    ):
        t = time.monotonic()
        with pytest.raises(lucidgreen.DeadlineExceeded) as info:
            await c.products.get(LID)
        assert time.monotonic() - t < 2.0
    assert info.value.request_sent is False
    assert all(p.endswith("/o/token/") for _, p, _ in log)


async def test_queued_writes_past_deadline_are_never_sent_with_a_sliver() -> None:
    """6 voids queued at 1 per 0.4 s, deadline 1 s: every void the server applied returned
    normally; the others raised DeadlineExceeded(request_sent=False), never WriteOutcomeUnknown."""

    arrivals: list[float] = []

    async def h(r: web.Request, n: int) -> web.Response:
        arrivals.append(time.monotonic())
        await asyncio.sleep(0.05)
        return web.json_response({"returnCode": 1000, "status": "ok"})

    bucket = lucidgreen.TokenBucket(limit=1, per=0.4)
    async with (
        serve(h) as (url, log),
        retail(
            url,
            rate_limiter=bucket,
            timeout=5,
            retry=lucidgreen.RetryPolicy(deadline=1.0, min_attempt_time=0.2),
        ) as c,
    ):
        results = await asyncio.gather(
            *(c.transactions.void(performed_at=NOW, order_id=f"o{i}") for i in range(6)),
            return_exceptions=True,
        )
    ok = [r for r in results if not isinstance(r, BaseException)]
    bad = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == len(log)
    assert all(isinstance(b, lucidgreen.DeadlineExceeded) and not b.request_sent for b in bad), bad
    # limit=1 per 0.4 s: no two arrivals closer than the window
    assert all(b - a >= 0.39 for a, b in zip(arrivals, arrivals[1:])), arrivals


async def test_retry_not_sent_with_sliver_left() -> None:
    """complete answered 503 after 0.8 s of a 1 s deadline: no second attempt is sent."""

    async def h(r: web.Request, n: int) -> web.Response:
        await asyncio.sleep(0.8)
        return web.Response(status=503)

    async with (
        serve(h) as (url, log),
        retail(
            url, retry=lucidgreen.RetryPolicy(deadline=1.0, initial_delay=0.0, min_attempt_time=0.5)
        ) as c,
    ):
        with pytest.raises(lucidgreen.LucidGreenError):
            await c.transactions.complete(order_id="o", items=[LID], performed_at=NOW)
    assert len(log) == 1


async def test_deadline_after_a_sent_attempt_says_request_sent() -> None:
    """POST answered 429 Retry-After 5 under a 1 s deadline: DeadlineExceeded/RateLimited,
    request_sent True if DeadlineExceeded, outcome_unknown False (a 429 applied nothing)."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "5"})

    async with aimed_at(
        h,
        retail,
        rate_limiter=lucidgreen.TokenBucket(limit=50, per=1.0),
        retry=lucidgreen.RetryPolicy(deadline=1.0, min_attempt_time=0.05),
    ) as (c, log):
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await asyncio.wait_for(c.operations.request("POST", "x/", json={}), 5)
    if isinstance(info.value, lucidgreen.DeadlineExceeded):
        assert info.value.request_sent is True
    assert info.value.outcome_unknown is False
    assert len(log) == 1


async def test_short_deadline_still_sends_first_attempt() -> None:
    """RetryPolicy(deadline=0.5) with the default min_attempt_time (1 s): a fast call works."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    async with serve(h) as (url, log), source(url, retry=lucidgreen.RetryPolicy(deadline=0.5)) as c:
        await c.products.get(LID)
    assert len(log) == 1


async def test_calls_whose_deadline_passes_in_the_limiter_queue_are_never_sent() -> None:
    """Five writes queued behind a 1-per-0.5 s budget with a 1.2 s deadline: the ones the
    budget cannot reach in time raise DeadlineExceeded(request_sent=False), and the server
    sees exactly the ones that were sent, each with room for its whole timeout."""
    applied: list[float] = []

    async def void(request: web.Request) -> web.Response:
        applied.append(time.monotonic())
        return web.json_response({"returnCode": 1000, "message": "voided"})

    async with serve_routes({"/api/v1.2/{tail:.*}": void}) as (url, seen):
        bucket = TokenBucket(limit=1, per=0.5, burst=1)
        policy = RetryPolicy(deadline=1.2, min_attempt_time=0.3)
        async with lucidgreen.RetailClient(
            token=TOKEN, base_url=url, rate_limiter=bucket, retry=policy
        ) as retail:
            results = await asyncio.gather(
                *(
                    retail.transactions.void(order_id=f"order-{n}", performed_at=NOW)
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

    async with serve_routes({"/o/token/": stall, "/api/v1.5/products/{uuid}/": ok_product}) as (
        url,
        seen,
    ):
        policy = RetryPolicy(deadline=0.6, min_attempt_time=0.1)
        async with SourceClient("id", SECRET, base_url=url, retry=policy) as source:
            started = time.monotonic()
            with pytest.raises(DeadlineExceeded) as caught:
                await source.products.get(LID)
            elapsed = time.monotonic() - started
    assert not caught.value.request_sent
    assert "token" in str(caught.value)
    assert elapsed < 3
    assert [s for s in seen if s.startswith("GET")] == []
