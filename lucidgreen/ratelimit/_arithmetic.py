"""Token-bucket arithmetic, with no clock and no event loop.

Every function takes the current time ``now`` as an argument and returns a new, immutable
state; the async limiters only read their clock, apply these functions, and sleep. The Lua
script in ``_redis.py`` is a line-for-line port of :func:`take`, :func:`pause` and
:func:`give_back`.

Sizing for a server's sliding window
------------------------------------
LucidGreen throttles like Django REST Framework's ``SimpleRateThrottle``: it keeps the
timestamps of the requests it accepted in the last ``per`` seconds and refuses a request when
``limit`` of them are already there. So every half-open window ``(t - per, t]`` *as the server
sees it* must hold at most ``limit`` requests.

A token bucket with capacity ``C`` and refill rate ``r`` lets ``N`` requests through at times
``t_1 <= ... <= t_N`` only if ``N <= C + r * (t_N - t_1)``: the bucket held at most ``C`` when
the first went, and gained ``r * (t_N - t_1)`` since. Hence ``limit + 1`` requests always span
at least ``(limit + 1 - C) / r`` seconds. We choose ``r`` so that this span is ``per / u``
(``u`` = ``utilization``, default 0.98)::

    r = u * (limit + 1 - C) / per

Then no window of ``per / u`` seconds holds more than ``limit`` requests. That is ``per / u -
per`` seconds longer than the server's window (1.22 s for a 60 s window at 0.98), so requests
may reach the server up to that much earlier or later than they left (network jitter, a slow
connection) and the server still never sees ``limit + 1`` in its window. The ``+ 1`` is not a
typo: the server's window is half-open, so ``limit`` requests spaced exactly ``per / limit``
apart is the server's own maximum.

The capacity is ``C = burst + r * timer_slack``. ``burst`` is how many requests may leave
back to back after an idle spell; by default it is ``limit // 200`` (at least 1): 1 for 60 a
minute, 5 for 1000, which lets a client that waited on a slow first page catch up at once and
costs 0.5 % of sustained throughput. ``timer_slack`` (default ``per /
600``, 0.1 s for a minute) lets a waiter that the event loop wakes late (timers fire on whole
milliseconds, a busy loop stalls) keep the credit it accrued meanwhile instead of losing it,
so lateness does not eat into throughput. Solving for ``r`` with this ``C``::

    r = u * (limit + 1 - burst) / (per + u * timer_slack)

A sustained run therefore uses ``r * per / limit`` of the limit: with ``u=0.98`` and slack
``per/600``, 97.84 % for LucidSource's 60 a minute (58.70) and 97.45 % for LucidRetail's
1000 (974.5), and never below 97.3 % for any limit. The most any 60 s window can hold is
``burst + r * (per + timer_slack)``, rounded down: 59 of 60, and 981 of 1000.
"""

from __future__ import annotations

import math

import attrs

__all__ = [
    "DEFAULT_UTILIZATION",
    "EARLY_TOLERANCE",
    "PUBLIC_LOOKUP_LIMIT",
    "RETAIL_LIMIT",
    "SOURCE_LIMIT",
    "BucketState",
    "Sizing",
    "give_back",
    "pause",
    "paused_for",
    "refill",
    "take",
    "tokens_at",
]

#: Documented limits, in requests per minute.
SOURCE_LIMIT = 60
RETAIL_LIMIT = 1000
#: The two unauthenticated LucidRetail lookups, per client IP address.
PUBLIC_LOOKUP_LIMIT = 60

DEFAULT_UTILIZATION = 0.98
#: The default ``burst`` is ``limit`` divided by this (at least 1): half a percent of the
#: window's budget may leave back to back.
DEFAULT_BURST_DIVISOR = 200

#: ``timer_slack`` is ``per`` divided by this unless given: a fixed share of the window, so
#: it costs the same 0.16 % of throughput whether the window is a minute or (in tests) 1.5 s.
SLACK_DIVISOR = 600.0
#: A token is handed out if it would be ready within this many seconds. Without it a fake
#: clock that advances by exactly the computed wait could land a rounding error short of the
#: token forever; 1 µs is far inside the jitter margin.
EARLY_TOLERANCE = 1e-6


def _check_limit(_instance: object, _attribute: object, value: int) -> None:
    if type(value) is not int or value < 1:  # bool is an int subclass: refused too
        raise ValueError(f"limit must be a whole number of requests >= 1, not {value!r}")


def _check_per(_instance: object, _attribute: object, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"per must be a finite number of seconds > 0, not {value!r}")


def _check_utilization(_instance: object, _attribute: object, value: float) -> None:
    if not 0 < value <= 1:
        raise ValueError(f"utilization must be in (0, 1], not {value!r}")


def _check_slack(_instance: object, _attribute: object, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"timer_slack must be a finite number of seconds >= 0, not {value!r}")


