"""Shared pieces of the reliability suite: a spy transport and the full-sync fault scenario.

Imported by the tests in this directory and by ``benchmarks/reliability.py`` (as
``tests.adversarial.faults.scenario``), so the benchmark runs exactly the scenario the
test checks.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs

from lucidgreen import Hooks, RetryPolicy, RetryScheduled
from lucidgreen._transport import (
    AiohttpTransport,
    Request,
    Response,
    StreamedResponse,
    Timeout,
    Transport,
)
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen

#: Marginal fault rates of the full-sync scenario (share of all API requests).
ERROR_RATE = 0.10
DROP_RATE = 0.03
SPURIOUS_429_RATE = 0.02


class SpyTransport:
    """Wraps a client's transport: keeps every Request and Response that crossed it, and sets
    ``token_requested`` when a request to ``/o/token/`` is handed to the network."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.seen: list[Request | Response] = []
        self.token_requested = asyncio.Event()

    @classmethod
    def over_aiohttp(cls) -> SpyTransport:
        """A spy around a fresh aiohttp transport, to pass as a client's ``transport=``."""
        return cls(AiohttpTransport())

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        self.seen.append(request)
        if request.url.endswith("/o/token/"):
            self.token_requested.set()
        response = await self.inner.send(request, timeout=timeout)
        self.seen.append(response)
        return response

    @asynccontextmanager
    async def stream(
        self, request: Request, *, timeout: Timeout
    ) -> AsyncIterator[StreamedResponse]:
        self.seen.append(request)
        async with self.inner.stream(request, timeout=timeout) as response:
            yield response

    async def aclose(self) -> None:
        await self.inner.aclose()


def set_marginal_fault_rates(fake: FakeLucidGreen) -> None:
    """Set the fake's knobs so that 10 % / 2 % / 3 % of *all* requests get 5xx / 429 / drop.

    The fake rolls error, then 429, then drop, each only for requests the earlier rolls
    spared, so the later knobs are raised to make their marginal shares the nominal ones.
    """
    faults = fake.faults
    faults.error_rate = ERROR_RATE
    faults.rate_limit_rate = SPURIOUS_429_RATE / (1 - ERROR_RATE)
    faults.drop_rate = DROP_RATE / (1 - ERROR_RATE - SPURIOUS_429_RATE)
    faults.spurious_retry_after = 1


def retries_for(failure_rate: float, calls: int, *, acceptable: float) -> int:
    """The fewest retries after which ``calls`` calls all succeed but with ``acceptable`` odds.

    A call fails only when its first attempt and every retry meet a fault, with probability
    ``failure_rate ** (retries + 1)``; across ``calls`` calls the expected number of failed
    calls (an upper bound on the chance of any) is ``calls`` times that.
    """
    return math.ceil(math.log(acceptable / calls) / math.log(failure_rate)) - 1


def expected_failed_calls(failure_rate: float, calls: int, retries: int) -> float:
    """Expected calls that exhaust ``retries`` retries at an independent ``failure_rate``."""
    return float(calls * failure_rate ** (retries + 1))


