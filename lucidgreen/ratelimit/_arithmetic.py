"""Token-bucket pacing arithmetic, with no clock and no event loop.

Every function takes the current time ``now`` and returns a new, immutable state; the
limiters read their clock, apply these functions, and sleep. The Lua script in ``_redis.py``
ports :func:`take`, :func:`pause` and :func:`give_back` line for line.

The bucket is not what keeps the server's window from overflowing: the window ledger of
``_window.py`` does that exactly. The bucket paces: it refills at ``limit / per`` (the
server's own average rate) and holds at most ``burst`` tokens, so after an idle spell
``burst`` requests leave at once and the rest follow evenly instead of the whole window's
budget leaving in the first instant. Its capacity has ``rate * timer_slack`` on top of
``burst``: a waiter that the event loop wakes late (timers fire on whole milliseconds, a
busy loop stalls) keeps the credit it accrued meanwhile, so lateness does not eat into
throughput.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import attrs

__all__ = [
    "DEFAULT_BURST_DIVISOR",
    "EARLY_TOLERANCE",
    "BucketState",
    "Pacing",
    "default_burst",
    "give_back",
    "pause",
    "paused_for",
    "queue_floor",
    "refill",
    "take",
    "tokens_at",
]

#: The default ``burst`` is ``limit`` divided by this (at least 1): a tenth of the window's
#: budget may leave back to back after an idle spell (6 for LucidSource's 60 a minute, 100
#: for LucidRetail's 1000). Short scripts start without waiting; the window ledger still
#: keeps every window at ``limit``, so a larger burst never risks a 429.
DEFAULT_BURST_DIVISOR = 10

#: ``timer_slack`` is ``per`` divided by this: 0.1 s for a minute, 2.5 ms for 1.5 s.
SLACK_DIVISOR = 600.0
#: A token (or a window slot) is handed out if it would be ready within this many seconds.
#: Without it a fake clock that advances by exactly the computed wait could land a rounding
#: error short forever.
EARLY_TOLERANCE = 1e-6


def default_burst(limit: int) -> int:
    return max(1, limit // DEFAULT_BURST_DIVISOR)


#: The bounds of ``limit`` and ``per``: past them the refill rate ``limit / per`` is no
#: longer a usable float (``10**400`` overflows, ``1 / 5e-324`` is infinite), and no API's
#: limit is counted in more requests, or in windows shorter than a timer tick.
MAX_LIMIT = 10**12
MIN_PER = 1e-3


def check_limit(value: int) -> int:
    if type(value) is not int or value < 1:  # bool is an int subclass: refused too
        raise ValueError(f"limit must be a whole number of requests >= 1, not {value!r}")
    if value > MAX_LIMIT:  # not quoted: 10**5000 has no repr
        raise ValueError(f"limit must be at most {MAX_LIMIT:_} requests")
    return value


def check_per(value: float) -> float:
    try:
        value = float(value)
    except OverflowError:  # an int too large for a float
        value = math.inf
    if not (math.isfinite(value) and value >= MIN_PER):
        raise ValueError(f"per must be a finite number of seconds >= {MIN_PER:g}, not {value!r}")
    return value


@attrs.frozen
class Pacing:
    """A bucket refilling at ``limit / per`` tokens a second, holding ``capacity``."""

    limit: int
    per: float
    burst: int
    rate: float
    capacity: float

    @classmethod
    def for_limit(cls, limit: int, per: float, burst: int | None = None) -> Pacing:
        """``burst=None`` means :func:`default_burst`; a burst may not exceed ``limit``."""
        limit, per = check_limit(limit), check_per(per)
        burst = default_burst(limit) if burst is None else burst
        if type(burst) is not int or not 1 <= burst <= limit:
            raise ValueError(f"burst must be a whole number in [1, {limit}], not {burst!r}")
        rate = limit / per
        return cls(limit, per, burst, rate, burst + rate * per / SLACK_DIVISOR)


class BucketState(NamedTuple):
    """``tokens`` in the bucket at time ``as_of``.

    ``as_of`` lies in the future while the bucket is paused: nothing may be taken before it,
    and ``tokens`` is what the bucket will hold when the pause ends. (A named tuple: one is
    made per acquire, and a tuple is the cheapest immutable record to make.)
    """

    tokens: float
    as_of: float

    @classmethod
    def full(cls, pacing: Pacing, now: float) -> BucketState:
        return cls(tokens=pacing.capacity, as_of=now)


def refill(pacing: Pacing, state: BucketState, now: float) -> BucketState:
    """The state at ``now``: tokens added since ``as_of``, up to the capacity."""
    if now <= state.as_of:
        # Paused (as_of ahead of now), or a clock that did not move: nothing to add.
        return state
    tokens = min(pacing.capacity, state.tokens + pacing.rate * (now - state.as_of))
    return BucketState(tokens=tokens, as_of=now)


def wait_for_token(pacing: Pacing, state: BucketState, now: float) -> float:
    """Seconds until one token is there (<= 0 when it is); ``state`` refilled to ``now``."""
    return state.as_of + max(0.0, 1.0 - state.tokens) / pacing.rate - now


def take(pacing: Pacing, state: BucketState, now: float) -> tuple[BucketState, float]:
    """Take one token at ``now``: ``(new_state, 0.0)``, or ``(state, seconds_to_wait)``.

    When the answer is a wait, nothing was taken and asking again after that many seconds
    succeeds, unless a pause was added meanwhile.
    """
    state = refill(pacing, state, now)
    wait = wait_for_token(pacing, state, now)
    if wait > EARLY_TOLERANCE:
        return state, wait
    # Tokens may dip a rounding error below zero; keeping the debt (not clamping it) means
    # the early tolerance never accumulates from one take to the next.
    return BucketState(tokens=state.tokens - 1.0, as_of=state.as_of), 0.0


def pause(pacing: Pacing, state: BucketState, now: float, seconds: float) -> BucketState:
    """Let nothing be taken until ``now + seconds``; an existing longer pause stays.

    When the pause ends the bucket holds at most one token, whatever it would have gained:
    after a 429 the server's window is full, so requests resume at the steady rate rather
    than in a burst.
    """
    state = refill(pacing, state, now)
    until = now + seconds
    if not until > state.as_of:  # also refuses NaN
        return state
    tokens_then = state.tokens + pacing.rate * (until - state.as_of)
    return BucketState(tokens=min(1.0, pacing.capacity, tokens_then), as_of=until)


def give_back(pacing: Pacing, state: BucketState, now: float) -> BucketState:
    """Return a token that was taken but never used (nothing was sent).

    Capped at the capacity, and at one token while paused, so the bucket never holds more
    than it would have had the token never been taken.
    """
    state = refill(pacing, state, now)
    cap = min(1.0, pacing.capacity) if state.as_of > now else pacing.capacity
    return BucketState(tokens=min(cap, state.tokens + 1.0), as_of=state.as_of)


def tokens_at(pacing: Pacing, state: BucketState, now: float) -> float:
    """Tokens available at ``now``: 0 while paused."""
    if state.as_of > now:
        return 0.0
    return max(0.0, refill(pacing, state, now).tokens)


def paused_for(state: BucketState, now: float) -> float:
    """Seconds until the current pause ends; 0 when not paused."""
    return max(0.0, state.as_of - now)


def queue_floor(pacing: Pacing, ahead: int, paused_for: float = 0.0) -> float:
    """A lower bound on the wait of a request behind ``ahead`` waiters that all leave first,
    knowing nothing of a shared budget but a pause of ``paused_for`` seconds: at best the
    bucket is full (one token once a pause ends) and the window empty, so ``ahead + 1``
    tokens take what the bucket lacks at the refill rate, and each ``limit`` of them hold
    the next ones back a whole window."""
    tokens = min(1.0, pacing.capacity) if paused_for > 0 else pacing.capacity
    bucket = max(0.0, paused_for) + max(0.0, ahead + 1.0 - tokens) / pacing.rate
    return max(bucket, pacing.per * (ahead // pacing.limit))
