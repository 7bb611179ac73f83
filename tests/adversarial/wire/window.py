"""The sliding-window scenario: a rate-limited server that drops answers and stale connections.

:func:`windowed_run` aims a client whose :class:`~lucidgreen.TokenBucket` is configured for
the server's limit at a :class:`~tests.adversarial.wire.hostile.HostileServer` that enforces
it as a sliding window (at most ``limit`` requests read in any ``per`` seconds, the dropped
ones included; one more is a 429, as DRF answers), drops every ``drop_every``-th answer after
counting it, and optionally loses the keep-alive race for every ``race_every``-th request
that arrives on a connection idle ``idle_close`` seconds (the client's own waits for budget
leave connections idle). Shared by
``test_the_limit_holds_under_drops.py`` and ``benchmarks/wire.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

import attrs

from lucidgreen import RetryPolicy, TokenBucket
from tests.adversarial.wire import hostile as wire

__all__ = ["SlidingWindow", "WindowRun", "windowed_run"]

# Short retry delays, so a dropped answer costs milliseconds, not the documented seconds; a
# 429 would still pause the whole budget for its Retry-After.
_QUICK_RETRIES = RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.05)


@attrs.define
class SlidingWindow:
    """At most ``limit`` requests in any ``per`` seconds; a throttled one is not counted."""

    limit: int
    per: float
    times: deque[float] = attrs.field(factory=deque)
    throttled: int = 0

    def admit(self, now: float) -> bool:
        while self.times and self.times[0] <= now - self.per:
            self.times.popleft()
        if len(self.times) >= self.limit:
            self.throttled += 1
            return False
        self.times.append(now)
        return True


@attrs.frozen
class WindowRun:
    """What one run measured: the server's counts beside the SDK's."""

    calls: int
    succeeded: int
    server_requests: int
    attempts: int  # stats.requests
    hooks: int
    spans: int
    server_429s: int
    client_429s: int
    dropped: int
    lost_races: int
    seconds: float
    limit: int
    per: float
    burst: int

    @property
    def share_of_limit(self) -> float:
        """Requests the server read per second after the bucket's first burst, as a share of
        the rate the limit allows (``limit / per``): 1.0 is the limit, sustained."""
        return (self.server_requests - self.burst) / self.seconds / (self.limit / self.per)


@attrs.define
class _Plan:
    """The server's application: the window first, then the API's answer, every
    ``drop_every``-th answered request dropped after it was counted and applied."""

    window: SlidingWindow
    ledger: wire.Ledger
    drop_every: int | None
    answered: int = 0
    dropped: int = 0

    def __call__(self, seen: wire.Seen) -> wire.Action:
        if not self.window.admit(time.monotonic()):
            return wire.Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "1"})
        answer = self.ledger.answer(seen)
        self.answered += 1
        if self.drop_every and self.answered % self.drop_every == 0:
            self.dropped += 1
            return wire.Fault.DROP
        return answer


async def windowed_run(
    *,
    limit: int,
    per: float,
    calls: int,
    concurrency: int = 8,
    drop_every: int | None = 4,
    idle_close: float | None = None,
    race_every: int = 1,
    session: wire.Session = "default",
) -> WindowRun:
    """``calls`` reads from ``concurrency`` tasks through the bucket; the run's figures."""
    window = SlidingWindow(limit, per)
    plan = _Plan(window, wire.Ledger(), drop_every)
    bucket = TokenBucket(limit=limit, per=per)
    queue = iter(range(calls))
    succeeded = 0
    async with (
        wire.hostile(plan, idle_close=idle_close, race_every=race_every) as server,
        wire.counted(server, session=session, rate_limiter=bucket, retry=_QUICK_RETRIES) as client,
    ):

        async def worker() -> None:
            nonlocal succeeded
            for _ in queue:
                await client.retail.products.get(wire.LID)
                succeeded += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.monotonic() - started
        counts = client.counts()
        client_429s = client.client.stats.rate_limited
    return WindowRun(
        calls=calls,
        succeeded=succeeded,
        server_requests=len(server.requests),
        attempts=counts["stats"],
        hooks=counts["hooks"],
        spans=counts["spans"],
        server_429s=window.throttled,
        client_429s=client_429s,
        dropped=plan.dropped,
        lost_races=server.lost_races,
        seconds=seconds,
        limit=limit,
        per=per,
        burst=bucket.burst,
    )
