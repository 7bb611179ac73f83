"""One worker process for the cross-process RedisRateLimiter tests.

Usage: python redis_worker.py URL KEY LIMIT PER SECONDS TASKS JITTER

Prints ``ready``, waits for a line on stdin (so every worker starts together), then runs
TASKS tasks for SECONDS, each taking a permit from one RedisRateLimiter, "sending" a request
that reaches a server a uniform 0 to JITTER seconds later and is answered at once, and
settling the permit at the answer. Prints a JSON list of the arrival times, read from
``time.monotonic()`` (system-wide on Linux, so readings from several processes compare).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

from lucidgreen.ratelimit import RedisRateLimiter


async def main(argv: list[str]) -> None:
    url, key, limit, per, seconds, tasks, jitter = argv
    limiter = RedisRateLimiter(url, key, limit=int(limit), per=float(per))
    print("ready", flush=True)
    sys.stdin.readline()
    arrivals: list[float] = []
    rng = random.Random()

    async def hammer() -> None:
        while True:
            delay = rng.uniform(0.0, float(jitter))
            permit = await limiter.acquire(hold=float(jitter) + 1.0)
            try:
                await asyncio.sleep(delay)
                arrivals.append(time.monotonic())
            finally:
                await permit.settle()

    hammers = [asyncio.create_task(hammer()) for _ in range(int(tasks))]
    await asyncio.sleep(float(seconds))
    for task in hammers:
        task.cancel()
    await asyncio.gather(*hammers, return_exceptions=True)
    await limiter.aclose()
    print(json.dumps(arrivals), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:8]))
