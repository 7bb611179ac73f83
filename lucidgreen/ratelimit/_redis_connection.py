"""The Redis side of a :class:`~lucidgreen.ratelimit.RedisRateLimiter`: the optional
``redis`` package, the client it connects with, and how a failure of Redis is told."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._protocol import RateLimiterUnavailable

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Connection", "connect", "require_redis"]

_MISSING_REDIS = (
    "RedisRateLimiter needs the redis package; install it with: pip install 'lucidgreen[redis]'"
)


def require_redis() -> Any:
    """``redis.asyncio``, or an ImportError that says how to install it."""
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


class Connection:
    """A Redis client, whether the limiter made it (and so closes it), where it connects, and
    the errors that mean Redis could not be used."""

    __slots__ = ("client", "owned", "unreachable", "where")

    def __init__(self, client: Redis, *, owned: bool) -> None:
        self.client = client
        self.owned = owned
        self.where = _describe(client)
        self.unreachable = _unreachable_errors()

    def unavailable(self, key: str, timeout: float, exc: BaseException) -> RateLimiterUnavailable:
        """The error for a round trip on the budget ``key`` that failed with ``exc``."""
        return RateLimiterUnavailable(
            f"rate limiter {key!r} could not use Redis at {self.where} "
            f"within {timeout:g} s: {type(exc).__name__}: {exc}"
        )


def connect(
    module: Any, redis: Redis | str, *, connect_timeout: float, timeout: float
) -> Connection:
    """The client for a ``redis://`` / ``rediss://`` / ``unix://`` URL (made here with
    ``module``, from :func:`require_redis`), or the ``redis.asyncio.Redis`` client given
    (which stays the caller's to close)."""
    if not isinstance(redis, str):
        return Connection(redis, owned=False)
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    client: Redis = module.Redis.from_url(
        redis,
        socket_connect_timeout=connect_timeout,
        socket_timeout=timeout,
        # One immediate retry covers a connection the server dropped while idle; anything
        # slower is the caller's retry policy's business.
        retry=Retry(NoBackoff(), 1),
    )
    return Connection(client, owned=True)
