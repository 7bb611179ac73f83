"""Memory: peak RSS while streaming 100k vs 1M items through ``AsyncPager``.

RSS is process-wide and only grows at its peak, so each size runs in a fresh process
(``python -m benchmarks.memory --child N``). The child iterates an ``AsyncPager`` the way
``source.products.list()`` builds it (``decode_page`` on JSON bytes, then ``structure_list``
into ``ProductSummary``), fed by a synthetic fetch that renders pages of 100 fresh items
without any I/O, and keeps nothing but a count. Streaming holds one page at a time, so the
peak must not depend on the number of items: ``rss_ratio`` (1M over 100k) should be ~1.

``rss_base_mib`` is the child's peak right after its imports (the interpreter, aiohttp,
attrs, cattrs): what the SDK costs before any item.

Run ``python -m benchmarks.memory``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

from ._common import REPO_ROOT, peak_rss_mib

PAGE_SIZE = 100
SMALL, LARGE = 100_000, 1_000_000


def _page_body(number: int, total: int) -> bytes:
    """Page ``number`` of a products_list of ``total`` items, as the server would send it."""
    start = (number - 1) * PAGE_SIZE
    results = [
        {
            "uuid": f"P{index:021d}",
            "name": f"Product {index}",
            "sku": f"SKU-{index:08d}",
            "product_type": "FLOWER",
            "is_published": index % 2 == 0,
            "brand_uuid": "dhvJzSCKexZs62xsp6hRkf",
        }
        for index in range(start, min(start + PAGE_SIZE, total))
    ]
    last = -(-total // PAGE_SIZE)
    base = "https://source.lucidgreen.io/api/v1.5/products/"
    page = {
        "count": total,
        "next": f"{base}?page={number + 1}" if number < last else None,
        "previous": f"{base}?page={number - 1}" if number > 1 else None,
        "results": results,
    }
    return json.dumps(page).encode()


async def stream(total: int, prefetch: int) -> int:
    from urllib.parse import parse_qs, urlsplit

    from lucidgreen._converter import structure_list
    from lucidgreen._envelopes import DrfPage, decode_page
    from lucidgreen._pager import AsyncPager
    from lucidgreen.source.models import ProductSummary

    async def fetch(path: str) -> DrfPage:
        number = int(parse_qs(urlsplit(path).query).get("page", ["1"])[0])
        await asyncio.sleep(0)  # a real fetch yields to the loop
        return decode_page(200, {}, _page_body(number, total))

    def decode(results: list[Any]) -> list[ProductSummary]:
        return structure_list(results, ProductSummary)

    pager = AsyncPager(
        endpoint="/api/v1.5/products/",
        first_path="/api/v1.5/products/",
        fetch=fetch,
        decode=decode,
        prefetch=prefetch,
    )
    seen = 0
    async for _product in pager:
        seen += 1
    return seen


def child(total: int, prefetch: int) -> None:
    """Stream ``total`` items and print the peak RSS before and after, as JSON."""
    import lucidgreen  # noqa: F401 - the import's own memory belongs to the base figure

    base = peak_rss_mib()
    seen = asyncio.run(stream(total, prefetch))
    if seen != total:
        raise SystemExit(f"streamed {seen} items, expected {total}")
    print(json.dumps({"base": base, "peak": peak_rss_mib()}))


def measure(total: int, prefetch: int) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.memory", "--child", str(total), str(prefetch)]
    out = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(out.stdout)
    return figures


def run(*, quick: bool = False) -> dict[str, float]:
    """Peak RSS for 100k and 1M items (sequential and ``prefetch=8``), and their ratios."""
    figures: dict[str, float] = {}
    for prefetch in (0,) if quick else (0, 8):
        small, large = measure(SMALL, prefetch), measure(LARGE, prefetch)
        suffix = f"_prefetch{prefetch}" if prefetch else ""
        figures[f"rss_100k_mib{suffix}"] = small["peak"]
        figures[f"rss_1m_mib{suffix}"] = large["peak"]
        figures[f"rss_ratio{suffix}"] = large["peak"] / small["peak"]
        figures["rss_base_mib"] = small["base"]
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        for key, value in run(quick="--quick" in sys.argv).items():
            print(f"{key:32} {value:10.3f}")
