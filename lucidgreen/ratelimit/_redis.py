"""One exact-window budget shared by every process and host that uses the same Redis key.

Long because: the Lua scripts (acquire, settle, release, pause) must sit beside the Python
that calls them, line for line against the pure rule in ``_window.py``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from lucidgreen import _limits

from ._arithmetic import EARLY_TOLERANCE, Pacing, queue_floor
from ._bucket import (
    FifoTurn,
    Shed,
    Sleep,
    check_hold,
    check_pause_seconds,
    deadline_exceeded,
    wake,
)
from ._protocol import Permit, RateLimiterUnavailable

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisRateLimiter"]

logger = logging.getLogger("lucidgreen.ratelimit")

#: The most permits a head waiter takes from Redis in one round trip for its queue.
MAX_LEASE: Final = 64

#: The longest a reservation counts as in flight (``hold=None`` included), in seconds.
DEFAULT_MAX_HOLD: Final = 300.0

# The window rule of _window.py and the pacing of _arithmetic.py, run atomically inside Redis
# so every process sees one budget. Redis TIME is the clock, so the hosts' clocks never
# matter; times are whole microseconds (exact in a double), tokens printed with %.17g so a
# round trip through the hash loses nothing. Both keys share one hash tag (Redis Cluster).
_SCRIPT = """
-- KEYS[1]: hash {tokens, as_of} of the pacing bucket; as_of (µs) is ahead while paused.
-- KEYS[2]: sorted set of reservations: member 'f:<id>' in flight, scored send + hold;
--          'f:<id>' becomes 's:<id>', scored at its settle time, once settled.
-- KEYS[3]: hash {surprises}: 429s that came while fewer than limit were counted, and the
--          neighbour's share they taught {unseen, start, until, ends, hold} (µs; as
--          _neighbour.py: none before start, whole until until, then falling to none at ends).
-- ARGV: operation, rate (tokens/s), capacity, limit, per (s), then per operation:
--   take: tolerance (s), id, hold (s), want
--         -> {wait (s), blocked by an in-flight bound '1'|'0', granted}: up to want
--            reservations 'f:<id>:1' .. 'f:<id>:<granted>' in one round trip
--   settle: id; release: id; count  -> {'0', counted in the window}
--   pause: seconds, id -> {'1' if the 429 was a surprise else '0', counted before it}
if redis.replicate_commands then redis.replicate_commands() end
local bucket, window = KEYS[1], KEYS[2]
local operation = ARGV[1]
local rate, capacity = tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, per = tonumber(ARGV[4]), tonumber(ARGV[5]) * 1e6
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
redis.call('ZREMRANGEBYSCORE', window, '-inf', now - per)
local stored = redis.call('HMGET', bucket, 'tokens', 'as_of')
-- No key: a full bucket (the TTL below only lets a key lapse once it would be full).
local tokens = tonumber(stored[1]) or capacity
local as_of = tonumber(stored[2]) or now
if now > as_of then
  tokens = math.min(capacity, tokens + rate * (now - as_of) / 1e6)
  as_of = now
end
local function save()
  redis.call('HSET', bucket, 'tokens', string.format('%.17g', tokens),
             'as_of', string.format('%.17g', as_of))
  local full_in = (as_of - now) / 1e6 + math.max(0, capacity - tokens) / rate
  redis.call('PEXPIRE', bucket, math.ceil(full_in * 1000) + 1000)
  local last = redis.call('ZRANGE', window, -1, -1, 'WITHSCORES')
  if last[2] then
    redis.call('PEXPIRE', window, math.ceil((tonumber(last[2]) + per - now) / 1000) + 1000)
  end
end
local function fmt(x) return string.format('%.17g', x) end
-- The neighbour's share (_neighbour.py, line for line).
local stored_share = redis.call('HMGET', KEYS[3], 'unseen', 'start', 'until', 'ends', 'hold')
local s_unseen = tonumber(stored_share[1]) or 0
local s_start = tonumber(stored_share[2]) or math.huge
local s_until = tonumber(stored_share[3]) or -math.huge
local s_ends = tonumber(stored_share[4]) or -math.huge
local s_hold = tonumber(stored_share[5]) or 0
local function share_at(t)
  if t < s_start or t >= s_ends then return 0 end
  if t < s_until then return s_unseen end
  return s_unseen * (s_ends - t) / (s_ends - s_until)
end
local function share_below(level)
  if share_at(now) < level then return now end
  if level <= 0 then return math.huge end
  return math.max(now, s_ends - level / s_unseen * (s_ends - s_until)) + 1
