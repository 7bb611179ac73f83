"""One exact-window budget shared by every process and host that uses the same Redis key:
:class:`RedisRateLimiter`, the process-side queue and leases around the script of
``_redis_script.py``."""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self

from lucidgreen import _limits

from ._arithmetic import EARLY_TOLERANCE, Pacing, queue_floor
from ._protocol import Permit, RateLimiterUnavailable
from ._redis_connection import connect, require_redis
from ._redis_leases import MAX_LEASE, Leases
from ._redis_script import SCRIPT, keys_for
from ._turn import FifoTurn, wake
from ._waiting import Sleep, check_hold, check_pause_seconds, deadline_exceeded, nap, queue_up

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisRateLimiter"]

logger = logging.getLogger("lucidgreen.ratelimit")

#: The longest a reservation counts as in flight (``hold=None`` included), in seconds.
DEFAULT_MAX_HOLD: Final = 300.0


class _RedisPermit:
    """A :class:`RedisRateLimiter` permit: one member of the shared sorted set."""

    __slots__ = ("_done", "_id", "_limiter", "waited")

    def __init__(self, limiter: RedisRateLimiter, reservation: str, waited: float) -> None:
        self._limiter = limiter
        self._id = reservation
        self._done = False
        self.waited = waited

    async def settle(self) -> None:
        if not self._done:
            self._done = True
            await self._limiter._finish("settle", self._id)

    async def release(self) -> None:
        if not self._done:
            self._done = True
            await self._limiter._finish("release", self._id)

    def __repr__(self) -> str:
        state = "done" if self._done else "in flight"
        return f"<RedisRateLimiter permit {state} waited={self.waited:.3f}>"


