"""``lucidgreen demo``: a realistic concurrent sync against an embedded fake API.

The fake (:class:`lucidgreen.testing.FakeLucidGreen`) runs on loopback in the same event loop
with its rate limits **time-compressed**: LucidSource's 60 requests per minute become 60 per
:data:`WINDOW` seconds, and the client's :class:`~lucidgreen.TokenBucket` is sized for the
same window, so a sync of a few hundred products takes seconds instead of minutes. A few per
cent of the fake's answers are injected 5xx and spurious 429s, so the summary shows retries.

Every figure of the summary is measured during the run (client stats, hooks, counts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import attrs

from .. import _config
from .._client import RetailClient, SourceClient
from .._events import Hooks, RequestSent, RetryScheduled
from .._pager import AsyncPager
from ..errors import DecodeError
from ..ratelimit import TokenBucket
from ..retry import RetryPolicy
from ._common import UsageError
from ._progress import Progress

if TYPE_CHECKING:
    from ..testing import FakeLucidGreen

__all__ = ["WINDOW", "DemoOptions", "run", "run_demo"]

#: Seconds that stand for the real APIs' one-minute rate-limit window.
WINDOW = 2.0
COMPRESSION = 60.0 / WINDOW

#: Fault injection of the demo's fake: a few 5xx and spurious 429s, and some latency.
ERROR_RATE = 0.03
SPURIOUS_429_RATE = 0.01
LATENCY = 0.02


@attrs.frozen
class DemoOptions:
    products: int = 300
    prefetch: int = 4
    seed: int = 0
    concurrency: int = 16
    progress: bool = True


@attrs.define
class _Kind:
    listed: int = 0
    details: int = 0
    expected: int | None = None


@attrs.define
class _Traffic:
    """Counted from the clients' hooks."""

    api_requests: dict[str, int] = attrs.field(factory=lambda: {"source": 0, "retail": 0})
    token_requests: dict[str, int] = attrs.field(factory=lambda: {"source": 0, "retail": 0})
    retry_reasons: dict[str, int] = attrs.field(factory=dict)


