"""A caller's query parameters (``client.request(params=)``, ``list(extra_query=)``) as
the pairs sent: written the way DRF filters read them, or a typed error naming the one
that cannot be sent, before anything is sent."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["PAGER_OWNED", "query"]

# The pager writes these itself from the ``next`` links: a caller's value would fight it.
PAGER_OWNED = frozenset({"page"})


def _query_value(key: str, value: object) -> str:
    if isinstance(value, bool):  # before int: True is an int
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    raise TypeError(
        f"query parameter {key!r} must be a str, int, finite float or bool, "
        f"got {type(value).__name__}"
    )


def query(
    values: Mapping[Any, object] | None, *, reserved: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """``values`` as query pairs (``None`` values left out; a list or tuple repeats its key),
    or a typed error naming the one that cannot be sent (keys are checked at run time:
    untyped callers pass anything)."""
    if values is None:
        return []
    if not isinstance(values, Mapping):
        raise TypeError(f"query parameters must be a mapping, got {type(values).__name__}")
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"a query parameter name must be a non-empty str, got {key!r}")
        if key in reserved:
            raise ValueError(
                f"the query parameter {key!r} is set by the SDK (resume with resume_from=)"
            )
        if value is None:
            continue
        items = value if isinstance(value, list | tuple) else (value,)
        pairs += [(key, _query_value(key, item)) for item in items]
    return pairs
