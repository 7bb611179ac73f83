# ruff: noqa: RUF059, PT018
"""The shared budget survives arrival jitter, cancellation storms and raising hooks: no 429,
no leaked permit."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, aimed_at, product, serve, source
from tests.support import FakeClock


class DrfWindow:
    """A DRF sliding window: at most ``limit`` arrivals in any second, the next one a 429
    (Retry-After: 1), counted in :attr:`rejected`. Each arrival is counted after a random
    0-``jitter`` s delay (out of send order) and answered a random 0-``service`` s later."""

    def __init__(self, limit: int, *, jitter: float = 0.0, service: float = 0.0) -> None:
        self.limit, self.jitter, self.service = limit, jitter, service
        self.arrivals: list[float] = []
        self.rejected = 0

    async def answer(self, r: web.Request, n: int) -> web.Response:
        del r
        await asyncio.sleep(random.uniform(0, self.jitter))
        now = time.monotonic()
        while self.arrivals and self.arrivals[0] <= now - 1.0:
            self.arrivals.pop(0)
        if len(self.arrivals) >= self.limit:
            self.rejected += 1
            return web.json_response(
                {"detail": "throttled"}, status=429, headers={"Retry-After": "1"}
            )
        self.arrivals.append(now)
        await asyncio.sleep(random.uniform(0, self.service))
        return web.json_response(product(n))


@pytest.mark.slow
async def test_drf_sliding_window_with_arrival_jitter_never_429() -> None:
    """DRF window 20/1 s, arrivals delayed 0-0.3 s before counting: 0 x 429 for 70 calls."""
    server = DrfWindow(20, jitter=0.3, service=0.1)
    bucket = lucidgreen.TokenBucket(limit=20, per=1.0)
    async with aimed_at(server.answer, source, rate_limiter=bucket) as (c, _):
        view = c.with_options(timeout=10)
        await asyncio.gather(
            *(c.products.get(LID) for _ in range(35)),
            *(view.products.get(LID) for _ in range(35)),
            return_exceptions=True,
        )
    assert server.rejected == 0
    assert bucket.in_flight == 0 and bucket.waiting == 0


@pytest.mark.slow
async def test_cancellation_storm_leaks_no_permit() -> None:
    """60 calls against a slow server, cancelled at random moments: afterwards no permit in
    flight or waiting, and a fresh call gets budget within one window."""

    async def h(r: web.Request, n: int) -> web.Response:
        await asyncio.sleep(random.uniform(0, 0.2))
        return web.json_response(product(n))

    bucket = lucidgreen.TokenBucket(limit=5, per=0.5)
    async with serve(h) as (url, log), source(url, rate_limiter=bucket, timeout=5) as c:
        tasks = [asyncio.ensure_future(c.products.get(LID)) for _ in range(60)]
        for _ in range(40):
            await asyncio.sleep(random.uniform(0, 0.03))
            random.choice(tasks).cancel()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert bucket.waiting == 0
        assert bucket.in_flight == 0
        await asyncio.wait_for(c.products.get(LID), 3)


async def test_direct_acquire_cancellation_leaks_nothing() -> None:
    """30 acquisitions on a fake clock, two in three cancelled while they wait or hold: the
    bucket ends with nothing in flight or waiting and grants the next at once."""
    clock = FakeClock()
    bucket = lucidgreen.TokenBucket(limit=2, per=0.3, clock=clock, sleep=clock.sleep)

    async def one() -> None:
        permit = await bucket.acquire(hold=1.0)
        await clock.sleep(0.01)
        await permit.settle()

    tasks = [asyncio.ensure_future(one()) for _ in range(30)]
    await asyncio.sleep(0)  # every task starts and queues
    for i, t in enumerate(tasks):
        if i % 3:
            t.cancel()
        await clock.sleep(0.005)
    await asyncio.gather(*tasks, return_exceptions=True)
    assert bucket.waiting == 0 and bucket.in_flight == 0
    p = await asyncio.wait_for(bucket.acquire(hold=1.0), 2)
    await p.release()


async def test_raising_limiter_hook_leaks_no_permit() -> None:
    """A careless on_limiter_wait hook that raises: the permit it interrupted is not held
    until its 30 s hold runs out (a third call gets budget without waiting). The bucket runs
    on a fake clock, so the second call's wait takes no real time."""

    def bad(event: Any) -> None:
        raise RuntimeError("hook bug")

    clock = FakeClock()
    bucket = lucidgreen.TokenBucket(limit=1, per=0.3, clock=clock, sleep=clock.sleep)

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(n))

    async with (
        serve(h) as (url, log),
        source(url, rate_limiter=bucket, hooks=lucidgreen.Hooks(on_limiter_wait=bad)) as c,
    ):
        await c.products.get(LID)
        with pytest.raises(RuntimeError):
            await c.products.get(LID)
        in_flight = bucket.in_flight
        # The interrupted call gave its permit back, so the next one is not held up by a
        # leaked 30 s hold: it gets budget at once (no wait, so the hook stays quiet).
        waits = len(clock.sleeps)
        await asyncio.wait_for(c.products.get(LID), 2)
        assert in_flight == 0
        assert len(clock.sleeps) == waits


@pytest.mark.slow
async def test_unexpected_429_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    """Server window 8 per 1 s, client configured 16 per 1 s: 429s are met; the SDK logs one
    WARNING about the unexpected 429s (not one per 429) and every call ends."""
    caplog.set_level(logging.WARNING)
    server = DrfWindow(8)

    async with aimed_at(
        server.answer,
        source,
        rate_limiter=lucidgreen.TokenBucket(limit=16, per=1.0),
        retry=lucidgreen.RetryPolicy(max_retries=5, initial_delay=0.1),
    ) as (c, _):
        res = await asyncio.wait_for(
            asyncio.gather(*(c.products.get(LID) for _ in range(24)), return_exceptions=True), 20
        )
    warnings_ = [
        r
        for r in caplog.records
        if r.name.startswith("lucidgreen")
        and r.levelno == logging.WARNING
        and "429" in r.getMessage()
    ]
    assert server.rejected > 0
    assert len(warnings_) == 1, [r.getMessage() for r in warnings_]
    assert all(not isinstance(r, BaseException) for r in res), [
        r for r in res if isinstance(r, BaseException)
    ][:2]
