"""Overhead: items per second of ``async for p in source.products.list()`` against two loops.

The fake server runs in its own process (``python -m lucidgreen.testing``) with rate limits
off, ``page_size`` 100 and no latency, so a walk is bound by the client and the server's own
work, which is the same for all three loops. Each round walks the whole list once with:

- ``sdk``: ``async for p in source.products.list()`` on a ``SourceClient`` whose limiter is
  lifted (a bucket of 10^9 per second), typed ``ProductSummary`` items out;
- ``bare``: one ``aiohttp.ClientSession`` that follows ``next`` and only ``json.loads`` each
  page (dicts out, nothing checked): the floor any aiohttp-based client pays;
- ``httpx``: an ``httpx.AsyncClient`` that follows ``next`` and validates each page with a
  pydantic v2 model (the stack most peer SDKs use), typed items out;
- ``sdk_otel``: the ``sdk`` loop on a second client with ``lucidgreen.otel.instrument``
  turned on (a span per page and per attempt, metrics), spans kept by opentelemetry-sdk's
  in-memory exporter. ``otel_on_vs_off_ratio`` is its items/s over ``sdk``'s; ``sdk`` itself
  never has instrumentation set, so its ratios against the baselines are the "off" figures.

Sessions, clients and tokens are made once and warmed up before timing; the loops run in a
rotating order each round. A round's ratio compares loops measured seconds apart, and the
figure is the median over rounds. ``*_cpu_*`` figures divide items by this process's CPU
seconds only (the server's CPU excluded): the client's own cost per item.

Run ``python -m benchmarks.overhead [--quick]``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
import pydantic

import lucidgreen
import lucidgreen.otel
import lucidgreen.ratelimit

from ._common import fake_process, fetch_token, median

PAGE_SIZE = 100


class ProductSummaryModel(pydantic.BaseModel):
    """The products_list entry as a peer SDK would declare it (same fields, same optionality)."""

    model_config = pydantic.ConfigDict(frozen=True)

    uuid: str
    name: str | None = None
    sku: str | None = None
    product_type: str | None = None
    is_published: bool | None = None
    brand_uuid: str | None = None


class ProductPageModel(pydantic.BaseModel):
    """A DRF page of products."""

    count: int
    next: str | None = None
    previous: str | None = None
    results: list[ProductSummaryModel]


Walk = Callable[[], Awaitable[int]]


async def walk_sdk(client: lucidgreen.SourceClient) -> int:
    n = 0
    async for _product in client.products.list():
        n += 1
    return n


async def walk_bare(session: aiohttp.ClientSession, first: str) -> int:
    n = 0
    url: str | None = first
    while url is not None:
        async with session.get(url) as response:
            response.raise_for_status()
            page = json.loads(await response.read())
        n += len(page["results"])
        url = page["next"]
    return n


async def walk_httpx(client: httpx.AsyncClient, first: str) -> int:
    n = 0
    url: str | None = first
    while url is not None:
        response = await client.get(url)
        response.raise_for_status()
        page = ProductPageModel.model_validate_json(response.content)
        n += len(page.results)
        url = page.next
    return n


def _in_memory_otel(client: lucidgreen.SourceClient) -> Callable[[], None]:
    """Instrument ``client`` with in-memory providers; return what clears the kept spans."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    lucidgreen.otel.instrument(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    return exporter.clear


async def measure(url: str, client_id: str, secret: str, rounds: int) -> dict[str, float]:
    first = f"{url}/api/v1.5/products/"
    unlimited = lucidgreen.ratelimit.Unlimited()
    async with (
        aiohttp.ClientSession() as session,
        lucidgreen.SourceClient(client_id, secret, base_url=url, rate_limiter=unlimited) as sdk,
        lucidgreen.SourceClient(client_id, secret, base_url=url, rate_limiter=unlimited) as traced,
    ):
        clear_spans = _in_memory_otel(traced)
        token = await fetch_token(session, url, client_id, secret)
        session.headers["Authorization"] = f"Bearer {token}"

        async def walk_traced() -> int:
            clear_spans()  # memory stays flat across rounds; the spans were made and exported
            return await walk_sdk(traced)

        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as hx:
            walks: dict[str, Walk] = {
                "sdk": lambda: walk_sdk(sdk),
                "bare": lambda: walk_bare(session, first),
                "httpx": lambda: walk_httpx(hx, first),
                "sdk_otel": walk_traced,
            }
            counts = {name: await walk() for name, walk in walks.items()}  # warm-up
            if len(set(counts.values())) != 1:
                raise RuntimeError(f"the loops saw different item counts: {counts}")
            wall: dict[str, list[float]] = {name: [] for name in walks}
            cpu: dict[str, list[float]] = {name: [] for name in walks}
            order = list(walks)
            for round_ in range(rounds):
                turn = round_ % len(order)
                for name in order[turn:] + order[:turn]:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    items = await walks[name]()
                    wall[name].append(items / (time.perf_counter() - started))
                    cpu[name].append(items / max(time.process_time() - cpu_started, 1e-9))
    figures: dict[str, float] = {"items": float(counts["sdk"]), "rounds": float(rounds)}
    for name in walks:
        figures[f"{name}_items_per_s"] = median(wall[name])
        figures[f"{name}_cpu_items_per_s"] = median(cpu[name])
    figures["otel_on_vs_off_ratio"] = median(
        [on / off for on, off in zip(wall["sdk_otel"], wall["sdk"], strict=True)]
    )
    figures["otel_on_vs_off_cpu_ratio"] = median(
        [on / off for on, off in zip(cpu["sdk_otel"], cpu["sdk"], strict=True)]
    )
    for base in ("bare", "httpx"):
        figures[f"sdk_vs_{base}_ratio"] = median(
            [s / b for s, b in zip(wall["sdk"], wall[base], strict=True)]
        )
        figures[f"sdk_vs_{base}_cpu_ratio"] = median(
            [s / b for s, b in zip(cpu["sdk"], cpu[base], strict=True)]
        )
    return figures


def run(*, quick: bool = False) -> dict[str, float]:
    """The figures described in the module docstring, as ``{name: value}``."""
    products, rounds = (5_000, 3) if quick else (20_000, 7)
    with fake_process(products=products, page_size=PAGE_SIZE, no_rate_limits=True) as fake:
        return asyncio.run(
            measure(fake["url"], fake["source_client_id"], fake["source_client_secret"], rounds)
        )


def main(argv: list[str]) -> None:
    figures: dict[str, Any] = run(quick="--quick" in argv)
    for name, value in figures.items():
        print(f"{name:32} {value:14.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
