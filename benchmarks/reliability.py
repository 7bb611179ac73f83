"""Reliability figures: a full sync under injected faults, the scenario of the test suite.

Run ``python benchmarks/reliability.py [--products 2000] [--page-size 50] [--concurrency 32]
[--seed 2024] [--runs 1]``. Each run starts a :class:`~lucidgreen.testing.FakeLucidGreen` on
loopback that answers 10 % of API requests with a 5xx, 2 % with a spurious 429 and drops 3 %
of connections, expires every token halfway through, and lists every product (with
prefetch) while workers fetch each product's detail. It prints the figures: items, lost,
duplicated, requests, retries, 429s, faults injected, token renewals.

The scenario itself lives in ``tests/reliability/helpers.py`` (``full_sync``), so
these figures come from exactly what ``tests/reliability/test_sync.py`` checks.
A run with a lost or duplicated product, or an exception, exits non-zero.

``run(quick=...)`` returns the figures as numbers, for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.adversarial.faults.scenario import SyncRun, full_sync  # noqa: E402


def _numbers(result: SyncRun) -> dict[str, float]:
    return {
        "products": float(result.products),
        "lost": float(result.lost),
        "duplicated": float(result.duplicated),
        "requests": float(result.server_requests),
        "retries": float(result.client_retries),
        "rate_limited": float(result.client_rate_limited),
        "faults_injected": float(sum(v for k, v in result.faults.items() if k != "latency")),
        "renewals_after_401": float(result.renewals_after_401),
        "seconds": result.seconds,
    }


def run(*, quick: bool = False) -> dict[str, float]:
    """One full sync (500 products when ``quick``, else 2,000); its figures as numbers."""
    return _numbers(asyncio.run(full_sync(products=500 if quick else 2000)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--prefetch", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=1, help="runs with seeds seed, seed+1, ...")
    args = parser.parse_args(argv)
    failed = 0
    for number in range(args.runs):
        seed = args.seed + number
        result = asyncio.run(
            full_sync(
                products=args.products,
                page_size=args.page_size,
                seed=seed,
                concurrency=args.concurrency,
                prefetch=args.prefetch,
            )
        )
        figures = result.figures()
        width = max(len(name) for name in figures)
        print(f"full sync, seed {seed}")
        for name, value in figures.items():
            print(f"  {name:<{width}}  {value}")
        failed += bool(result.lost or result.duplicated)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
