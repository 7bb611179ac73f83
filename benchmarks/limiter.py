"""Rate-limiter benchmark: share of the limit, would-be and real 429s, acquire cost, waiters.

Run ``python benchmarks/limiter.py [--quick]``. Every window is time-compressed (a minute
becomes 1.5 s, 40x), and with it every delay (so 0-3 s of arrival jitter becomes 0-75 ms).
Figures:

1. ``client_*``: one ``SourceClient`` (its default ``TokenBucket``, 20 tasks) against the
   loopback fake enforcing 60 per 1.5 s as a DRF sliding window, no added latency.
   ``share`` is the accepted rate from the second window on, as a share of ``limit / per``;
   ``rate_limited`` counts the fake's 429s.
2. ``jitter_*``: the same with the fake delaying every request by a uniform 0-75 ms (0-3 s
   on a real minute) *before* its throttle counts it, so requests reach the window out of
   send order. The exact window counts each request at its answer, so it loses the mean
   delay once per window: ``expected`` = per / (per + mean delay) = 0.9756 is what that
   rule predicts (no limiter that only learns arrival bounds from answers can do much
   better on average), and ``vs_expected`` compares the measured share to it.
3. ``redis_*``: 4 OS processes (4 tasks each) sharing one ``RedisRateLimiter`` key, 40 per
   1.5 s, each permit settled as soon as it is granted (no latency); ``violations`` counts
   grants that ended a window of ``per`` holding more than ``limit`` (would-be 429s).
   Needs redis-server on PATH (the figures are skipped without it).
4. ``neighbour_{burst,steady}_*`` (and ``redis_neighbour_*`` on one ``RedisRateLimiter``
   key): a neighbour on the same credentials, unseen by the client, on a 100 per 3 s window.
   ``burst`` spends 95 (one old request, so Retry-After is short, then 94 at once) and
   stops; ``steady`` keeps spending 30 of every window, from a window before the client
   starts. One SourceClient then makes 250 (burst) or 400 (steady) calls at once.
   ``first_wave`` counts the 429s within 0.2 s of the first one (in flight when it came
   back), ``second_wave`` every 429 after; ``post_pause_share`` is the accepted rate, as a
   share of the limit, once the burst has left the window (burst) or from a window after
   the first 429 (steady); ``left_by_neighbour`` is what the neighbour leaves (1.0, 0.7)
   and ``vs_left`` the ratio of the two.
5. ``redis_rtt_*``: 3 ``RedisRateLimiter`` s (own connection and queue each, as processes
   have) on one key, 100 per 1.5 s, behind a TCP proxy adding 100 ms to every round trip to
   Redis; ``share`` from the second window on, ``ceiling`` = per / (per + rtt) (a settle
   reaches Redis a round trip after the grant), ``violations`` as in 3.
6. ``acquire_*``: an acquire plus settle with budget available, in µs, against the no-op
   ``Unlimited`` limiter and an uncontended ``asyncio.Lock``, measured in the same run.
7. ``waiters_*``: 10,000 concurrent waiters on a 5,000-per-second bucket (burst 1): wall
   time, and serving time (first grant to last, without the loop's cost of creating and
   first running 10,000 tasks), as ratios to the ideal ``(n - capacity) / rate``. (Each
   waiter costs tens of µs of event-loop work, so at 10,000 a second on a loaded 2-core
   machine that alone is ~20 % of the ideal; 5,000 a second is 300x LucidRetail's limit.)
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

import lucidgreen  # noqa: E402
from benchmarks._common import small_fake  # noqa: E402
from benchmarks._redis import delay_proxy, redis_server  # noqa: E402
from lucidgreen.ratelimit import RateLimiter, RedisRateLimiter, TokenBucket, Unlimited  # noqa: E402
from lucidgreen.testing import RateLimit  # noqa: E402
from tests.adversarial.ratelimit import neighbours as scenario  # noqa: E402

COMPRESSION = 40.0
PER = 60.0 / COMPRESSION  # 1.5 s
JITTER = 3.0 / COMPRESSION  # 75 ms


def steady_share(times: Sequence[float], limit: int, per: float) -> float:
    """The steady rate as a share of ``limit / per``: how long whole windows' worth of
    events took, from the first event of the second window (the first window's fresh
    budget, and the burst pattern it leaves, repeat once per window, so only whole windows
    compare): ``windows * per / (t[limit + windows * limit] - t[limit])``."""
    ordered = sorted(times)
    windows = (len(ordered) - 1) // limit - 1
    span = ordered[limit + windows * limit] - ordered[limit]
    return windows * per / span


def window_figures(grants: Sequence[float], limit: int, per: float) -> dict[str, float]:
    """The steady share, the fullest half-open window of ``per``, and grants that overfilled
    one (each would have been a 429 at a DRF server)."""
    ordered = sorted(grants)
    most = violations = first = 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - per:
            first += 1
        held = last - first + 1
        most = max(most, held)
        violations += held > limit
    return {
        "share": steady_share(ordered, limit, per),
        "max_in_window": float(most),
        "limit": float(limit),
        "violations": float(violations),
    }


async def client_run(quick: bool, *, jitter: float) -> dict[str, float]:
    """One SourceClient, 20 tasks, against the fake's 60 per 1.5 s window."""
    limit, windows = 60, (4 if quick else 8)
    async with small_fake(
        source_limit=RateLimit(limit, PER), arrival_jitter=jitter, seed=7
    ) as fake:
        uuids = list(fake.state.products)[:10]
        async with lucidgreen.SourceClient(
            *fake.source_credentials,
            base_url=fake.url,
            rate_limiter=TokenBucket(limit=limit, per=PER),
        ) as source:
            remaining = windows * limit

            async def worker(index: int) -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await source.products.get(uuids[(index + remaining) % len(uuids)])

            await asyncio.gather(*(worker(i) for i in range(20)))
        accepted = [r.time for r in fake.requests if r.path.startswith("/api/") and r.status == 200]
        return {
            "share": steady_share(accepted, limit, PER),
            "rate_limited": float(fake.stats.rate_limited),
            "accepted": float(len(accepted)),
            "limit": float(limit),
        }


