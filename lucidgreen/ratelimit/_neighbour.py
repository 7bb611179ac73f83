"""What an unexpected 429 teaches about a neighbour the limiter never sees, with no clock.

A *surprise* (a 429 while the ledger counts fewer than ``limit``) says the server holds
``unseen`` requests this budget did not send. The ledger's fill covers the window of the 429
(``Ledger.fill``); this module covers what comes after it, when the limiter would otherwise
return to its own count:

- It keeps the lesson as a *share*: after the fill has left the window, the budget admits
  ``limit - share`` per window, as beside a neighbour that keeps spending ``unseen``.
- The share is given back gradually (linearly over :data:`DECAY_WINDOWS` of a window), so
  a neighbour that has stopped costs little, and one that has not is met by one request at
  the edge rather than by a burst.
- A surprise while a share is being given back (or within a window after) is a *repeat*:
  the neighbour is still there. The next share is then held whole for a window, and each
  further repeat doubles the hold (up to :data:`MAX_HOLD_WINDOWS`), so a steady neighbour
  is probed ever more rarely: one lone 429 after 1, 2, 4, ... windows, never a wave.

Only 429s reveal a neighbour (no header tells what the server counts), so a limiter cannot
tell a neighbour that stopped from one that keeps its share without sending past that share:
zero 429s beside a steady neighbour and the whole limit back after a one-off burst cannot
both hold. This is the trade: the whole limit back a quarter window after a burst has left,
and one probe per doubling hold beside a steady neighbour.

``_redis.py``'s Lua script ports :func:`share_at`, :func:`learn` and :func:`share_below`.
"""

from __future__ import annotations

import math
from typing import Final, NamedTuple

__all__ = ["DECAY_WINDOWS", "MAX_HOLD_WINDOWS", "NO_SHARE", "Share", "learn", "share_at"]

#: A share is given back linearly over this many windows once its hold ends.
DECAY_WINDOWS: Final = 0.25
#: The longest hold of a share, in windows (16 minutes on LucidGreen's minute).
MAX_HOLD_WINDOWS: Final = 16.0


class Share(NamedTuple):
    """``unseen`` requests per window kept for a neighbour: none before ``start`` (the
    fill covers that window), all of them until ``until``, then fewer, linearly, to none at
    ``ends``. ``hold`` is ``until - start``, which the next repeat doubles."""

    unseen: float
    start: float
    until: float
    ends: float
    hold: float


#: No neighbour known.
NO_SHARE: Final = Share(0.0, math.inf, -math.inf, -math.inf, 0.0)


def share_at(share: Share, now: float) -> float:
    """The requests per window kept for the neighbour at ``now``."""
    if now < share.start or now >= share.ends:
        return 0.0
    if now < share.until:
        return share.unseen
    return share.unseen * (share.ends - now) / (share.ends - share.until)


def learn(share: Share, now: float, unseen: int, limit: int, per: float) -> Share:
    """The share after a surprise at ``now`` that showed ``unseen`` requests the ledger never
    saw (kept below ``limit``, so one request a window still probes). A repeat keeps the
    larger of the two lessons: the neighbour is still there, and one count is one sample."""
    repeat = now < share.ends + per
    if repeat:
        unseen = max(unseen, round(share.unseen))
    hold = min(max(per, 2.0 * share.hold), MAX_HOLD_WINDOWS * per) if repeat else 0.0
    start = now + per
    until = start + hold
    return Share(float(min(unseen, limit - 1)), start, until, until + DECAY_WINDOWS * per, hold)


def share_below(share: Share, now: float, level: float) -> float:
    """The earliest time from ``now`` on at which the share is below ``level``; ``inf`` when
    it never is (``level <= 0``)."""
    if share_at(share, now) < level:
        return now
    if level <= 0:
        return math.inf
    # Here now lies in [start, ends) and the share only falls from now on: it equals
    # ``level`` once on the way down, and is below it just after.
    at = share.ends - level / share.unseen * (share.ends - share.until)
    return max(now, at) + math.ulp(at)
