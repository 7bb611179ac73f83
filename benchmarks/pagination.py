"""Pagination: latency hiding with ``prefetch=8``, and memory while streaming a long list.

Run ``python -m benchmarks.pagination [--quick]``. Figures (each against a baseline measured
in the same run):

1. ``limited_*``: a full sync of 40 pages (50 products each) from the fake server running in
   its own process with 250 ms added to every page (a realistic page time plus round trip),
   through a ``TokenBucket(limit=1000, per=60)`` (LucidRetail's budget). ``sequential`` is
   ``async for p in source.products.list()``, ``prefetch`` the same with ``prefetch=8``.
   ``limited_speedup`` is sequential / prefetch wall time. ``limited_bound_seconds`` is what
   the limit alone allows, ``pages / (1000 / 60 s)`` = 2.4 s for 40 pages, and
   ``limited_bound_share`` = bound / prefetch time (1.0 would be a walk exactly at the limit;
   page 1 must come back before the others can be planned, and the last page still takes
   its 250 ms, so ``limited_floor_seconds``, ``latency + (pages - 1 - bucket capacity) /
   bucket rate + latency``, is the best this design can do with this bucket, and
   ``limited_floor_share`` = floor / actual).
2. ``unlimited_*``: the same with the limit lifted (a bucket of 10^9 per second). The ideal
   for prefetch is ``latency * (1 + ceil((pages - 1) / 8))``; ``unlimited_ideal_share`` =
   ideal / actual. Goal for ``unlimited_speedup``: >= 6x.
3. ``rss_*``: peak RSS of a fresh process streaming 100,000 and 1,000,000 items through the
   real ``AsyncPager`` (``decode_page`` on JSON bytes, ``structure_list`` into
   ``ProductSummary``), fed by a synthetic fetch that renders pages of 100 items on the fly
   (a 1,000,000-product fake takes minutes and gigabytes to generate, so no HTTP here), and
   keeping nothing but a count. ``rss_ratio`` = 1M / 100k (goal <= 1.1); ``_prefetch8``
   figures do the same with ``prefetch=8``. ``heap_*`` measure the same walks with
   ``tracemalloc`` (Python allocations only, so the interpreter's base does not dilute the
   ratio): ``heap_1m_vs_100k_ratio`` = 1M / 100k peak traced bytes (``--quick``:
   ``heap_100k_vs_10k_ratio``).

Prefetch timings are medians of 3 walks (1 with ``--quick``); sequential walks take 10 s each
and are latency-bound, so they run once.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

if __package__ in (None, ""):  # ``python benchmarks/pagination.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from lucidgreen import SourceClient, TokenBucket

from ._common import REPO_ROOT, fake_process, median, peak_rss_mib

PAGES = 40
PAGE_SIZE = 50
LATENCY = 0.25
PREFETCH = 8
RETAIL_LIMIT, PER = 1000, 60.0

STREAM_PAGE_SIZE = 100
SMALL, LARGE = 100_000, 1_000_000


# --- 1 and 2: wall time against a slow server ------------------------------------------------


async def timed_walk(fake: dict[str, str], limiter: TokenBucket, prefetch: int) -> float:
    """Seconds to walk every product once (after a warm-up that fetched the token)."""
    client_id, secret = fake["source_client_id"], fake["source_client_secret"]
    async with SourceClient(client_id, secret, base_url=fake["url"], rate_limiter=limiter) as c:
        await c.brands.list().pages().__anext__()  # token and connection, outside the timing
        started = time.perf_counter()
        seen = 0
        async for _product in c.products.list(prefetch=prefetch):
            seen += 1
        seconds = time.perf_counter() - started
    if seen != PAGES * PAGE_SIZE:
        raise RuntimeError(f"walked {seen} products, expected {PAGES * PAGE_SIZE}")
    return seconds


def latency_figures(quick: bool) -> dict[str, float]:
    repeats = 1 if quick else 3
    figures: dict[str, float] = {}
    options = {
        "products": PAGES * PAGE_SIZE,
        "page_size": PAGE_SIZE,
        "no_rate_limits": True,
        "latency": LATENCY,
    }
    with fake_process(**options) as fake:
        for label, limit, per in (
            ("limited", RETAIL_LIMIT, PER),
            ("unlimited", 10**9, 1.0),
        ):

            def bucket(limit: int = limit, per: float = per) -> TokenBucket:
                return TokenBucket(limit=limit, per=per)

            sequential = asyncio.run(timed_walk(fake, bucket(), 0))
            prefetched = median(
                [asyncio.run(timed_walk(fake, bucket(), PREFETCH)) for _ in range(repeats)]
            )
            figures[f"{label}_sequential_seconds"] = sequential
            figures[f"{label}_prefetch_seconds"] = prefetched
            figures[f"{label}_speedup"] = sequential / prefetched
    pacing = TokenBucket(limit=RETAIL_LIMIT, per=PER).pacing
    bound = PAGES / (RETAIL_LIMIT / PER)
    # Page 1 alone, then the other pages: a full bucket's tokens at once, the rest paced.
    floor = LATENCY + max(0.0, PAGES - 1 - pacing.capacity) / pacing.rate + LATENCY
    ideal = LATENCY * (1 + math.ceil((PAGES - 1) / PREFETCH))
    figures["limited_bound_seconds"] = bound
    figures["limited_bound_share"] = bound / figures["limited_prefetch_seconds"]
    figures["limited_floor_seconds"] = floor
    figures["limited_floor_share"] = floor / figures["limited_prefetch_seconds"]
    figures["unlimited_ideal_seconds"] = ideal
    figures["unlimited_ideal_share"] = ideal / figures["unlimited_prefetch_seconds"]
    figures["sequential_ideal_seconds"] = PAGES * LATENCY
    return figures


# --- 3: memory while streaming ---------------------------------------------------------------


def page_body(number: int, total: int) -> bytes:
    """Page ``number`` of a products_list of ``total`` items, as the server would send it."""
    start = (number - 1) * STREAM_PAGE_SIZE
    results = [
        {
            "uuid": f"P{index:021d}",
            "name": f"Product {index}",
            "sku": f"SKU-{index:08d}",
            "product_type": "FLOWER",
            "is_published": index % 2 == 0,
            "brand_uuid": "dhvJzSCKexZs62xsp6hRkf",
        }
        for index in range(start, min(start + STREAM_PAGE_SIZE, total))
    ]
    last = math.ceil(total / STREAM_PAGE_SIZE)
    base = "https://source.lucidgreen.io/api/v1.5/products/"
    page = {
        "count": total,
        "next": f"{base}?page={number + 1}" if number < last else None,
        "previous": f"{base}?page={number - 1}" if number > 1 else None,
        "results": results,
    }
    return json.dumps(page).encode()


async def stream(total: int, prefetch: int) -> int:
    """Iterate ``total`` items through the real pager and converter; keep only a count."""
    from lucidgreen._converter import structure_list
    from lucidgreen._envelopes import DrfPage, decode_page
    from lucidgreen._pager import AsyncPager
    from lucidgreen.source.models import ProductSummary

    async def fetch(path: str) -> DrfPage:
        number = int(parse_qs(urlsplit(path).query).get("page", ["1"])[0])
        await asyncio.sleep(0)  # a real fetch yields to the loop
        return decode_page(200, {}, page_body(number, total))

    def decode(results: list[Any]) -> list[ProductSummary]:
        return structure_list(results, ProductSummary)

    endpoint = "/api/v1.5/products/"
    pager = AsyncPager(
        endpoint=endpoint, first_path=endpoint, fetch=fetch, decode=decode, prefetch=prefetch
    )
    seen = 0
    async for _product in pager:
        seen += 1
    return seen


def memory_child(total: int, prefetch: int, traced: bool) -> None:
    """In a fresh process: stream ``total`` items, print peak RSS (or traced heap) as JSON."""
    if traced:
        tracemalloc.start()
    base = peak_rss_mib()
    started = time.perf_counter()
    seen = asyncio.run(stream(total, prefetch))
    seconds = time.perf_counter() - started
    if seen != total:
        raise SystemExit(f"streamed {seen} items, expected {total}")
    result = {"base": base, "peak": peak_rss_mib(), "seconds": seconds}
    if traced:
        result["heap_peak"] = tracemalloc.get_traced_memory()[1]
    print(json.dumps(result))


def measure(total: int, prefetch: int, *, traced: bool = False) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.pagination", "--memory-child"]
    command += [str(total), str(prefetch), "traced" if traced else "rss"]
    out = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(out.stdout)
    return figures


def memory_figures(quick: bool) -> dict[str, float]:
    figures: dict[str, float] = {}
    for prefetch in (0,) if quick else (0, PREFETCH):
        suffix = f"_prefetch{prefetch}" if prefetch else ""
        small, large = measure(SMALL, prefetch), measure(LARGE, prefetch)
        figures[f"rss_100k_mib{suffix}"] = small["peak"]
        figures[f"rss_1m_mib{suffix}"] = large["peak"]
        figures[f"rss_ratio{suffix}"] = large["peak"] / small["peak"]
        figures[f"stream_1m_seconds{suffix}"] = large["seconds"]
        figures["rss_base_mib"] = small["base"]
    # tracemalloc slows the walk ~8x: 1M traced items take ~45 s, so --quick stops at 100k.
    sizes = (SMALL // 10, SMALL) if quick else (SMALL, LARGE)
    heap_small, heap_large = (measure(n, 0, traced=True)["heap_peak"] / 1024 for n in sizes)
    names = ("10k", "100k") if quick else ("100k", "1m")
    figures[f"heap_peak_{names[0]}_kib"] = heap_small
    figures[f"heap_peak_{names[1]}_kib"] = heap_large
    figures[f"heap_{names[1]}_vs_{names[0]}_ratio"] = heap_large / heap_small
    return figures


def run(*, quick: bool = False) -> dict[str, float]:
    """Every figure described in the module docstring, as ``{name: value}``."""
    figures = latency_figures(quick)
    figures.update(memory_figures(quick))
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory-child"]:
        memory_child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "traced")
    else:
        for name, value in run(quick="--quick" in sys.argv).items():
            print(f"{name:32} {value:12.4f}")