async def jitter_run(quick: bool) -> dict[str, float]:
    figures = await client_run(quick, jitter=JITTER)
    expected = PER / (PER + JITTER / 2)
    figures["expected"] = expected
    figures["vs_expected"] = figures["share"] / expected
    figures["jitter_s"] = JITTER
    return {f"jitter_{name}": value for name, value in figures.items()}


async def sustained_run(quick: bool) -> dict[str, float]:
    figures = await client_run(quick, jitter=0.0)
    return {f"client_{name}": value for name, value in figures.items()}


async def hammer_for(limiter: RateLimiter, tasks: int, seconds: float) -> list[float]:
    """Grant times from ``tasks`` tasks acquiring back to back (settling at once)."""
    grants: list[float] = []

    async def hammer() -> None:
        while True:
            permit = await limiter.acquire(hold=1.0)
            grants.append(time.monotonic())
            await permit.settle()

    running = [asyncio.create_task(hammer()) for _ in range(tasks)]
    await asyncio.sleep(seconds)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    return grants


async def redis_worker(url: str, key: str, limit: int, per: float, seconds: float) -> None:
    """One benchmark process: wait for "go" on stdin, hammer, print grant times as JSON."""
    limiter = RedisRateLimiter(url, key, limit=limit, per=per)
    print("ready", flush=True)
    sys.stdin.readline()
    grants = await hammer_for(limiter, tasks=4, seconds=seconds)
    await limiter.aclose()
    print(json.dumps(grants), flush=True)


def redis_processes(quick: bool, processes: int = 4) -> dict[str, float]:
    limit = 40
    seconds = (4 if quick else 8) * PER
    with redis_server() as url:
        if url is None:
            print("redis-server not found: skipping the Redis figures", file=sys.stderr)
            return {}
        key = f"lucidgreen-bench:{uuid.uuid4().hex}"
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        command = [sys.executable, __file__, "--redis-worker", url, key, str(limit), str(PER)]
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
    figures = window_figures(grants, limit, PER)
    figures["processes"] = float(processes)
    figures["min_share_of_one_process"] = min(len(t) for t in per_process) / len(grants)
    return {f"redis_{name}": value for name, value in figures.items()}


async def neighbour_run(kind: str, limiter: TokenBucket | RedisRateLimiter) -> dict[str, float]:
    """Item 4 of the module docstring, for one neighbour ("burst" or "steady"): the scenario
    of ``tests/adversarial/ratelimit/neighbours.py``."""
    run = await scenario.run_behind(limiter, kind, calls=250 if kind == "burst" else 400)
    share = run.share_after()
    limit = scenario.LIMIT
    left = 1.0 if kind == "burst" else (limit - scenario.STEADY) / limit
    later = len(run.second_wave())
    return {
        "first_wave": float(len(run.refused) - later),
        "second_wave": float(later),
        "post_pause_share": share,
        "left_by_neighbour": left,
        "vs_left": share / left,
        "surprises": float(await scenario.surprises(limiter)),
    }