@attrs.define
class SyncRun:
    """What one full sync saw: the items, the client's and the fake's counters."""

    products: int
    listed: list[str]
    detailed: list[str]
    expected: set[str]
    seconds: float
    client_requests: int
    client_retries: int
    client_rate_limited: int
    client_server_errors: int
    client_transport_errors: int
    renewals_after_401: int
    tokens_issued: int
    tokens_expired: int
    max_retries_of_a_call: int
    max_retries_allowed: int
    server_requests: int
    faults: Counter[str]
    by_status: Counter[int]

    @property
    def lost(self) -> int:
        """Products of the fake missing from the listing or from the details fetched."""
        return len(self.expected - set(self.listed)) + len(self.expected - set(self.detailed))

    @property
    def duplicated(self) -> int:
        """Products delivered more than once (by the listing or by the detail fetches)."""
        return (len(self.listed) - len(set(self.listed))) + (
            len(self.detailed) - len(set(self.detailed))
        )

    def figures(self) -> dict[str, Any]:
        injected = sum(v for k, v in self.faults.items() if k != "latency")
        return {
            "products": self.products,
            "items listed": len(self.listed),
            "details fetched": len(self.detailed),
            "lost": self.lost,
            "duplicated": self.duplicated,
            "requests (server saw)": self.server_requests,
            "requests (client sent)": self.client_requests,
            "retries": self.client_retries,
            "429s (client saw)": self.client_rate_limited,
            "5xx (client saw)": self.client_server_errors,
            "transport errors (client saw)": self.client_transport_errors,
            "faults injected": injected,
            "  5xx injected": self.faults["error"],
            "  429 injected": self.faults["rate_limit"],
            "  drops injected": self.faults["drop"],
            "tokens expired mid-run": self.tokens_expired,
            "replays after 401": self.renewals_after_401,
            "tokens issued": self.tokens_issued,
            "most retries of one call": (
                f"{self.max_retries_of_a_call} of {self.max_retries_allowed}"
            ),
            "seconds": round(self.seconds, 2),
        }


async def full_sync(
    *,
    products: int = 2000,
    page_size: int = 50,
    seed: int = 2024,
    concurrency: int = 32,
    prefetch: int = 4,
    acceptable_failures: float = 1e-4,
) -> SyncRun:
    """List every product (with prefetch) and fetch each one's detail, under injected faults.

    The fake answers 10 % of API requests with a 5xx, 2 % with a spurious 429 and drops 3 %
    of connections; halfway through the listing every issued token is expired. Details are
    fetched by ``concurrency`` workers while the listing is still running. Any exception
    propagates to the caller (the scenario allows none).

    The retry budget is derived, not guessed: at a 15 % failure rate per attempt the default
    5 retries leave ``calls * 0.15**6`` (about 0.02 for 2,000 calls) expected failed calls a
    run, which would make a test flaky; :func:`retries_for` picks the budget that brings the
    expected failures under ``acceptable_failures``.
    """
    pages = math.ceil(products / page_size)
    calls = products + pages
    failure_rate = ERROR_RATE + DROP_RATE + SPURIOUS_429_RATE
    budget = retries_for(failure_rate, calls, acceptable=acceptable_failures)
    most_retries = 0

    def on_retry(event: RetryScheduled) -> None:
        nonlocal most_retries
        most_retries = max(most_retries, event.retry_number)

    async with FakeLucidGreen(
        products=products, page_size=page_size, rate_limits=False, seed=seed
    ) as fake:
        set_marginal_fault_rates(fake)
        client = fake.source_client(
            retry=RetryPolicy(max_retries=budget), hooks=Hooks(on_retry=on_retry)
        )
        listed: list[str] = []
        detailed: list[str] = []
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=concurrency * 2)
        expired = 0

        async def worker() -> None:
            while (uuid := await queue.get()) is not None:
                detailed.append((await client.products.get(uuid)).uuid)

        started = time.perf_counter()
        with without_sleeping():
            async with client, asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(worker())
                async for product in client.products.list(prefetch=prefetch):
                    listed.append(product.uuid)
                    await queue.put(product.uuid)
                    if len(listed) == products // 2:
                        expired = fake.expire_tokens()
                for _ in range(concurrency):
                    await queue.put(None)
        seconds = time.perf_counter() - started
        stats = client.stats
        return SyncRun(
            products=products,
            listed=listed,
            detailed=detailed,
            expected=set(fake.state.products),
            seconds=seconds,
            client_requests=stats.requests,
            client_retries=stats.retries,
            client_rate_limited=stats.rate_limited,
            client_server_errors=stats.server_errors,
            client_transport_errors=stats.transport_errors,
            renewals_after_401=stats.replays_after_401,
            tokens_issued=fake.stats.tokens_issued,
            tokens_expired=expired,
            max_retries_of_a_call=most_retries,
            max_retries_allowed=budget,
            server_requests=fake.stats.requests,
            faults=Counter(fake.stats.faults),
            by_status=Counter(fake.stats.by_status),
        )
