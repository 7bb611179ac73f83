"""The client's arguments of the wrong kind or value, refused before anything is built, each
error naming the argument (``rate_limiter=5`` fails here, not later with AttributeError)."""

from __future__ import annotations

import enum
from typing import Final

from . import _config

__all__ = ["UNSET", "Unset", "check_api_version_and_connections", "checked"]


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


def check_api_version_and_connections(api_version: str | None, max_connections: int) -> None:
    """Refuse an ``api_version`` that is no version, a ``max_connections`` that is no count."""
    if api_version is not None and not _config.is_api_version(api_version):
        raise ValueError(f"api_version must look like 'v1.5', not {api_version!r}")
    if isinstance(max_connections, bool) or not isinstance(max_connections, int):
        raise TypeError(f"max_connections must be an int, not {max_connections!r}")
    if max_connections < 1:
        raise ValueError(f"max_connections must be >= 1, not {max_connections!r}")
