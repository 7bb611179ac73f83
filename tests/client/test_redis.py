"""Two OS processes, each with its own SourceClient, sharing one RedisRateLimiter key.

The fake runs in the test process and enforces one sliding window for the shared
credentials; the children (``client_worker.py``) only know its URL and the credentials.
Throughput is measured as in ``test_client_ratelimit.py``: from the fake's recorded request
times, ``(n - 1) / (t_last - t_first)`` as a share of ``limit / window``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path

import pytest

from benchmarks._common import small_fake
from lucidgreen.testing import RateLimit
from tests.client.helpers import api_requests, product_uuids
from tests.support import max_in_window, sustained_share

WORKER = Path(__file__).with_name("client_worker.py")


async def run_workers(arguments: list[list[str]], timeout: float) -> list[dict[str, object]]:
    """Start one worker per argument list, release them together, return their reports."""
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for args in arguments
    ]
    try:
        async with asyncio.timeout(timeout):
            for worker in workers:
                assert worker.stdout is not None
                line = await worker.stdout.readline()
                if line.strip() != b"ready":
                    _, stderr = await worker.communicate()
                    pytest.fail(f"worker did not start: {line!r} {stderr.decode()}")
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write(b"go\n")
                await worker.stdin.drain()
            outputs = [await worker.communicate() for worker in workers]
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    reports = []
    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr.decode()
        reports.append(json.loads(stdout.decode().strip().splitlines()[-1]))
    return reports


@pytest.mark.redis
async def test_two_processes_share_one_budget_end_to_end(redis_url: str) -> None:
    """Two processes' clients on one Redis key, against a fake that counts each request a
    random 0-0.1 s after it left (4 s on a real minute): zero 429s, and together most of
    the limit (the ceiling under this jitter is per / (per + 0.05) = 0.976)."""
    limit, window, windows = 40, 2.0, 2
    calls_each = windows * limit // 2
    key = f"lucidgreen-test:client-e2e:{uuid.uuid4().hex}"
    async with small_fake(source_limit=RateLimit(limit, window), arrival_jitter=0.1) as fake:
        client_id, client_secret = fake.source_credentials
        args = [
            fake.url,
            client_id,
            client_secret,
            redis_url,
            key,
            str(limit),
            str(window),
            str(calls_each),
            "10",
            ",".join(product_uuids(fake, 10)),
        ]
        reports = await run_workers([args, args], timeout=60)
        calls = api_requests(fake)
    assert [report["succeeded"] for report in reports] == [calls_each, calls_each]
    assert all(report["stats"]["rate_limited"] == 0 for report in reports)  # type: ignore[index]
    assert fake.stats.rate_limited == 0
    assert len(calls) == 2 * calls_each
    by_process: dict[str | None, list[float]] = {}
    for r in calls:
        by_process.setdefault(r.authorization, []).append(r.time)
    assert len(by_process) == 2  # two clients, two tokens
    first_ends = min(max(times) for times in by_process.values())
    last_starts = max(min(times) for times in by_process.values())
    assert last_starts < first_ends - window, "the processes barely ran side by side"
    times = [r.time for r in calls]
    assert max_in_window(times, window) <= limit
    share = sustained_share(times, limit, window)
    assert share >= 0.9, f"together the processes sustained {share:.4f} of the limit"
