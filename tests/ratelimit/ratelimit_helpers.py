"""Helpers of the rate-limiter tests (the shared ones live in ``tests/support.py``)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def min_span(times: Sequence[float], count: int) -> float:
    """The shortest time covered by ``count + 1`` consecutive grants (inf if there are fewer)."""
    ordered = sorted(times)
    spans = [ordered[i + count] - ordered[i] for i in range(len(ordered) - count)]
    return min(spans, default=math.inf)