class RedisRateLimiter:
    """The exact window of :class:`~lucidgreen.ratelimit.TokenBucket`, kept in Redis.

    Every process and host that uses the same Redis and ``key`` (and the same ``limit``,
    ``per`` and ``burst``) shares one budget. One Lua script, on Redis's own clock, reserves a
    slot or answers how long to wait: reservations live in a sorted set scored at ``send +
    hold`` while in flight and rewritten to the settle time when the exchange ends, so no
    server window ever holds more than ``limit`` of the key's requests. A 429 pause is stored
    in Redis, so every process pauses. Inside a process, waiters queue in arrival order and
    only the head talks to Redis. The two keys (``{key}:bucket`` and ``{key}:window``) share
    one hash tag, so they live on one Redis Cluster slot, and expire once idle.

    .. code-block:: python

        limiter = RedisRateLimiter("redis://cache:6379/0", "lucidgreen:retail:my-client-id",
                                   limit=1000)
        async with lucidgreen.RetailClient(..., rate_limiter=limiter) as retail:
            ...
        await limiter.aclose()

    :param redis: a ``redis://`` / ``rediss://`` / ``unix://`` URL, or a
        ``redis.asyncio.Redis`` client (which stays yours to close).
    :param key: names the budget (one per product and credentials).
    :param burst: as for :class:`~lucidgreen.ratelimit.TokenBucket`.
    :param max_hold: the longest a reservation counts as in flight (also for ``hold=None``),
        300 s by default: the reservations of a process that crashed mid-request expire
        ``max_hold + per`` seconds after they were made.
    :param connect_timeout: seconds to open a connection (URL only).
    :param timeout: the most one Redis round trip may take, connecting included. Past it,
        or on any Redis error, :meth:`acquire` and :meth:`pause` raise
        :class:`~lucidgreen.ratelimit.RateLimiterUnavailable`; they never hang. Waiters that
        queued before such a failure get the same error at once rather than each waiting out
        its own timeout. A settle or release that fails is logged and dropped: the
        reservation then counts until its bound, which is safe.

    A head waiter blocked by another process's in-flight reservation polls every
    ``per / limit`` seconds (at least 5 ms), since that process's settle cannot wake it. A
    waiter cancelled while its request to Redis is in flight releases the slot if the script
    granted one, so cancellation takes nothing here either. The client's connections belong to
    one event loop: use the limiter from that loop only.
    """

    __slots__ = (
        "_background",
        "_blocked",
        "_closed",
        "_failure",
        "_key",
        "_keys",
        "_leases",
        "_max_hold",
        "_name",
        "_pacing",
        "_paused_until",
        "_prefix",
        "_redis",
        "_script",
        "_seq",
        "_sleep",
        "_timeout",
        "_turn",
        "_wake",
        "_warned",
    )

    def __init__(
        self,
        redis: Redis | str,
        key: str,
        *,
        limit: int = _limits.SOURCE_LIMIT,
        per: float = _limits.WINDOW,
        burst: int | None = None,
        max_hold: float = DEFAULT_MAX_HOLD,
        connect_timeout: float = 2.0,
        timeout: float = 5.0,
        sleep: Sleep | None = None,
        name: str = "",
    ) -> None:
        module = require_redis()
        if not key:
            raise ValueError("key must be a non-empty string")
        if not (timeout > 0 and connect_timeout > 0):
            raise ValueError("timeout and connect_timeout must be > 0 seconds")
        if not (math.isfinite(max_hold) and max_hold > 0):
            raise ValueError(f"max_hold must be a finite number of seconds > 0, not {max_hold!r}")
        self._pacing = Pacing.for_limit(limit, per, burst)
        self._redis = connect(module, redis, connect_timeout=connect_timeout, timeout=timeout)
        self._script = self._redis.client.register_script(SCRIPT)
        self._key = key
        self._keys = keys_for(key)
        self._max_hold = float(max_hold)
        self._timeout = float(timeout)
        self._sleep = sleep
        self._name = name
        self._turn = FifoTurn(owner=f"RedisRateLimiter(key={key!r})")
        self._failure: tuple[float, RateLimiterUnavailable] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._closed = False
        self._prefix = uuid.uuid4().hex[:16]
        self._seq = 0
        self._wake: asyncio.Future[None] | None = None
        self._blocked = False
        self._warned = False
        self._paused_until = -math.inf  # monotonic end of this process's last pause
        self._leases = Leases(self._release_in_background)

    @property
    def pacing(self) -> Pacing:
        """The limit, window, burst, refill rate and capacity this limiter enforces."""
        return self._pacing

    @property
    def limit(self) -> int:
        return self._pacing.limit

    @property
    def per(self) -> float:
        return self._pacing.per

    @property
    def key(self) -> str:
        return self._key

    @property
    def waiting(self) -> int:
        """Tasks of this process currently waiting in :meth:`acquire`."""
        return self._turn.waiting

    async def acquire(self, *, hold: float | None = None, max_wait: float | None = None) -> Permit:
        """Wait for a permit to send one request now (see
        :meth:`lucidgreen.ratelimit.RateLimiter.acquire`); ``hold`` is capped at
        ``max_hold``. Raises :class:`~lucidgreen.ratelimit.RateLimiterUnavailable` if Redis
        fails.

        The head waiter asks Redis for a permit for every waiter of this process queued
        behind it (at most :data:`MAX_LEASE`) in one round trip, and hands the extra ones
        down the queue, so a distant Redis costs one round trip per batch, not per permit.
        """
        checked = check_hold(hold)
        hold = self._max_hold if checked is None else min(checked, self._max_hold)
        started = time.monotonic()
        deadline = None if max_wait is None else started + max_wait
        # Only this process's queue and pauses are known here, so the bound is the best case
        # of the shared budget (queue_floor).
        queued = await queue_up(self._turn, self, max_wait, self._least_wait)
        try:
            self._raise_if_failed_since(started)
            reservation = self._leases.take(hold)
            while reservation is None:
                reservation, wait, blocked = await self._take(hold)
                if reservation is not None:
                    break
                queued = True
                now = time.monotonic()
                if blocked:
                    # Another process's settle cannot wake us: look again soon.
                    wait = min(wait, max(self.per / self.limit, 0.005))
                if deadline is not None:
                    if now >= deadline or (not blocked and now + wait > deadline):
                        raise deadline_exceeded(self, max_wait or 0.0, wait)
                    wait = min(wait, deadline - now)
                await self._nap(wait, blocked)
        finally:
            self._turn.leave()
            if self._turn.is_free and self._leases:
                self._leases.return_all()
        # A lone round trip to Redis is not waiting for the budget.
        waited = max(0.0, time.monotonic() - started) if queued else 0.0
        return _RedisPermit(self, reservation, waited)

    def _least_wait(self, ahead: int) -> float:
        paused = max(0.0, self._paused_until - time.monotonic())
        return queue_floor(self._pacing, ahead, paused)

    async def _nap(self, seconds: float, blocked: bool) -> None:
        """The head waits ``seconds``, or until one of this process's settles may help."""
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._wake, self._blocked = woken, blocked
        try:
            await nap(woken, seconds, self._sleep)
        finally:
            self._wake, self._blocked = None, False

    async def pause(self, seconds: float) -> None:
        """Hold every acquire, in every process on this key, until ``seconds`` from now.

        Like :meth:`lucidgreen.ratelimit.TokenBucket.pause`: an unexpected 429 (fewer than
        ``limit`` counted on the key) makes the key count its window as full as of now, and
        then keep the neighbour's share, in Redis, so every process learns it at once; it is
        logged once per process at WARNING and counted in :meth:`surprises`. The limit is
        not lowered. Queued waiters whose ``max_wait`` the pause makes impossible leave at
        once.
        """
        seconds = check_pause_seconds(seconds)
        self._seq += 1
        surprise, counted, _ = await self._run(
            "pause", max(0.0, seconds), self._prefix + str(self._seq)
        )
        if surprise and not self._warned:
            self._warned = True
            logger.warning(
                "%r got a 429 with only %d requests counted on the key in the last %g s "
                "(limit %d): the server's limit differs, or clients outside this key share "
                "the credentials; pausing for %.3f s",
                self,
                counted,
                self.per,
                self.limit,
                seconds,
            )
        logger.debug("%r paused for %.3f s", self, seconds)
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        # Queued waiters the pause dooms leave now; the head checks its own deadline.
        self._turn.shed(self._least_wait)
        if self._wake is not None:
            wake(self._wake)

    async def counted(self) -> int:
        """Requests counted on the key in the window a request leaving now would join."""
        _, counted, _ = await self._run("count")
        return counted

    async def surprises(self) -> int:
        """429s any process on the key got while fewer than ``limit`` were counted (see
        :meth:`pause`); kept in Redis for a day."""
        _, count, _ = await self._run("surprises")
        return count

    async def aclose(self) -> None:
        """Finish settling and releasing in the background, then close a client we created."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._redis.owned and not self._closed:
            self._closed = True
            await self._redis.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self, operation: str, *extra: str | float) -> tuple[float, int, int]:
        """One atomic script call, bounded by ``timeout``: ``(wait, flag_or_count, granted)``."""
        p = self._pacing
        args: list[str | int] = [operation, repr(p.rate), repr(p.capacity), p.limit, repr(p.per)]
        args += [repr(x) if isinstance(x, float) else x for x in extra]
        try:
            async with asyncio.timeout(self._timeout):
                reply = await self._script(keys=self._keys, args=args)
        except self._redis.unreachable as exc:
            raise self._redis.unavailable(self._key, self._timeout, exc) from exc
        granted = int(reply[2]) if len(reply) > 2 else 0
        return float(reply[0]), int(reply[1]), granted

    async def _take(self, hold: float) -> tuple[str | None, float, bool]:
        """``(reservation, 0, False)`` when granted (extra grants leased to the queue), else
        ``(None, wait, blocked)``."""
        self._seq += 1
        base = f"{self._prefix}:{self._seq}"
        want = max(1, min(self._turn.waiting, MAX_LEASE))
        # Shielded: if the waiter is cancelled mid-flight, the script call still finishes
        # and we learn whether it reserved slots, which we then release.
        call = asyncio.ensure_future(self._run("take", EARLY_TOLERANCE, base, hold, want))
        try:
            wait, blocked, granted = await asyncio.shield(call)
        except asyncio.CancelledError:
            call.add_done_callback(lambda done: self._release_if_taken(done, base))
            raise
        except RateLimiterUnavailable as exc:
            self._failure = (time.monotonic(), exc)
            raise
        if granted == 0:
            return None, wait, bool(blocked)
        self._leases.add([f"{base}:{i}" for i in range(2, granted + 1)], hold)
        return f"{base}:1", 0.0, False

    def _release_if_taken(self, call: asyncio.Future[tuple[float, int, int]], base: str) -> None:
        if call.cancelled() or call.exception() is not None:
            return
        for i in range(1, call.result()[2] + 1):
            self._release_in_background(f"{base}:{i}")

    async def _finish(self, operation: str, reservation: str) -> None:
        """Settle or release ``reservation``; shielded, so a cancelled caller spends nothing
        more than the settle it asked for."""
        call = asyncio.ensure_future(self._quietly(operation, reservation))
        try:
            await asyncio.shield(call)
        except asyncio.CancelledError:
            self._background.add(call)
            call.add_done_callback(self._background.discard)
            raise
        if self._wake is not None and (operation == "release" or self._blocked):
            wake(self._wake)  # our own settle or release may shorten the head's wait

    async def _quietly(self, operation: str, reservation: str) -> None:
        try:
            await self._run(operation, reservation)
        except RateLimiterUnavailable as exc:
            # Safe to lose: the reservation counts until its bound, then lapses.
            logger.debug("could not %s a reservation: %s", operation, exc)

    def _release_in_background(self, reservation: str) -> None:
        task = asyncio.ensure_future(self._finish("release", reservation))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _raise_if_failed_since(self, started: float) -> None:
        """Fail at once if Redis failed while this waiter was queued."""
        if self._failure is not None and self._failure[0] >= started:
            failure = self._failure[1]
            raise RateLimiterUnavailable(str(failure)) from failure.__cause__

    def __repr__(self) -> str:
        p = self._pacing
        parts = [f"name={self._name!r}"] if self._name else []
        parts += [f"key={self._key!r}", f"limit={p.limit}", f"per={p.per:g}", f"burst={p.burst}"]
        if self._turn.waiting:
            parts.append(f"waiting={self._turn.waiting}")
        return f"RedisRateLimiter({', '.join(parts)})"
