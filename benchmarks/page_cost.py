"""Where a page's time goes: the client's CPU per page with the network taken out.

``python -m benchmarks.page_cost [--profile]`` fetches every page of 10,000 products (100 a
page) from the fake once, then walks them again and again through the SDK over an in-memory
:class:`~lucidgreen._transport.Transport` that hands back those answers. What is left is the
SDK's own work per page (pipeline, envelope, structuring, pager, cursor), steady enough to
compare pieces of a few microseconds; aiohttp's share is what the ``overhead`` module shows
on top. It prints, in µs per page (best of several walks, CPU time of this process):

- ``json.loads`` of each page alone (what the bare aiohttp loop pays too);
- the SDK walk, untraced; traced with opentelemetry-sdk's in-memory exporter (as the
  ``overhead`` module); and traced with OpenTelemetry's no-op providers (the SDK's own
  instrumentation code without opentelemetry-sdk's spans and measurements);
- the pieces a page pays for, each timed alone with ``timeit``.

``--profile`` adds cProfile's 25 heaviest functions of the untraced walk (by own time; the
profiler inflates call-heavy code, so read them as shares). ``--live`` adds the same walks
over the real aiohttp transport against the fake (a live loopback page: the bare aiohttp +
``json.loads`` loop, the SDK walk, the traced walk), each as CPU µs of this process and
wall µs per page, best of several walks taken in turn. Not part of ``python -m
benchmarks``: no ratio, no goal; it is the profile behind the ``overhead`` rows.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import sys
import time
import timeit
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp

import lucidgreen
import lucidgreen.otel
import lucidgreen.ratelimit
from lucidgreen import _cursors, _envelopes
from lucidgreen._transport import Request, Response, StreamedResponse, Timeout

from ._common import fake_process, fetch_token
from .overhead import _in_memory_otel, walk_bare, walk_sdk

PRODUCTS, PAGE_SIZE, WALKS, LIVE_WALKS = 10_000, 100, 15, 5
_TOKEN = json.dumps({"access_token": "t", "token_type": "Bearer", "expires_in": 36000}).encode()
Answer = tuple[int, dict[str, str], bytes]


class MemoryTransport:
    """Answers each page's path with the answer the fake gave it; any token request with a
    token."""

    def __init__(self, origin: str, answers: Mapping[str, Answer]) -> None:
        self._origin, self._answers = origin, answers

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        del timeout
        if request.url.endswith("/o/token/"):
            return Response(200, {"content-type": "application/json"}, _TOKEN, request.url)
        status, headers, body = self._answers[request.url[len(self._origin) :]]
        return Response(status, headers, body, request.url)

    def stream(
        self, request: Request, *, timeout: Timeout
    ) -> AbstractAsyncContextManager[StreamedResponse, Any]:
        raise NotImplementedError("a walk streams nothing")

    async def aclose(self) -> None:
        return None


async def capture(url: str, client_id: str, secret: str) -> dict[str, Answer]:
    """Every page of the fake's product list, by path, as it answered."""
    answers: dict[str, Answer] = {}
    async with aiohttp.ClientSession() as session:
        token = await fetch_token(session, url, client_id, secret)
        link: str | None = f"{url}/api/v1.5/products/"
        while link is not None:
            async with session.get(link, headers={"Authorization": f"Bearer {token}"}) as got:
                body = await got.read()
                headers = {name.lower(): value for name, value in got.headers.items()}
                answers[str(got.url.relative())] = (got.status, headers, body)
            link = json.loads(body)["next"]
    return answers


async def _best_cpu(walk: Callable[[], Awaitable[object]], pages: int) -> float:
    """The fastest of ``WALKS`` walks, in CPU µs per page."""
    best = float("inf")
    for _ in range(WALKS):
        started = time.process_time()
        await walk()
        best = min(best, time.process_time() - started)
    return best / pages * 1e6


def _client(origin: str, answers: Mapping[str, Answer]) -> lucidgreen.SourceClient:
    return lucidgreen.SourceClient(
        "id",
        "secret",
        base_url=origin,
        rate_limiter=lucidgreen.ratelimit.Unlimited(),
        transport=MemoryTransport(origin, answers),
    )


async def walks(origin: str, answers: Mapping[str, Answer], profile: bool) -> dict[str, float]:
    from opentelemetry.metrics import NoOpMeterProvider
    from opentelemetry.trace import NoOpTracerProvider

    pages = len(answers)

    async def loads_only() -> None:
        for _status, _headers, body in answers.values():
            json.loads(body)

    figures = {"json.loads of the page": await _best_cpu(loads_only, pages)}
    async with (
        _client(origin, answers) as plain,
        _client(origin, answers) as traced,
        _client(origin, answers) as no_op,
    ):
        clear = _in_memory_otel(traced)
        lucidgreen.otel.instrument(
            no_op, tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider()
        )

        async def traced_walk() -> int:
            clear()
            return await walk_sdk(traced)

        runs: list[tuple[str, Callable[[], Awaitable[int]]]] = [
            ("SDK walk", lambda: walk_sdk(plain)),
            ("SDK walk, traced (in-memory exporter)", traced_walk),
            ("SDK walk, traced (no-op providers)", lambda: walk_sdk(no_op)),
        ]
        for name, walk in runs:
            await walk()  # the token, and each path's cached parse, before timing
            figures[name] = await _best_cpu(walk, pages)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                await walk_sdk(plain)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return figures