def _fake(options: DemoOptions) -> FakeLucidGreen:
    from ..testing import FakeLucidGreen, RateLimit

    fake = FakeLucidGreen(
        seed=options.seed,
        products=options.products,
        batches=max(1, options.products // 5),
        brands=4,
        items=40,
        cases=4,
        items_per_case=5,
        collections=4,
        assets=2,
        page_size=50,
        source_limit=RateLimit(_config.SOURCE.requests_per_minute, WINDOW),
        retail_limit=RateLimit(_config.RETAIL.requests_per_minute, WINDOW),
        public_limit=RateLimit(_config.PUBLIC_LOOKUPS_PER_MINUTE, WINDOW),
        export_packages=50,
        max_recorded=1000,
    )
    fake.faults.error_rate = ERROR_RATE
    fake.faults.rate_limit_rate = SPURIOUS_429_RATE
    fake.faults.latency = LATENCY
    return fake


class _Sync:
    """One run: the clients, their counters and the progress bar."""

    def __init__(self, fake: FakeLucidGreen, options: DemoOptions) -> None:
        self.fake = fake
        self.options = options
        self.traffic = _Traffic()
        self.kinds = {"products": _Kind(), "batches": _Kind(), "brands": _Kind()}
        self.export: dict[str, Any] = {}
        self.progress = Progress("demo sync", enabled=options.progress)
        hooks = Hooks(on_request=self._on_request, on_retry=self._on_retry)
        # Retry delays are compressed like the windows (1 s becomes 1/30 s); a server's
        # Retry-After (whole seconds) is still obeyed as sent.
        policy = RetryPolicy(initial_delay=1.0 / COMPRESSION, max_delay=60.0 / COMPRESSION)
        source_id, source_secret = fake.source_credentials
        retail_id, retail_secret = fake.retail_credentials
        self.source = SourceClient(
            source_id,
            source_secret,
            base_url=fake.url,
            # burst=1: evenly paced, so the rate the summary shows is the sustained one.
            rate_limiter=TokenBucket(
                limit=_config.SOURCE.requests_per_minute, per=WINDOW, burst=1, name="source"
            ),
            retry=policy,
            hooks=hooks,
        )
        self.retail = RetailClient(
            retail_id,
            retail_secret,
            base_url=fake.url,
            rate_limiter=TokenBucket(
                limit=_config.RETAIL.requests_per_minute, per=WINDOW, name="retail"
            ),
            retry=policy,
            hooks=hooks,
        )

    # -- counters -----------------------------------------------------------------------------

    def _on_request(self, event: RequestSent) -> None:
        bucket = self.traffic.token_requests if "/o/token/" in event.url else None
        (bucket or self.traffic.api_requests)[event.product] += 1
        self._status()

    def _on_retry(self, event: RetryScheduled) -> None:
        status = event.status
        reason = "network" if status is None else "429" if status == 429 else (
            "5xx" if status >= 500 else str(status)
        )  # fmt: skip
        self.traffic.retry_reasons[reason] = self.traffic.retry_reasons.get(reason, 0) + 1
        self._status()

    def _status(self) -> None:
        requests = self.source.stats.requests + self.retail.stats.requests
        retries = self.source.stats.retries + self.retail.stats.retries
        limited = self.source.stats.rate_limited + self.retail.stats.rate_limited
        self.progress.set_status(f"| {requests} requests, {retries} retries, {limited} 429s")

    # -- the sync -----------------------------------------------------------------------------

    async def _walk(
        self,
        kind: str,
        pager: AsyncPager[Any],
        fetch: Callable[[str], Awaitable[Any]],
        group: asyncio.TaskGroup,
        slots: asyncio.Semaphore,
    ) -> None:
        tally = self.kinds[kind]
        async for page in pager.pages():
            if page.count is not None:
                if tally.expected is None:
                    tally.expected = page.count
                    self.progress.add_total(page.count)
            else:  # a bare array (brands): the page is the whole list
                tally.expected = (tally.expected or 0) + len(page.items)
                self.progress.add_total(len(page.items))
            for item in page.items:
                tally.listed += 1
                await slots.acquire()
                group.create_task(self._detail(kind, item.uuid, fetch, slots))

    async def _detail(
        self,
        kind: str,
        uuid: str,
        fetch: Callable[[str], Awaitable[Any]],
        slots: asyncio.Semaphore,
    ) -> None:
        try:
            detail = await fetch(uuid)
        finally:
            slots.release()
        if detail.uuid != uuid:
            raise DecodeError(f"asked for {kind} {uuid}, got {detail.uuid}")
        self.kinds[kind].details += 1
        self.progress.advance()

    async def sync_source(self) -> None:
        slots = asyncio.Semaphore(self.options.concurrency)
        prefetch = self.options.prefetch
        source = self.source
        async with asyncio.TaskGroup() as group:
            group.create_task(
                self._walk(
                    "products", source.products.list(prefetch=prefetch), source.products.get,
                    group, slots,
                )
            )  # fmt: skip
            group.create_task(
                self._walk(
                    "batches", source.batches.list(prefetch=prefetch), source.batches.get,
                    group, slots,
                )
            )  # fmt: skip
            group.create_task(
                self._walk("brands", source.brands.list(), source.brands.get, group, slots)
            )

    async def sync_retail(self) -> None:
        self.progress.add_total(1)
        export = await self.retail.package_uids.export()
        data = await export.download()
        self.export = {
            "packages": len(data),
            "cases": sum(len(cases) for cases in data.values()),
            "lucid_ids": sum(len(ids) for cases in data.values() for ids in cases.values()),
            "matches_fake": data == self.fake.export_file(),
        }
        self.progress.advance()

    def check(self) -> None:
        """The sync saw exactly what the fake serves; ``UsageError`` would be wrong here."""
        state = self.fake.state
        truth = {
            "products": len(state.products),
            "batches": len(state.batches),
            "brands": len(state.brands),
        }
        for kind, tally in self.kinds.items():
            if not tally.listed == tally.details == truth[kind]:
                raise DecodeError(
                    f"demo sync incomplete: {kind}: {tally.listed} listed, {tally.details} "
                    f"details, the fake holds {truth[kind]}"
                )
        if not self.export.get("matches_fake"):
            raise DecodeError("demo sync: the downloaded export differs from the fake's file")


async def run_demo(options: DemoOptions) -> dict[str, Any]:
    """Run the demo; return its summary (plain JSON data)."""
    if options.products < 1:
        raise UsageError("--products must be at least 1")
    if options.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    async with _fake(options) as fake:
        sync = _Sync(fake, options)
        print(
            f"lucidgreen demo: embedded fake LucidGreen API on {fake.url}; rate limits "
            f"time-compressed {COMPRESSION:g}x (60 requests per {WINDOW:g} s instead of per "
            "minute)",
            file=sys.stderr,
            flush=True,
        )
        started = time.monotonic()
        sync.progress.start()
        async with sync.source, sync.retail, asyncio.TaskGroup() as group:
            source_task = group.create_task(_timed(sync.sync_source()))
            group.create_task(sync.sync_retail())
        elapsed = time.monotonic() - started
        sync.progress.close()
        sync.check()
        return _summary(sync, fake, elapsed=elapsed, source_elapsed=source_task.result())


async def _timed(work: Awaitable[None]) -> float:
    started = time.monotonic()
    await work
    return time.monotonic() - started


def _summary(
    sync: _Sync, fake: FakeLucidGreen, *, elapsed: float, source_elapsed: float
) -> dict[str, Any]:
    source, retail, traffic = sync.source.stats, sync.retail.stats, sync.traffic
    limit = _config.SOURCE.requests_per_minute
    limit_rate = limit / WINDOW
    achieved = traffic.api_requests["source"] / source_elapsed if source_elapsed > 0 else 0.0
    return {
        "fake_url": fake.url,
        "seed": sync.options.seed,
        "prefetch": sync.options.prefetch,
        "concurrency": sync.options.concurrency,
        "time_compression": COMPRESSION,
        "items": {
            kind: {"listed": tally.listed, "details": tally.details}
            for kind, tally in sync.kinds.items()
        },
        "export": {key: value for key, value in sync.export.items() if key != "matches_fake"},
        "requests": source.requests + retail.requests,
        "requests_by_product": {
            product: {
                "api": traffic.api_requests[product],
                "token": traffic.token_requests[product],
                "retries": stats.retries,
            }
            for product, stats in (("source", source), ("retail", retail))
        },
        "retries": source.retries + retail.retries,
        "retries_by_reason": dict(sorted(traffic.retry_reasons.items())),
        "rate_limited": source.rate_limited + retail.rate_limited,
        "server_errors": source.server_errors + retail.server_errors,
        "transport_errors": source.transport_errors + retail.transport_errors,
        "limiter_wait_seconds": round(source.limiter_wait_seconds, 3),
        "fake": {
            "injected_5xx": fake.stats.faults["error"],
            "injected_429": fake.stats.faults["rate_limit"],
            "throttled_by_rate_limiter": fake.stats.throttled,
        },
        "elapsed_seconds": round(elapsed, 3),
        "source_rate": {
            "limit": limit,
            "window_seconds": WINDOW,
            "limit_per_second": round(limit_rate, 3),
            "achieved_per_second": round(achieved, 3),
            "percent_of_limit": round(100 * achieved / limit_rate, 1),
            "seconds": round(source_elapsed, 3),
        },
    }


def format_summary(summary: dict[str, Any]) -> str:
    items, export, rate = summary["items"], summary["export"], summary["source_rate"]
    by_product, fake = summary["requests_by_product"], summary["fake"]
    reasons = ", ".join(f"{n} after {why}" for why, n in summary["retries_by_reason"].items())
    lines = [
        (
            f"lucidgreen demo: synced from an embedded fake API ({summary['fake_url']}, "
            f"seed {summary['seed']})"
        ),
        (
            f"rate limits time-compressed {summary['time_compression']:g}x: LucidSource "
            f"{rate['limit']} requests per {rate['window_seconds']:g} s (the real API: per minute)"
        ),
        "",
    ]
    for kind, tally in items.items():
        lines.append(
            f"  {kind:<18} {tally['listed']:>6} listed  {tally['details']:>6} details fetched"
        )
    lines += [
        (
            f"  {'package-UID export':<18} {export['packages']:>6} packages {export['cases']:>6} "
            f"cases  {export['lucid_ids']} LucidIDs"
        ),
        "",
        (
            f"  requests          {summary['requests']:>6}  "
            f"(LucidSource {by_product['source']['api']}"
            f" + {by_product['source']['token']} token, LucidRetail {by_product['retail']['api']}"
            f" + {by_product['retail']['token']} token)"
        ),
        f"  retries           {summary['retries']:>6}" + (f"  ({reasons})" if reasons else ""),
        (
            f"  429s              {summary['rate_limited']:>6}  ({fake['injected_429']} injected "
            f"by the fake, {fake['throttled_by_rate_limiter']} from its rate limiter)"
        ),
        f"  elapsed           {summary['elapsed_seconds']:>6.1f} s",
        (
            f"  achieved rate     {rate['achieved_per_second']:>6.1f} requests/s = "
            f"{rate['percent_of_limit']:.1f} % of LucidSource's limit "
            f"({rate['limit_per_second']:g}/s)"
        ),
    ]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> int:
    options = DemoOptions(
        products=args.products,
        prefetch=args.prefetch,
        seed=args.seed,
        concurrency=args.concurrency,
        progress=not args.no_progress,
    )
    summary = await run_demo(options)
    text = json.dumps(summary, indent=2) if args.json else format_summary(summary)
    print(text, flush=True)
    return 0
