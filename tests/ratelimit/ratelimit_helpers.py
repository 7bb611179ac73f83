"""Helpers shared by the rate-limiter tests: sliding-window counts and a free port."""

from __future__ import annotations

import math
import socket
from collections.abc import Sequence


def max_in_window(times: Sequence[float], window: float) -> int:
    """The most grants in any half-open window ``(t - window, t]``, as DRF's throttle counts."""
    ordered = sorted(times)
    most = 0
    first = 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def min_span(times: Sequence[float], count: int) -> float:
    """The shortest time covered by ``count + 1`` consecutive grants (inf if there are fewer)."""
    ordered = sorted(times)
    spans = [ordered[i + count] - ordered[i] for i in range(len(ordered) - count)]
    return min(spans, default=math.inf)


def sustained_share(times: Sequence[float], limit: int, per: float) -> float:
    """The grant rate between the first and last grant, as a share of ``limit / per``."""
    ordered = sorted(times)
    rate = (len(ordered) - 1) / (ordered[-1] - ordered[0])
    return rate * per / limit


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