def pieces(answers: Mapping[str, Answer]) -> dict[str, float]:
    """µs a call of each piece a page pays for (best of 7 repeats)."""
    from lucidgreen import _pipeline
    from lucidgreen._converter import structure_list
    from lucidgreen.source.models import ProductSummary

    # Run against an older SDK too (PYTHONPATH=<its export>): it made ids with uuid4.
    request_id = getattr(_pipeline, "request_id", lambda: uuid.uuid4().hex)

    status, headers, body = list(answers.values())[1]
    results = json.loads(body)["results"]
    endpoint = "/api/v1.5/products/"
    fresh = iter(range(10**9))  # a link never seen before, as each page's is
    request = Request("GET", f"http://h{endpoint}", headers={"User-Agent": "u"})
    cursor = _cursors.Cursor(
        endpoint=endpoint,
        next_path=f"{endpoint}?page=3",
        count=PRODUCTS,
        yielded=200,
        anchor=_cursors.Anchor(f"{endpoint}?page=2", 99, "UNDTMBovdue9tFWfhamnDM", 100),
    )
    timed: dict[str, Callable[[], object]] = {
        "structure 100 ProductSummary": lambda: structure_list(results, ProductSummary),
        "error_for a 2xx page (the returnCode scan)": lambda: _envelopes.error_for(
            status, headers, body, now=0.0
        ),
        "rebase a new next link": lambda: _cursors.rebase(
            f"http://h:1{endpoint}?page={next(fresh) + 2}", endpoint=endpoint
        ),
        "page_number of a new path": lambda: _cursors.page_number(
            f"{endpoint}?page={next(fresh) + 2}"
        ),
        "X-Request-ID": request_id,
        "Request.with_headers": lambda: request.with_headers({"X-Request-ID": "x"}),
        "encode_cursor": lambda: _cursors.encode_cursor(cursor),
    }
    figures: dict[str, float] = {}
    for name, piece in timed.items():
        number = 200 if name.startswith("structure") else 20_000
        figures[name] = min(timeit.repeat(piece, number=number, repeat=7)) / number * 1e6
    return figures


async def live(url: str, client_id: str, secret: str, pages: int) -> dict[str, float]:
    """CPU and wall µs per page of each walk over loopback to the fake at ``url`` (best of
    ``LIVE_WALKS``, the walks taken in turn so that a busy moment hits them alike)."""
    unlimited = lucidgreen.ratelimit.Unlimited()
    first = f"{url}/api/v1.5/products/"
    async with (
        aiohttp.ClientSession() as session,
        lucidgreen.SourceClient(client_id, secret, base_url=url, rate_limiter=unlimited) as sdk,
        lucidgreen.SourceClient(client_id, secret, base_url=url, rate_limiter=unlimited) as traced,
    ):
        token = await fetch_token(session, url, client_id, secret)
        session.headers["Authorization"] = f"Bearer {token}"
        clear = _in_memory_otel(traced)

        async def traced_walk() -> int:
            clear()
            return await walk_sdk(traced)

        runs: dict[str, Callable[[], Awaitable[int]]] = {
            "live: bare aiohttp + json.loads": lambda: walk_bare(session, first),
            "live: SDK walk": lambda: walk_sdk(sdk),
            "live: SDK walk, traced (in-memory exporter)": traced_walk,
        }
        for walk in runs.values():
            await walk()  # connections, tokens and each path's cached parse, before timing
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        wall: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(LIVE_WALKS):
            for name, walk in runs.items():
                cpu_started, started = time.process_time(), time.perf_counter()
                await walk()
                cpu[name].append(time.process_time() - cpu_started)
                wall[name].append(time.perf_counter() - started)
    figures: dict[str, float] = {}
    for name in runs:
        figures[f"{name}, CPU"] = min(cpu[name]) / pages * 1e6
        figures[f"{name}, wall"] = min(wall[name]) / pages * 1e6
    return figures


def run(*, profile: bool = False, live_too: bool = False) -> dict[str, float]:
    with fake_process(products=PRODUCTS, page_size=PAGE_SIZE, no_rate_limits=True) as fake:
        origin = fake["url"]
        credentials = fake["source_client_id"], fake["source_client_secret"]
        answers = asyncio.run(capture(origin, *credentials))
        measured = asyncio.run(live(origin, *credentials, len(answers))) if live_too else {}
    figures = asyncio.run(walks(origin, answers, profile))
    return {**figures, **measured, **pieces(answers)}


def main(argv: list[str]) -> None:
    for name, value in run(profile="--profile" in argv, live_too="--live" in argv).items():
        print(f"{name:50} {value:8.2f} µs")


if __name__ == "__main__":
    main(sys.argv[1:])
