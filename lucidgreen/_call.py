"""One SDK call across its attempts: its request, deadline, and what it has done so far.

The deadline arithmetic lives here: how long the call may still wait for budget or a token,
the timeout its next attempt gets, and the ``DeadlineExceeded`` it raises when too little is
left for another attempt to be worth sending.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import attrs

from . import retry
from ._instrument import CallObserver
from ._secrets import without_query
from ._transport import Request, Response, Timeout
from ._unclear import as_unclear
from ._write_safety import may_have_applied
from .errors import DeadlineExceeded, LucidGreenError

__all__ = ["Call", "request_id"]

T = TypeVar("T")


@attrs.define
class Call:
    """One SDK call across its attempts: what it sends, its deadline, what it has done."""

    request: Request
    replay: retry.Replay
    policy: retry.RetryPolicy
    started: float
    attempts: int = 0
    retries: int = 0
    renewed_after_401: bool = False
    sent: bool = False
    outcome_unknown: bool = False
    observer: CallObserver | None = None
    owns_observer: bool = False

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        """An attempt of ``request`` ended with ``outcome``: the observer, if any, is told."""
        if self.observer is not None:
            self.observer.attempt_ended(request, outcome)

    def ended(self, error: BaseException | None) -> None:
        """The call returned (``None``) or raised ``error``: its own observer is told."""
        if self.owns_observer and self.observer is not None:
            self.observer.call_ended(error)

    def elapsed(self) -> float:
        return asyncio.get_running_loop().time() - self.started

    def allowance(self) -> float | None:
        """Seconds this call may still wait before its next attempt must leave."""
        if self.policy.deadline is None:
            return None
        return self.policy.deadline - self.elapsed() - self.policy.min_attempt_seconds

    def attempt_timeout(self, timeout: Timeout) -> Timeout:
        """``timeout`` cut to the deadline's remainder; too little left raises."""
        if self.policy.deadline is None:
            return timeout
        left = self.policy.deadline - self.elapsed()
        if left < self.policy.min_attempt_seconds:
            raise self.deadline_exceeded("before the next attempt could be sent")
        return timeout.cut_to(left)

    def deadline_exceeded(self, when: str, retry_after: float | None = None) -> DeadlineExceeded:
        """The call's deadline ran out ``when``: after an attempt of a write that may have
        applied, a :class:`~lucidgreen.WriteOutcomeUnknown` too."""
        exceeded = DeadlineExceeded(
            f"{self.request.method} {without_query(self.request.url)}: the call's "
            f"deadline of {self.policy.deadline:g} s ran out {when}"
            + ("" if self.sent else "; the request was never sent"),
            request_sent=self.sent,
            retry_after=retry_after,
            outcome_unknown=self.outcome_unknown,
        )
        return as_unclear(exceeded)

    def note_failure(self, error: LucidGreenError) -> None:
        self.outcome_unknown = self.outcome_unknown or may_have_applied(self.request, error)

    async def within_allowance(self, wait: Callable[[], Awaitable[T]], what: str) -> T:
        """Await ``wait()``, giving up with ``DeadlineExceeded`` when the allowance runs out.

        What is awaited must be cancel-safe (limiter acquires and token waits are).
        """
        allowance = self.allowance()
        if allowance is None:
            return await wait()
        if allowance <= 0:
            raise self.deadline_exceeded(f"before {what}")
        timer = asyncio.timeout(allowance)
        try:
            async with timer:
                return await wait()
        except TimeoutError:
            if not timer.expired():
                raise
        raise self.deadline_exceeded(f"while {what}")


# uuid.uuid4()'s version and variant bits, set on 128 random bits without the UUID object.
_UUID4_CLEAR: Final = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET: Final = (0x8000 << 48) | (4 << 76)


def request_id() -> str:
    """A new ``X-Request-ID``: a random UUID4 as 32 hex digits, as ``uuid.uuid4().hex``
    gives, built in a fifth of its time (it is made for every request)."""
    return f"{int.from_bytes(os.urandom(16)) & _UUID4_CLEAR | _UUID4_SET:032x}"
