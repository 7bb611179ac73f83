"""Run the fake as a process: ``python -m lucidgreen.testing --port 8000 --products 500``.

Prints where it listens and the credentials (one ``key: value`` per line, or one JSON
object with ``--json``), then serves until Ctrl-C or SIGTERM, and prints what it saw
(the same data as ``GET /__fake__/summary``; one JSON line with ``--json``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any

from ._middleware.throttle import RateLimit
from ._server import SUMMARY_PATH, FakeLucidGreen

_EPILOG = f"""\
credentials:
  The fake accepts exactly two OAuth2 client-credential pairs on POST /o/token/: one for
  LucidSource, one for LucidRetail. By default both are derived from --seed (the same seed
  always gives the same pairs; they are printed at start-up). Pick your own with
  --source-credentials ID:SECRET and --retail-credentials ID:SECRET. The bearer tokens it
  issues are the only ones the API routes accept; the export files on the CDN origin take
  no token (a presigned URL), and refuse one.

control:
  GET {SUMMARY_PATH} on the API origin answers what the fake saw, as JSON: requests,
  answers by status, tokens issued, 429s from its rate limiter vs injected, faults by kind.
  It is not recorded or counted itself. The same summary is printed on exit.
"""


def _pair(text: str) -> tuple[str, str]:
    client_id, sep, secret = text.partition(":")
    if not (sep and client_id and secret):
        raise argparse.ArgumentTypeError(f"expected ID:SECRET, got {text!r}")
    return client_id, secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lucidgreen.testing",
        description="Serve a fake LucidSource + LucidRetail API on loopback.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    add("--source-credentials", type=_pair, metavar="ID:SECRET", help="LucidSource client")
    add("--retail-credentials", type=_pair, metavar="ID:SECRET", help="LucidRetail client")
    add("--stock", type=int, default=1, help="cases in the dispensary's inventory (default 1)")
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
        source_credentials=args.source_credentials,
        retail_credentials=args.retail_credentials,
        stock=args.stock,
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
        summary = fake.summary()
    if args.json:
        print(json.dumps({"summary": summary}), flush=True)
    else:
        print(_describe(summary), flush=True)


def _describe(summary: dict[str, Any]) -> str:
    limited = summary["rate_limited"]
    faults = ", ".join(f"{kind} {n}" for kind, n in summary["faults"].items()) or "none"
    return (
        f"summary: {summary['requests']} requests, {summary['tokens_issued']} tokens issued; "
        f"{limited['total']} 429s ({limited['from_rate_limiter']} from the rate limiter, "
        f"{limited['injected']} injected); faults: {faults}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fake as a process until interrupted; print its summary on exit."""
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