async def neighbour_runs(url: str | None) -> dict[str, float]:
    """Both neighbours, beside a TokenBucket and (with redis-server) a RedisRateLimiter."""
    figures: dict[str, float] = {}
    for kind in ("burst", "steady"):
        bucket = TokenBucket(limit=scenario.LIMIT, per=scenario.WINDOW)
        for name, value in (await neighbour_run(kind, bucket)).items():
            figures[f"neighbour_{kind}_{name}"] = value
        if url is None:
            continue
        key = f"lucidgreen-bench:{uuid.uuid4().hex}"
        async with RedisRateLimiter(url, key, limit=scenario.LIMIT, per=scenario.WINDOW) as shared:
            for name, value in (await neighbour_run(kind, shared)).items():
                figures[f"redis_neighbour_{kind}_{name}"] = value
    return figures


def neighbours() -> dict[str, float]:
    with redis_server() as url:
        return asyncio.run(neighbour_runs(url))


async def redis_rtt_run(url: str, quick: bool) -> dict[str, float]:
    """Item 5 of the module docstring."""
    limit, rtt = 100, 0.1
    seconds = (4 if quick else 8) * PER
    key = f"lucidgreen-bench:{uuid.uuid4().hex}"
    async with delay_proxy(url, rtt) as far:
        limiters = [RedisRateLimiter(far, key, limit=limit, per=PER) for _ in range(3)]
        try:
            runs = await asyncio.gather(*(hammer_for(lim, 10, seconds) for lim in limiters))
        finally:
            for limiter in limiters:
                await limiter.aclose()
    grants = sorted(t for run in runs for t in run)
    figures = window_figures(grants, limit, PER)
    figures["ceiling"] = PER / (PER + rtt)
    figures["vs_ceiling"] = figures["share"] / figures["ceiling"]
    figures["rtt_s"] = rtt
    return {f"redis_rtt_{name}": value for name, value in figures.items()}


def redis_at_a_distance(quick: bool) -> dict[str, float]:
    with redis_server() as url:
        if url is None:
            return {}
        return asyncio.run(redis_rtt_run(url, quick))


async def acquire_cost(quick: bool) -> dict[str, float]:
    n = 20_000 if quick else 200_000
    bucket = TokenBucket(limit=10**9, per=1.0, burst=10**8)  # always has budget
    noop = Unlimited()
    lock = asyncio.Lock()

    async def limiter_loop(limiter: RateLimiter) -> float:
        started = time.perf_counter()
        for _ in range(n):
            permit = await limiter.acquire(hold=30.0)
            await permit.settle()
        return time.perf_counter() - started

    async def lock_loop() -> float:
        started = time.perf_counter()
        for _ in range(n):
            async with lock:
                pass
        return time.perf_counter() - started

    # Best of three rounds each, interleaved, so a noisy neighbour hurts them alike.
    best = {"limiter": float("inf"), "noop": float("inf"), "lock": float("inf")}
    for _ in range(3):
        best["limiter"] = min(best["limiter"], await limiter_loop(bucket))
        best["noop"] = min(best["noop"], await limiter_loop(noop))
        best["lock"] = min(best["lock"], await lock_loop())
    return {
        "acquire_us": best["limiter"] / n * 1e6,
        "acquire_noop_baseline_us": best["noop"] / n * 1e6,
        "acquire_lock_baseline_us": best["lock"] / n * 1e6,
        "acquire_extra_us": (best["limiter"] - best["noop"]) / n * 1e6,
        "acquire_vs_noop_ratio": best["limiter"] / best["noop"],
        "acquire_vs_lock_ratio": best["limiter"] / best["lock"],
    }


async def many_waiters(quick: bool) -> dict[str, float]:
    n = 10_000
    bucket = TokenBucket(limit=5_000, per=1.0, burst=1)
    loop = asyncio.get_running_loop()
    grants: list[float] = []

    async def one() -> None:
        permit = await bucket.acquire(hold=0.0)
        grants.append(loop.time())
        await permit.settle()

    started = loop.time()
    await asyncio.gather(*(one() for _ in range(n)))
    elapsed = loop.time() - started
    ideal = (n - bucket.pacing.capacity) / bucket.pacing.rate
    # Serving time: first grant to last, leaving out the event loop's cost of creating and
    # first running 10,000 tasks (during which no timer fires, the head's included).
    served = grants[-1] - grants[0]
    return {
        "waiters_n": float(n),
        "waiters_seconds": elapsed,
        "waiters_vs_ideal_ratio": elapsed / ideal,
        "waiters_served_seconds": served,
        "waiters_served_vs_ideal_ratio": served / ideal,
    }


def run(*, quick: bool = False) -> dict[str, float]:
    """Every figure described in the module docstring, as ``{name: value}``."""
    figures: dict[str, float] = {}
    figures.update(asyncio.run(sustained_run(quick)))
    figures.update(asyncio.run(jitter_run(quick)))
    figures.update(redis_processes(quick))
    figures.update(neighbours())
    figures.update(redis_at_a_distance(quick))
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
