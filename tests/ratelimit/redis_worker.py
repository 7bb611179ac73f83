"""One worker process for the cross-process RedisRateLimiter test.

Usage: python redis_worker.py URL KEY LIMIT PER SECONDS TASKS

Prints ``ready``, waits for a line on stdin (so every worker starts together), then runs
TASKS tasks acquiring from one RedisRateLimiter for SECONDS, and prints a JSON list of the
``time.monotonic()`` reading taken right after each acquire (the clock is system-wide on
Linux, so readings from several processes compare directly).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from lucidgreen.ratelimit import RedisRateLimiter


async def main(argv: list[str]) -> None:
    url, key, limit, per, seconds, tasks = argv
    limiter = RedisRateLimiter(url, key, limit=int(limit), per=float(per))
    print("ready", flush=True)
    sys.stdin.readline()
    grants: list[float] = []

    async def hammer() -> None:
        while True:
            await limiter.acquire()
            grants.append(time.monotonic())

    hammers = [asyncio.create_task(hammer()) for _ in range(int(tasks))]
    await asyncio.sleep(float(seconds))
    for task in hammers:
        task.cancel()
    await asyncio.gather(*hammers, return_exceptions=True)
    await limiter.aclose()
    print(json.dumps(grants), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:7]))
