"""One rate-limit budget shared by every process and host that uses the same Redis key."""

from __future__ import annotations

import asyncio
import logging
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._arithmetic import DEFAULT_UTILIZATION, EARLY_TOLERANCE, SOURCE_LIMIT, Sizing
from ._bucket import FifoTurn, Sleep, check_pause_seconds
from ._protocol import RateLimiterUnavailable

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisRateLimiter"]

logger = logging.getLogger("lucidgreen.ratelimit")

# A port of take / pause / give_back from _arithmetic.py, run atomically inside Redis so
# every process sees one bucket. Redis TIME is the clock, so the hosts' clocks never matter;
# times are kept in whole microseconds (exact in a double), tokens printed with %.17g so a
# round trip through the hash loses nothing.
_SCRIPT = """
-- KEYS[1]: hash {tokens, as_of}; as_of (µs of Redis TIME) is in the future while paused.
-- ARGV: operation ('take' | 'pause' | 'give_back'), rate (tokens/s), capacity (tokens),
--       argument (take: early tolerance in s; pause: its length in s; give_back: unused).
-- Returns, as a string, the seconds to wait ('0' when a token was taken or for other ops).
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local operation = ARGV[1]
local rate = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local argument = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local stored = redis.call('HMGET', key, 'tokens', 'as_of')
-- No key: a full bucket (the TTL below only lets a key lapse once it would be full).
local tokens = tonumber(stored[1]) or capacity
local as_of = tonumber(stored[2]) or now
if now > as_of then
  tokens = math.min(capacity, tokens + rate * (now - as_of) / 1e6)
  as_of = now
end
if operation == 'take' then
  local wait = (as_of - now) / 1e6 + math.max(0, 1 - tokens) / rate
  if wait > argument then
    return string.format('%.17g', wait)
  end
  tokens = tokens - 1
elseif operation == 'pause' then
  local pause_end = now + argument * 1e6
  if not (pause_end > as_of) then
    return '0'
  end
  tokens = math.min(1, capacity, tokens + rate * (pause_end - as_of) / 1e6)
  as_of = pause_end
elseif operation == 'give_back' then
  local cap = capacity
  if as_of > now then cap = math.min(1, capacity) end
  tokens = math.min(cap, tokens + 1)
else
  return redis.error_reply('unknown operation ' .. tostring(operation))
end
redis.call('HSET', key, 'tokens', string.format('%.17g', tokens),
           'as_of', string.format('%.17g', as_of))
local full_in = (as_of - now) / 1e6 + math.max(0, capacity - tokens) / rate
redis.call('PEXPIRE', key, math.ceil(full_in * 1000) + 1000)
return '0'
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


class RedisRateLimiter:
    """A :class:`~lucidgreen.ratelimit.TokenBucket` whose state lives in Redis.

    Every process and host that uses the same Redis and ``key`` (and the same ``limit``,
    ``per``, ``utilization`` and ``burst``) shares one budget, sized exactly like
    ``TokenBucket``. One Lua script takes a token or answers how long to wait, using Redis's
    own clock; a 429 pause is stored in Redis, so every process pauses. Inside a process,
    waiters queue in arrival order and only the head talks to Redis. The key expires once
    the bucket would be full again, so nothing lingers.

    .. code-block:: python

        limiter = RedisRateLimiter("redis://cache:6379/0", "lucidgreen:retail:my-client-id",
                                   limit=1000)
        async with lucidgreen.RetailClient(..., rate_limiter=limiter) as retail:
            ...
        await limiter.aclose()

    :param redis: a ``redis://`` / ``rediss://`` / ``unix://`` URL, or a
        ``redis.asyncio.Redis`` client (which stays yours to close).
    :param key: the Redis key holding the bucket; one per budget (product and credentials).
    :param connect_timeout: seconds to open a connection (URL only).
    :param timeout: the most one Redis round trip may take, connecting included. Past it,
        or on any Redis error, :meth:`acquire` and :meth:`pause` raise
        :class:`~lucidgreen.ratelimit.RateLimiterUnavailable`; they never hang. Waiters that
        queued before such a failure get the same error at once rather than each waiting out
        its own timeout.

    A waiter cancelled while its request to Redis is in flight gives back the token if the
    script granted one, so cancellation takes nothing here either. The client's connections
    belong to one event loop: use the limiter from that loop only.
    """

    __slots__ = (
        "_background",
        "_client",
        "_closed",
        "_failure",
        "_key",
        "_name",
        "_owns_client",
        "_script",
        "_sizing",
        "_sleep",
        "_timeout",
        "_turn",
        "_unreachable",
        "_where",
    )

    def __init__(
        self,
        redis: Redis | str,
        key: str,
        *,
        limit: int = SOURCE_LIMIT,
        per: float = 60.0,
        utilization: float = DEFAULT_UTILIZATION,
        burst: int | None = None,
        connect_timeout: float = 2.0,
        timeout: float = 5.0,
        sleep: Sleep = asyncio.sleep,
        name: str = "",
    ) -> None:
        module = _redis_module()
        if not key:
            raise ValueError("key must be a non-empty string")
        if not (timeout > 0 and connect_timeout > 0):
            raise ValueError("timeout and connect_timeout must be > 0 seconds")
        self._sizing = Sizing.for_limit(limit, per, utilization=utilization, burst=burst)
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
        self._timeout = float(timeout)
        self._sleep = sleep
        self._name = name
        self._where = _describe(client)
        self._unreachable = _unreachable_errors()
        self._turn = FifoTurn(owner=f"RedisRateLimiter(key={key!r})")
        self._failure: tuple[float, RateLimiterUnavailable] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def sizing(self) -> Sizing:
        """The limit, window, rate and capacity this limiter enforces."""
        return self._sizing

    @property
    def key(self) -> str:
        return self._key

    @property
    def waiting(self) -> int:
        """Tasks of this process currently waiting in :meth:`acquire`."""
        return self._turn.waiting

    async def acquire(self) -> float:
        """Wait until one request may be sent; return the seconds spent waiting.

        The wait counts time queued behind other tasks and asleep for a token; 0.0 means
        neither happened (the round trip to Redis alone is not reported as waiting).
        Raises :class:`~lucidgreen.ratelimit.RateLimiterUnavailable` if Redis fails.
        """
        started = time.monotonic()
        waited = await self._turn.enter()
        try:
            self._raise_if_failed_since(started)
            while True:
                wait = await self._take()
                if wait == 0.0:
                    break
                waited = True
                await self._sleep(wait)
        finally:
            self._turn.leave()
        # A lone round trip to Redis is not waiting for the budget.
        return max(0.0, time.monotonic() - started) if waited else 0.0

    async def pause(self, seconds: float) -> None:
        """Hold every acquire, in every process on this key, until ``seconds`` from now."""
        seconds = check_pause_seconds(seconds)
        if seconds > 0:
            await self._run("pause", seconds)
            logger.debug("%r paused for %.3f s", self, seconds)

    async def aclose(self) -> None:
        """Finish giving back tokens of cancelled waiters, then close a client we created."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._owns_client and not self._closed:
            self._closed = True
            await self._client.aclose()

    async def __aenter__(self) -> RedisRateLimiter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self, operation: str, argument: float) -> float:
        """One atomic script call, bounded by ``timeout``."""
        s = self._sizing
        args = [operation, repr(s.rate), repr(s.capacity), repr(argument)]
        try:
            async with asyncio.timeout(self._timeout):
                reply = await self._script(keys=[self._key], args=args)
        except self._unreachable as exc:
            raise RateLimiterUnavailable(
                f"rate limiter {self._key!r} could not use Redis at {self._where} "
                f"within {self._timeout:g} s: {type(exc).__name__}: {exc}"
            ) from exc
        return float(reply)

    async def _take(self) -> float:
        # Shielded: if the waiter is cancelled mid-flight, the script call still finishes
        # and we learn whether it took a token, which we then give back.
        call = asyncio.ensure_future(self._run("take", EARLY_TOLERANCE))
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:
            call.add_done_callback(self._give_back_if_taken)
            raise
        except RateLimiterUnavailable as exc:
            self._failure = (time.monotonic(), exc)
            raise

    def _give_back_if_taken(self, call: asyncio.Future[float]) -> None:
        if call.cancelled() or call.exception() is not None or call.result() != 0.0:
            return
        task = asyncio.ensure_future(self._give_back())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _give_back(self) -> None:
        try:
            await self._run("give_back", 0.0)
        except RateLimiterUnavailable as exc:
            # Safe to lose: an unused token only leaves the budget slightly underused.
            logger.debug("could not give back a cancelled waiter's token: %s", exc)

    def _raise_if_failed_since(self, started: float) -> None:
        """Fail at once if Redis failed while this waiter was queued."""
        if self._failure is not None and self._failure[0] >= started:
            failure = self._failure[1]
            raise RateLimiterUnavailable(str(failure)) from failure.__cause__

    def __repr__(self) -> str:
        s = self._sizing
        parts = [f"name={self._name!r}"] if self._name else []
        parts += [
            f"key={self._key!r}",
            f"limit={s.limit}",
            f"per={s.per:g}",
            f"utilization={s.utilization:g}",
            f"burst={s.burst}",
        ]
        if self._turn.waiting:
            parts.append(f"waiting={self._turn.waiting}")
        return f"RedisRateLimiter({', '.join(parts)})"
