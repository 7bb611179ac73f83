"""Cancellation at any point leaves no connection, limiter turn or token lock behind."""

from __future__ import annotations

import asyncio
import gc
import random
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

from lucidgreen import TokenBucket
from lucidgreen._client import BaseClient
from lucidgreen._transport import Request
from lucidgreen.auth import ClientCredentials
from lucidgreen.source.models import Product
from lucidgreen.testing import FakeLucidGreen
from tests.adversarial.faults.scenario import SpyTransport

PRODUCTS = "/api/v1.5/products/"
TOKEN = "/o/token/"


def credentials(client: BaseClient) -> ClientCredentials:
    """The client's token renewer (a client built with client_id/client_secret has one)."""
    auth = client._auth
    assert isinstance(auth, ClientCredentials)
    return auth


@contextmanager
def resource_leaks() -> Iterator[list[str]]:
    """Collects every warning and every loop-reported error (aiohttp's "Unclosed ...")."""
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()

    def handler(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        reported.append(str(context.get("message")))

    loop.set_exception_handler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield reported
            gc.collect()
        reported.extend(str(w.message) for w in caught)
    finally:
        loop.set_exception_handler(previous)


async def test_cancelling_1000_concurrent_gets_at_random_points_leaks_nothing(figures) -> None:
    """1,000 gets, nine in ten cancelled at random times, leave no warning, connection, waiter
    or lock, and every call left alone completes."""
    rng = random.Random(8)
    with resource_leaks() as leaks:
        async with FakeLucidGreen(products=50, rate_limits=False, seed=8) as fake:
            # Slow answers and a slow token keep calls inside every stage when cancelled:
            # queued in the limiter, waiting for the token, mid-exchange.
            fake.faults.latency = 0.01
            fake.faults.token_latency = 0.05
            bucket = TokenBucket(limit=3000, per=1.0)
            connector = aiohttp.TCPConnector(limit=50)
            uuids = list(fake.state.products)
            async with (
                aiohttp.ClientSession(connector=connector) as session,
                fake.source_client(rate_limiter=bucket, session=session) as client,
            ):
                loop = asyncio.get_running_loop()
                tasks = [
                    asyncio.create_task(client.products.get(uuids[n % len(uuids)]))
                    for n in range(1000)
                ]
                # Every tenth call is left alone: amid the others' cancellations it must
                # still complete (and a slow run, under coverage, still has completions).
                kept = tasks[::10]
                for n, task in enumerate(tasks):
                    if n % 10:
                        loop.call_later(rng.uniform(0.0, 0.8), task.cancel)
                async with asyncio.timeout(10):
                    results = await asyncio.gather(*tasks, return_exceptions=True)

                completed = [r for r in results if isinstance(r, Product)]
                cancelled = [r for r in results if isinstance(r, asyncio.CancelledError)]
                assert len(completed) + len(cancelled) == 1000, {type(r).__name__ for r in results}
                sent = len(fake.requests.matching(PRODUCTS))
                in_flight = sent - len(completed)
                token_requests = len(fake.requests.matching(TOKEN))
                figures(
                    "1,000 gets cancelled at random points",
                    {
                        "completed": len(completed),
                        "cancelled": len(cancelled),
                        "cancelled before sending (limiter, token)": 1000 - sent,
                        "cancelled mid-exchange": in_flight,
                        "token requests": token_requests,
                    },
                )
                assert all(isinstance(task.result(), Product) for task in kept)
                assert 1000 - sent > 100
                assert in_flight > 0

                # No connection is still checked out of the pool.
                assert not connector._acquired
                # The limiter: nobody holds or waits for the turn, every permit was settled
                # or released, and the next acquire waits no longer than one request's
                # share of the rate.
                assert bucket.waiting == 0
                assert bucket.in_flight == 0
                async with asyncio.timeout(5):
                    permit = await bucket.acquire()
                await permit.release()
                assert permit.waited <= 1 / bucket.pacing.rate + 0.05
                # The token: nobody holds the renewal lock; the next call succeeds.
                assert credentials(client)._renewal is None
                async with asyncio.timeout(5):
                    product = await client.products.get(uuids[0])
                assert product.uuid == uuids[0]
                assert not connector._acquired
    assert leaks == []


async def test_cancelling_a_call_while_its_token_request_is_in_flight() -> None:
    """A call cancelled while the token request it started is in flight leaves the renewal
    running for the others: the waiters get the token it brings, and no second request goes."""
    with resource_leaks() as leaks:
        async with FakeLucidGreen(products=5, rate_limits=False, seed=9) as fake:
            uuid = next(iter(fake.state.products))
            # The token endpoint answers only when the fake closes, until the knob is reset.
            fake.faults.token_latency = 3600.0
            spy = SpyTransport.over_aiohttp()
            async with fake.source_client(transport=spy) as client:
                first = asyncio.create_task(client.products.get(uuid))
                async with asyncio.timeout(5):
                    await spy.token_requested.wait()
                # Others queue behind the token request in flight, then the first is cancelled.
                waiters = [asyncio.create_task(client.products.get(uuid)) for _ in range(5)]
                await asyncio.sleep(0)
                assert credentials(client)._renewal is not None
                fake.faults.token_latency = 0.0
                first.cancel()
                async with asyncio.timeout(5):
                    results = await asyncio.gather(first, *waiters, return_exceptions=True)
                assert isinstance(results[0], asyncio.CancelledError)
                assert [r.uuid for r in results[1:] if isinstance(r, Product)] == [uuid] * 5
                assert credentials(client)._renewal is None
                async with asyncio.timeout(5):
                    assert (await client.products.get(uuid)).uuid == uuid
            # The renewal outlived the call that started it and served every call after.
            assert credentials(client).tokens_issued == 1
            token_requests = [r for r in spy.seen if isinstance(r, Request) and r.form]
            assert len(token_requests) == 1
    assert leaks == []
