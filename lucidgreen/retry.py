"""When to send a request again, and after how long.

LucidGreen's published retry strategy: 429, 500-504 and transport failures are retried after
1, 2, 4, 8, 16 s (doubling from ``initial_delay``, capped at ``max_delay``), at most
``max_retries`` times.
A ``Retry-After`` from the server wins over the computed delay. 400/401/403/404/405 are never
retried here (401 is handled once by the token renewal, not by this policy).
``asyncio.CancelledError`` is never caught, so it is never retried or swallowed.

Writes are never sent twice where the server could act twice. Every request carries a
:class:`Replay` rule chosen by its endpoint:

- ``Replay.SAFE`` — reads and deletes, and writes the server deduplicates (for example
  ``transactions.complete``, deduplicated by ``order_id``): retried like any GET.
- ``Replay.UNSAFE`` — other writes: retried only when the server certainly did not act on
  the request: a 429 (throttling refuses the request before the view runs) or a connection
  that failed before the request was sent. A 5xx or a lost answer is reported, never resent;
  a lost answer raises :class:`~lucidgreen.errors.WriteOutcomeUnknown`.

:func:`set_testing` removes every sleep (retry delays, 429 pauses, export polling) so test
suites run fast, as stamina's ``set_testing`` does.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, Literal

import attrs
import backoff

from .errors import (
    APIError,
    LucidGreenError,
    RateLimited,
    TransportError,
)

__all__ = [
    "Replay",
    "RetryPolicy",
    "is_testing",
    "poll_delays",
    "set_testing",
    "sleep",
    "without_sleeping",
]

Jitter = Literal["spread", "none", "full", "random"]

_testing = False


def set_testing(enabled: bool) -> None:
    """Make every SDK sleep return at once (retry delays, 429 pauses, export polls)."""
    global _testing  # noqa: PLW0603 — one process-wide switch, like stamina.set_testing
    _testing = enabled


def is_testing() -> bool:
    """Whether :func:`set_testing` removed every SDK sleep."""
    return _testing


@contextmanager
def without_sleeping(enabled: bool = True) -> Iterator[None]:
    """``with lucidgreen.retry.without_sleeping(): ...`` — :func:`set_testing` for a block."""
    previous = _testing
    set_testing(enabled)
    try:
        yield
    finally:
        set_testing(previous)


async def sleep(seconds: float) -> None:
    """``asyncio.sleep`` that honours :func:`set_testing`."""
    await asyncio.sleep(0 if _testing else seconds)


def poll_delays(initial: float, maximum: float) -> Iterator[float]:
    """Waits between polls of a job still running: ``initial``, doubling, capped at ``maximum``."""
    waits = backoff.expo(base=2, factor=initial, max_value=maximum)
    next(waits)  # backoff's generators are primed with a first, empty step
    return waits


class Replay(enum.Enum):
    """Whether a request may be sent again after an unclear outcome."""

    SAFE = "safe"
    UNSAFE = "unsafe"


_RETRYABLE_STATUSES = frozenset({429, 500, 501, 502, 503, 504})


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    del instance
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"{attribute.name} must be a finite number of seconds or None")
    if value <= 0:
        raise ValueError(f"{attribute.name} must be > 0 seconds, not {value!r}")


def _seconds(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A finite number of seconds >= 0 (NaN would make every comparison false)."""
    del instance
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"{attribute.name} must be a finite number of seconds, not {value!r}")
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0 seconds, not {value!r}")


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    del instance
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, not {value!r}")
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, not {value!r}")


_JITTERS: tuple[Jitter, ...] = ("spread", "none", "full", "random")

SPREAD: Final = 0.25
"""``jitter="spread"`` draws each delay uniformly from ``[delay, (1 + SPREAD) * delay]``."""