@attrs.frozen
class Sizing:
    """A bucket's rate and capacity, derived from a server's ``limit`` per ``per`` seconds.

    Build it with :meth:`for_limit`; see the module docstring for the arithmetic.
    """

    limit: int = attrs.field(validator=_check_limit)
    per: float = attrs.field(converter=float, validator=_check_per)
    utilization: float = attrs.field(converter=float, validator=_check_utilization)
    burst: int = attrs.field()
    timer_slack: float = attrs.field(converter=float, validator=_check_slack)
    #: Tokens added per second.
    rate: float = attrs.field(init=False, default=0.0)
    #: The most tokens the bucket holds.
    capacity: float = attrs.field(init=False, default=0.0)

    @burst.validator
    def _check_burst(self, _attribute: object, value: int) -> None:
        if type(value) is not int or not 1 <= value <= self.limit:
            raise ValueError(f"burst must be a whole number in [1, {self.limit}], not {value!r}")

    def __attrs_post_init__(self) -> None:
        # Derived once here (after the validators ran), not per take: take is the hot path.
        u = self.utilization
        rate = u * (self.limit + 1 - self.burst) / (self.per + u * self.timer_slack)
        object.__setattr__(self, "rate", rate)
        object.__setattr__(self, "capacity", self.burst + rate * self.timer_slack)

    @classmethod
    def for_limit(
        cls,
        limit: int,
        per: float = 60.0,
        *,
        utilization: float = DEFAULT_UTILIZATION,
        burst: int | None = None,
        timer_slack: float | None = None,
    ) -> Sizing:
        """Size a bucket for a server that accepts ``limit`` requests in any ``per`` seconds.

        ``burst=None`` means ``limit // 200``, at least 1; ``timer_slack=None`` means ``per /
        600``.
        """
        per = float(per)
        return cls(
            limit=limit,
            per=per,
            utilization=utilization,
            burst=max(1, limit // DEFAULT_BURST_DIVISOR) if burst is None else burst,
            timer_slack=per / SLACK_DIVISOR if timer_slack is None else timer_slack,
        )

    @property
    def guaranteed_window(self) -> float:
        """No window of this many seconds ever holds more than ``limit`` acquisitions."""
        return self.per / self.utilization

    @property
    def jitter_margin(self) -> float:
        """How much later or earlier than sent a request may reach the server, safely."""
        return self.guaranteed_window - self.per

    @property
    def sustained_share(self) -> float:
        """The share of ``limit`` a never-ending queue of waiters gets."""
        return self.rate * self.per / self.limit


@attrs.frozen
class BucketState:
    """``tokens`` in the bucket at time ``as_of``.

    ``as_of`` lies in the future while the bucket is paused: nothing may be taken before it,
    and ``tokens`` is what the bucket will hold when the pause ends.
    """

    tokens: float
    as_of: float

    @classmethod
    def full(cls, sizing: Sizing, now: float) -> BucketState:
        return cls(tokens=sizing.capacity, as_of=now)


def refill(sizing: Sizing, state: BucketState, now: float) -> BucketState:
    """The state at ``now``: tokens added since ``as_of``, up to the capacity."""
    if now <= state.as_of:
        # Paused (as_of ahead of now), or a clock that did not move: nothing to add.
        return state
    tokens = min(sizing.capacity, state.tokens + sizing.rate * (now - state.as_of))
    return BucketState(tokens=tokens, as_of=now)


def take(sizing: Sizing, state: BucketState, now: float) -> tuple[BucketState, float]:
    """Take one token at ``now``: ``(new_state, 0.0)``, or ``(state, seconds_to_wait)``.

    When the answer is a wait, nothing was taken and asking again after that many seconds
    succeeds, unless a pause was added meanwhile.
    """
    state = refill(sizing, state, now)
    ready_at = state.as_of + max(0.0, 1.0 - state.tokens) / sizing.rate
    wait = ready_at - now
    if wait > EARLY_TOLERANCE:
        return state, wait
    # Tokens may dip a rounding error below zero; keeping the debt (not clamping it) means
    # the early tolerance never accumulates from one take to the next.
    return BucketState(tokens=state.tokens - 1.0, as_of=state.as_of), 0.0


def pause(sizing: Sizing, state: BucketState, now: float, seconds: float) -> BucketState:
    """Let nothing be taken until ``now + seconds``; an existing longer pause stays.

    When the pause ends the bucket holds at most one token, whatever it would have gained:
    after a 429 the server's window is full, so requests resume at the steady rate rather
    than in a burst.
    """
    state = refill(sizing, state, now)
    until = now + seconds
    if not until > state.as_of:  # also refuses NaN
        return state
    tokens_then = state.tokens + sizing.rate * (until - state.as_of)
    return BucketState(tokens=min(1.0, sizing.capacity, tokens_then), as_of=until)


def give_back(sizing: Sizing, state: BucketState, now: float) -> BucketState:
    """Return a token that was taken but never used (its waiter was cancelled).

    Capped at the capacity, and at one token while paused, so the bucket never holds more
    than it would have had the token never been taken.
    """
    state = refill(sizing, state, now)
    cap = min(1.0, sizing.capacity) if state.as_of > now else sizing.capacity
    return BucketState(tokens=min(cap, state.tokens + 1.0), as_of=state.as_of)


def tokens_at(sizing: Sizing, state: BucketState, now: float) -> float:
    """Tokens available at ``now``: 0 while paused."""
    if state.as_of > now:
        return 0.0
    return max(0.0, refill(sizing, state, now).tokens)


def paused_for(state: BucketState, now: float) -> float:
    """Seconds until the current pause ends; 0 when not paused."""
    return max(0.0, state.as_of - now)
