"""Run the fake as a process: ``python -m lucidgreen.testing --port 8000 --products 500``.

Prints where it listens and the credentials (one ``key: value`` per line, or one JSON
object with ``--json``), then serves until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence

from ._server import FakeLucidGreen
from ._throttle import RateLimit


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lucidgreen.testing",
        description="Serve a fake LucidSource + LucidRetail API on loopback.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=int, default=0, help="API port (default: a free one)")
    add("--cdn-port", type=int, default=0, help="CDN port (default: a free one)")
    add("--seed", type=int, default=0)
    for name, default in (
        ("products", 120), ("brands", 4), ("batches", 60), ("items", 240), ("cases", 20),
        ("items-per-case", 8), ("collections", 12), ("assets", 8), ("page-size", 50),
        ("export-packages", 50),
    ):  # fmt: skip
        add(f"--{name}", type=int, default=default, help=f"default {default}")
    add("--token-ttl", type=float, default=36000.0, help="token lifetime in seconds")
    add("--no-rate-limits", action="store_true", help="turn the rate limiter off")
    add("--source-limit", type=RateLimit.parse, default=RateLimit(60, 60.0), help="e.g. 60/60")
    add("--retail-limit", type=RateLimit.parse, default=RateLimit(1000, 60.0))
    add("--public-limit", type=RateLimit.parse, default=RateLimit(60, 60.0))
    add("--arrival-jitter", type=float, default=0.0, help="seconds of random delay (0 to J) "
        "before the rate limiter counts each API request")  # fmt: skip
    add("--error-rate", type=float, default=0.0, help="fraction of API requests answered 5xx")
    add("--latency", type=float, default=0.0, help="seconds added to every API request")
    add("--json", action="store_true", help="print one JSON line instead of key: value lines")
    return parser


def _build(args: argparse.Namespace) -> FakeLucidGreen:
    fake = FakeLucidGreen(
        seed=args.seed,
        products=args.products,
        brands=args.brands,
        batches=args.batches,
        items=args.items,
        cases=args.cases,
        items_per_case=args.items_per_case,
        collections=args.collections,
        assets=args.assets,
        page_size=args.page_size,
        host=args.host,
        port=args.port,
        cdn_port=args.cdn_port,
        token_ttl=args.token_ttl,
        rate_limits=not args.no_rate_limits,
        source_limit=args.source_limit,
        retail_limit=args.retail_limit,
        public_limit=args.public_limit,
        arrival_jitter=args.arrival_jitter,
        export_packages=args.export_packages,
        max_recorded=10_000,  # a long-running process must not grow without bound
    )
    fake.faults.error_rate = args.error_rate
    fake.faults.latency = args.latency
    return fake


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
            loop.add_signal_handler(sig, stop.set)
    async with _build(args) as fake:
        info = {
            "url": fake.url,
            "cdn_url": fake.cdn_url,
            "source_client_id": fake.source_credentials.client_id,
            "source_client_secret": fake.source_credentials.client_secret,
            "retail_client_id": fake.retail_credentials.client_id,
            "retail_client_secret": fake.retail_credentials.client_secret,
            "dispensary_uuid": fake.dispensary_uuid,
        }
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            for key, value in info.items():
                print(f"{key}: {value}", flush=True)
            print("Serving; press Ctrl-C to stop.", file=sys.stderr, flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