@attrs.frozen
class RetryPolicy:
    """How the SDK retries. Pass ``retry=RetryPolicy(...)`` to a client.

    >>> from lucidgreen import RetryPolicy
    >>> policy = RetryPolicy(max_retries=3, deadline=20.0)  # at most 20 s a call, all in
    >>> (policy.max_retries, policy.deadline)
    (3, 20.0)

    Then ``SourceClient(..., retry=policy)``, or ``source.with_options(retry=policy)`` for
    one call.

    ``jitter``: ``"spread"`` (the default) draws each delay uniformly from ``[d, 1.25·d]``
    around the documented 1, 2, 4, 8, 16 s, never shorter than it, so tasks and processes
    that failed together do not retry in lockstep; ``"none"`` keeps the documented delays
    exactly; ``"full"`` draws each delay
    uniformly from ``[0, delay]`` (spreads many workers apart); ``"random"`` adds up to 1 s.
    ``max_retry_after``: a ``Retry-After`` longer than this is not waited for; the
    :class:`~lucidgreen.errors.RateLimited` is raised at once so a caller never hangs for a
    year. ``deadline``: seconds one call may take in total: waiting for rate-limit budget
    and for a token, every attempt and every retry delay. Each attempt's timeout is cut to
    what is left, and no attempt starts with less than :attr:`min_attempt_seconds` left (a
    write sent with a sliver of time would time out after the server applied it): the call
    raises :class:`~lucidgreen.errors.DeadlineExceeded` instead, with ``request_sent`` saying
    whether any earlier attempt left. ``min_attempt_time``: that floor, in seconds (it never
    exceeds half the deadline).
    """

    max_retries: int = attrs.field(default=5, validator=_count)
    initial_delay: float = attrs.field(default=1.0, validator=_seconds)
    max_delay: float = attrs.field(default=60.0, validator=_seconds)
    jitter: Jitter = attrs.field(default="spread", validator=attrs.validators.in_(_JITTERS))
    max_retry_after: float = attrs.field(default=300.0, validator=_seconds)
    deadline: float | None = attrs.field(default=None, validator=_positive_or_none)
    min_attempt_time: float = attrs.field(default=1.0, validator=_seconds)

    @property
    def min_attempt_seconds(self) -> float:
        """The least time left under ``deadline`` with which an attempt may start."""
        if self.deadline is None:
            return 0.0
        return min(self.min_attempt_time, self.deadline / 2)

    @classmethod
    def none(cls) -> RetryPolicy:
        """Never retry (401 is still renewed once)."""
        return cls(max_retries=0)

    def backoff_delay(self, retry_number: int, *, rng: random.Random | None = None) -> float:
        """The computed delay before retry ``retry_number`` (1-based), jitter applied."""
        waits = backoff.expo(base=2, factor=self.initial_delay, max_value=self.max_delay)
        next(waits)  # backoff's generators are primed with a first, empty step
        delay: float = next(itertools.islice(waits, retry_number - 1, None))
        if self.jitter == "spread":
            return (rng or random).uniform(delay, delay * (1 + SPREAD))
        if self.jitter == "full":
            return (rng or random).uniform(0, delay)
        if self.jitter == "random":
            return delay + (rng or random).random()
        return delay

    def retryable(self, error: LucidGreenError, replay: Replay) -> bool:
        """Whether ``error`` may be retried at all, before counting attempts or time."""
        if isinstance(error, TransportError):
            return replay is Replay.SAFE or not error.request_sent
        if not isinstance(error, APIError) or error.status not in _RETRYABLE_STATUSES:
            return False
        return replay is Replay.SAFE or isinstance(error, RateLimited)

    def next_delay(
        self,
        error: LucidGreenError,
        *,
        retry_number: int,
        replay: Replay = Replay.SAFE,
        elapsed: float = 0.0,
        rng: random.Random | None = None,
    ) -> float | None:
        """Seconds to wait before retry ``retry_number`` (1-based), or ``None`` to give up.

        Pure: the same arguments always give the same answer (with ``jitter="none"``, or the
        same ``rng`` state). A ``Retry-After`` is obeyed exactly, without jitter.
        """
        if retry_number > self.max_retries or not self.retryable(error, replay):
            return None
        delay = self.backoff_delay(retry_number, rng=rng)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            delay = error.retry_after
        if self.deadline is not None and elapsed + delay + self.min_attempt_seconds > self.deadline:
            return None
        return delay
