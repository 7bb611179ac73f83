"""One OS process of the end-to-end shared-limiter test (run by test_client_redis.py).

Usage: python client_worker.py BASE_URL CLIENT_ID CLIENT_SECRET REDIS_URL KEY LIMIT PER
                               CALLS TASKS UUID[,UUID...]

Prints ``ready`` once its client and limiter exist, waits for a line on stdin (so both
processes start together), makes CALLS ``source.products.get`` calls from TASKS tasks through
a ``SourceClient`` whose limiter is a ``RedisRateLimiter`` on KEY, and prints one JSON line:
the client's stats and how many calls succeeded.
"""

from __future__ import annotations

import asyncio
import json
import sys

import attrs

import lucidgreen


async def main(argv: list[str]) -> None:
    base_url, client_id, client_secret, redis_url, key, limit, per, calls, tasks, ids = argv
    uuids = ids.split(",")
    limiter = lucidgreen.RedisRateLimiter(redis_url, key, limit=int(limit), per=float(per))
    remaining = int(calls)
    succeeded = 0
    async with lucidgreen.SourceClient(
        client_id, client_secret, base_url=base_url, rate_limiter=limiter
    ) as source:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

        async def worker(index: int) -> None:
            nonlocal remaining, succeeded
            while remaining > 0:
                remaining -= 1
                await source.products.get(uuids[(index + remaining) % len(uuids)])
                succeeded += 1

        await asyncio.gather(*(worker(i) for i in range(int(tasks))))
    await limiter.aclose()
    print(json.dumps({"succeeded": succeeded, "stats": attrs.asdict(source.stats)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:11]))