end
if operation == 'take' then
  local tolerance, id, hold = tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8]) * 1e6
  local want = tonumber(ARGV[9])
  local counted = redis.call('ZCARD', window)
  local granted = 0
  local allowed = limit - share_at(now)
  while granted < want and counted < allowed do
    if (as_of - now) / 1e6 + math.max(0, 1 - tokens) / rate > tolerance then break end
    tokens = tokens - 1
    granted = granted + 1
    counted = counted + 1
    redis.call('ZADD', window, now + hold, 'f:' .. id .. ':' .. granted)
  end
  if granted > 0 then
    save()
    return {'0', '0', tostring(granted)}
  end
  local wait = (as_of - now) / 1e6 + math.max(0, 1 - tokens) / rate
  if counted >= allowed then
    -- Full: no tolerance (the window is the guarantee); the one that must slide out first.
    local index = math.floor(counted - allowed)
    local oldest = redis.call('ZRANGE', window, index, index, 'WITHSCORES')
    local window_wait = (tonumber(oldest[2]) + per - now) / 1e6
    local blocked = '0'
    if string.sub(oldest[1], 1, 2) == 'f:' then blocked = '1' end
    if allowed < limit then
      -- The share may fall far enough before that request leaves the window.
      local falls = (share_below(limit - counted) - now) / 1e6
      if falls < window_wait then window_wait, blocked = falls, '0' end
    end
    if window_wait > wait then
      return {fmt(window_wait), blocked, '0'}
    end
  end
  return {fmt(wait), '0', '0'}
elseif operation == 'settle' then
  local id = ARGV[6]
  redis.call('ZREM', window, 'f:' .. id)
  -- Added even if its bound had lapsed: the answer time is the truth, and later is safe.
  redis.call('ZADD', window, now, 's:' .. id)
  save()
elseif operation == 'release' then
  if redis.call('ZREM', window, 'f:' .. ARGV[6]) == 1 then
    local cap = capacity
    if as_of > now then cap = math.min(1, capacity) end
    tokens = math.min(cap, tokens + 1)
    save()
  end
elseif operation == 'pause' then
  local pause_end = now + tonumber(ARGV[6]) * 1e6
  local counted = redis.call('ZCARD', window)
  local surprise = '0'
  if counted < limit then
    -- The server counts requests this key never saw: count the window as full, the unseen
    -- ones at now after a pause, spread over the last window after a 429 with none; at most
    -- 10,000 of them (as TokenBucket does).
    surprise = '1'
    -- The share it teaches (_neighbour.learn; two more unseen than the count shows, as
    -- Budget.fill says why).
    local unseen = limit - counted + 2
    local hold = 0
    if now < s_ends + per then
      unseen = math.max(unseen, math.floor(s_unseen + 0.5))
      hold = math.min(math.max(per, 2 * s_hold), 16 * per)
    end
    unseen = math.min(unseen, limit - 1)
    local start = now + per
    redis.call('HSET', KEYS[3], 'unseen', fmt(unseen), 'start', fmt(start),
               'until', fmt(start + hold), 'ends', fmt(start + hold + 0.25 * per),
               'hold', fmt(hold))
    local missing = math.min(limit - counted, 10000)
    local step = 0
    if tonumber(ARGV[6]) <= 0 then step = per / missing end
    for i = 1, missing do
      local at = now - step * (missing - i)
      redis.call('ZADD', window, math.floor(at), 's:n:' .. ARGV[7] .. ':' .. i)
    end
    redis.call('HINCRBY', KEYS[3], 'surprises', 1)
    redis.call('PEXPIRE', KEYS[3], 86400000)
  end
  if pause_end > as_of then
    tokens = math.min(1, capacity, tokens + rate * (pause_end - as_of) / 1e6)
    as_of = pause_end
  end
  save()
  return {surprise, tostring(counted)}
elseif operation == 'surprises' then
  return {'0', tostring(redis.call('HGET', KEYS[3], 'surprises') or 0)}
elseif operation ~= 'count' then
  return redis.error_reply('unknown operation ' .. tostring(operation))
