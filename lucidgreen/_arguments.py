"""The client's arguments of the wrong kind or value, refused before anything is built, each
error naming the argument (``rate_limiter=5`` fails here, not later with AttributeError)."""

from __future__ import annotations

import enum
from typing import Any, Final

from . import _config
from ._events import Hooks
from .ratelimit import RateLimiter
from .retry import RetryPolicy

__all__ = ["UNSET", "Unset", "check_client_arguments", "checked"]


class Unset(enum.Enum):
    """Marks an argument the caller did not pass (``with_options(timeout=None)`` is no bound)."""

    UNSET = enum.auto()


UNSET: Final = Unset.UNSET


def checked(value: object, kind: type, name: str) -> None:
    """Refuse ``value`` unless it is None or an instance of ``kind``."""
    # A class passes a runtime protocol check (its methods are there): it must be an instance.
    if value is not None and (isinstance(value, type) or not isinstance(value, kind)):
        shown = value.__name__ if isinstance(value, type) else type(value).__name__
        raise TypeError(f"{name}= must be a {kind.__name__} instance, not {shown}")


def check_client_arguments(
    *,
    rate_limiter: object,
    retry: object,
    hooks: object,
    session: Any,
    transport: Any,
    api_version: str | None,
    max_connections: int,
) -> None:
    """Refuse what a client's constructor cannot use, naming the argument."""
    checked(rate_limiter, RateLimiter, "rate_limiter")
    checked(retry, RetryPolicy, "retry")
    checked(hooks, Hooks, "hooks")
    if session is not None and transport is not None:
        raise ValueError("pass either session= or transport=, not both")
    if api_version is not None and not _config.is_api_version(api_version):
        raise ValueError(f"api_version must look like 'v1.5', not {api_version!r}")
    if isinstance(max_connections, bool) or not isinstance(max_connections, int):
        raise TypeError(f"max_connections must be an int, not {max_connections!r}")
    if max_connections < 1:
        raise ValueError(f"max_connections must be >= 1, not {max_connections!r}")
