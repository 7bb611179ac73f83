"""Rate-limiter benchmark: utilisation, window violations, acquire cost, many waiters.

Run ``python benchmarks/limiter.py [--quick]``. Figures:

1. ``memory_*``: one TokenBucket hammered by 20 tasks over a time-compressed sustained run
   (60 per 1.5 s). ``utilization`` is the grant rate as a share of ``limit / per``,
   ``designed`` the sizing's own sustained share, ``max_in_window`` the most grants in any
   half-open window of ``per`` (must be <= ``limit``), ``violations`` how many grants ended
   a window holding more than ``limit``.
2. ``redis_*``: the same for 4 OS processes sharing one RedisRateLimiter key (40 per 1.5 s),
   against a redis-server this script starts (skipped when the binary is missing).
3. ``acquire_*``: the cost of an acquire with tokens available, in µs and as a ratio to an
   uncontended ``asyncio.Lock`` acquire/release and to ``await asyncio.sleep(0)``, all
   measured in the same run.
4. ``waiters_*``: 10,000 concurrent waiters on a 10,000-per-second bucket; wall time as a
   ratio to the ideal ``n / rate``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks._redis import redis_server  # noqa: E402
from lucidgreen.ratelimit import RedisRateLimiter, TokenBucket  # noqa: E402


def window_figures(grants: Sequence[float], limit: int, per: float) -> dict[str, float]:
    """Utilisation, the fullest half-open window of ``per``, and grants that overfilled one."""
    ordered = sorted(grants)
    most = violations = first = 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - per:
            first += 1
        held = last - first + 1
        most = max(most, held)
        violations += held > limit
    rate = (len(ordered) - 1) / (ordered[-1] - ordered[0])
    return {
        "utilization": rate * per / limit,
        "max_in_window": float(most),
        "limit": float(limit),
        "violations": float(violations),
    }


async def hammer_for(
    limiter: TokenBucket | RedisRateLimiter, tasks: int, seconds: float
) -> list[float]:
    """Grant times from ``tasks`` tasks acquiring back to back for ``seconds``."""
    grants: list[float] = []

    async def hammer() -> None:
        while True:
            await limiter.acquire()
            grants.append(time.monotonic())

    running = [asyncio.create_task(hammer()) for _ in range(tasks)]
    await asyncio.sleep(seconds)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    return grants


async def memory_sustained(quick: bool) -> dict[str, float]:
    bucket = TokenBucket(limit=60, per=1.5)
    grants = await hammer_for(bucket, tasks=20, seconds=(3 if quick else 8) * bucket.per)
    figures = window_figures(grants, bucket.limit, bucket.per)
    figures["designed"] = bucket.sizing.sustained_share
    return {f"memory_{name}": value for name, value in figures.items()}


async def redis_worker(url: str, key: str, limit: int, per: float, seconds: float) -> None:
    """One benchmark process: wait for "go" on stdin, hammer, print grant times as JSON."""
    limiter = RedisRateLimiter(url, key, limit=limit, per=per)
    print("ready", flush=True)
    sys.stdin.readline()
    grants = await hammer_for(limiter, tasks=4, seconds=seconds)
    await limiter.aclose()
    print(json.dumps(grants), flush=True)


def redis_processes(quick: bool, processes: int = 4) -> dict[str, float]:
    limit, per = 40, 1.5
    seconds = (3 if quick else 8) * per
    with redis_server() as url:
        if url is None:
            print("redis-server not found: skipping the Redis figures", file=sys.stderr)
            return {}
        key = f"lucidgreen-bench:{uuid.uuid4().hex}"
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        command = [sys.executable, __file__, "--redis-worker", url, key, str(limit), str(per)]
        workers = [
            subprocess.Popen(
                [*command, str(seconds)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(processes)
        ]
        try:
            for worker in workers:
                assert worker.stdout is not None
                if worker.stdout.readline().strip() != "ready":
                    raise RuntimeError("a Redis worker failed to start")
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            outputs = [worker.communicate(timeout=seconds + 60)[0] for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
    per_process = [json.loads(output) for output in outputs]
    grants = [t for times in per_process for t in times]
    figures = window_figures(grants, limit, per)
    figures["processes"] = float(processes)
    figures["min_share_of_one_process"] = min(len(t) for t in per_process) / len(grants)
    return {f"redis_{name}": value for name, value in figures.items()}


async def acquire_cost(quick: bool) -> dict[str, float]:
    n = 20_000 if quick else 200_000
    bucket = TokenBucket(limit=10**9, per=1.0)  # always has tokens
    lock = asyncio.Lock()

    async def limiter_loop() -> float:
        started = time.perf_counter()
        for _ in range(n):
            await bucket.acquire()
        return time.perf_counter() - started

    async def lock_loop() -> float:
        started = time.perf_counter()
        for _ in range(n):
            async with lock:
                pass
        return time.perf_counter() - started

    async def sleep0_loop() -> float:
        started = time.perf_counter()
        for _ in range(n):
            await asyncio.sleep(0)
        return time.perf_counter() - started

    # Best of three rounds each, interleaved, so a noisy neighbour hurts them alike.
    best = {"limiter": float("inf"), "lock": float("inf"), "sleep0": float("inf")}
    for _ in range(3):
        best["limiter"] = min(best["limiter"], await limiter_loop())
        best["lock"] = min(best["lock"], await lock_loop())
        best["sleep0"] = min(best["sleep0"], await sleep0_loop())
    return {
        "acquire_us": best["limiter"] / n * 1e6,
        "acquire_lock_baseline_us": best["lock"] / n * 1e6,
        "acquire_sleep0_baseline_us": best["sleep0"] / n * 1e6,
        "acquire_vs_lock_ratio": best["limiter"] / best["lock"],
        "acquire_vs_sleep0_ratio": best["limiter"] / best["sleep0"],
    }


async def many_waiters(quick: bool) -> dict[str, float]:
    n = 10_000
    bucket = TokenBucket(limit=10_000, per=1.0)
    started = time.perf_counter()
    await asyncio.gather(*(bucket.acquire() for _ in range(n)))
    elapsed = time.perf_counter() - started
    ideal = n / bucket.sizing.rate
    return {
        "waiters_n": float(n),
        "waiters_seconds": elapsed,
        "waiters_vs_ideal_ratio": elapsed / ideal,
    }


def run(*, quick: bool = False) -> dict[str, float]:
    """Every figure described in the module docstring, as ``{name: value}``."""
    figures: dict[str, float] = {}
    figures.update(asyncio.run(memory_sustained(quick)))
    figures.update(redis_processes(quick))
    figures.update(asyncio.run(acquire_cost(quick)))
    figures.update(asyncio.run(many_waiters(quick)))
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--redis-worker"]:
        url, key, limit, per, seconds = sys.argv[2:7]
        asyncio.run(redis_worker(url, key, int(limit), float(per), float(seconds)))
    else:
        for name, value in run(quick="--quick" in sys.argv).items():
            print(f"{name:32} {value:12.4f}")