end
return {'0', tostring(redis.call('ZCARD', window))}
"""

_MISSING_REDIS = (
    "RedisRateLimiter needs the redis package; install it with: pip install 'lucidgreen[redis]'"
)


def _redis_module() -> Any:
    try:
        import redis.asyncio
    except ImportError as exc:
        raise ImportError(_MISSING_REDIS, name=exc.name) from exc
    return redis.asyncio


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions

    return (redis.exceptions.RedisError, OSError, TimeoutError)


def _describe(client: Redis) -> str:
    """Where the client connects, without credentials."""
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix:{kwargs['path']}"
    return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"


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
        "_client",
        "_closed",
        "_failure",
        "_key",
        "_keys",
        "_leases",
        "_max_hold",
        "_name",
        "_owns_client",
        "_pacing",
        "_paused_until",
        "_prefix",
        "_script",
        "_seq",
        "_sleep",
        "_timeout",
        "_turn",
        "_unreachable",
        "_wake",
        "_warned",
        "_where",
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
        module = _redis_module()
        if not key:
            raise ValueError("key must be a non-empty string")
        if not (timeout > 0 and connect_timeout > 0):
            raise ValueError("timeout and connect_timeout must be > 0 seconds")
        if not (math.isfinite(max_hold) and max_hold > 0):
            raise ValueError(f"max_hold must be a finite number of seconds > 0, not {max_hold!r}")
        self._pacing = Pacing.for_limit(limit, per, burst)
        if isinstance(redis, str):
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            client: Redis = module.Redis.from_url(
                redis,
                socket_connect_timeout=connect_timeout,
                socket_timeout=timeout,
                # One immediate retry covers a connection the server dropped while idle;
                # anything slower is the caller's retry policy's business.
                retry=Retry(NoBackoff(), 1),
            )
            self._owns_client = True
        else:
            client = redis
            self._owns_client = False
        self._client = client
        self._script = client.register_script(_SCRIPT)
        self._key = key
        # Identical "{key}" prefixes give both keys the same Cluster hash tag.
        self._keys = [f"{{{key}}}:bucket", f"{{{key}}}:window", f"{{{key}}}:stats"]
        self._max_hold = float(max_hold)
        self._timeout = float(timeout)
        self._sleep = sleep
        self._name = name
        self._where = _describe(client)
        self._unreachable = _unreachable_errors()
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
        # Permits the head took from Redis for the waiters behind it: (reservation, hold).
        self._leases: deque[tuple[str, float]] = deque()

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
        queued = await self._queue_up(max_wait)
        try:
            self._raise_if_failed_since(started)
            reservation = self._leased(hold)
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
                self._return_leases()
        # A lone round trip to Redis is not waiting for the budget.
        waited = max(0.0, time.monotonic() - started) if queued else 0.0
        return _RedisPermit(self, reservation, waited)

    async def _queue_up(self, max_wait: float | None) -> bool:
        """Wait for the turn (True if another task held it); shed at once when this place in
        the queue makes ``max_wait`` impossible, and leave when it passes or a pause dooms it.

        Only this process's queue and pauses are known here, so the bound is the best case of
        the shared budget (:func:`~lucidgreen.ratelimit._arithmetic.queue_floor`).
        """
        if max_wait is not None:
            expected = self._least_wait(self._turn.waiting)
            if expected > max_wait:
                raise deadline_exceeded(self, max_wait, expected)
        try:
            return await self._turn.enter(max_wait)
        except Shed as shed:
            raise deadline_exceeded(self, max_wait or 0.0, shed.retry_after) from None
        except TimeoutError:
            expected = self._least_wait(self._turn.waiting)
            raise deadline_exceeded(self, max_wait or 0.0, expected) from None

    def _least_wait(self, ahead: int) -> float:
        paused = max(0.0, self._paused_until - time.monotonic())
        return queue_floor(self._pacing, ahead, paused)

    def _leased(self, hold: float) -> str | None:
        """A permit the previous head leased for this waiter, if it covers ``hold``."""
        while self._leases:
            reservation, leased_hold = self._leases.popleft()
            if leased_hold >= hold:
                return reservation
            self._in_background(self._finish("release", reservation))
        return None

    def _return_leases(self) -> None:
        """Nobody is left to use the leased permits (their waiters were cancelled)."""
        while self._leases:
            reservation, _ = self._leases.popleft()
            self._in_background(self._finish("release", reservation))

    async def _nap(self, seconds: float, blocked: bool) -> None:
        """The head waits ``seconds``, or until one of this process's settles may help."""
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        self._wake, self._blocked = woken, blocked
        timer: asyncio.TimerHandle | None = None
        sleeper: asyncio.Future[object] | None = None
        if self._sleep is None:
            timer = loop.call_later(seconds, wake, woken)
        else:
            sleeper = asyncio.ensure_future(self._sleep(seconds))
            sleeper.add_done_callback(lambda _: wake(woken))
        try:
            await woken
        finally:
            self._wake, self._blocked = None, False
            if timer is not None:
                timer.cancel()
            if sleeper is not None:
                sleeper.cancel()

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
        if self._owns_client and not self._closed:
            self._closed = True
            await self._client.aclose()

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
        except self._unreachable as exc:
            raise RateLimiterUnavailable(
                f"rate limiter {self._key!r} could not use Redis at {self._where} "
                f"within {self._timeout:g} s: {type(exc).__name__}: {exc}"
            ) from exc
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
        self._leases.extend((f"{base}:{i}", hold) for i in range(2, granted + 1))
        return f"{base}:1", 0.0, False

    def _release_if_taken(self, call: asyncio.Future[tuple[float, int, int]], base: str) -> None:
        if call.cancelled() or call.exception() is not None:
            return
        for i in range(1, call.result()[2] + 1):
            self._in_background(self._finish("release", f"{base}:{i}"))

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

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
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
