"""Telemetry never changes a call's outcome: every callback of an attached instrumentation,
and of the observers it answers, is called through one guard.

An instrumentation is the caller's code running inside every call (OpenTelemetry's rule is
the SDK's: a tracing bug must not turn an applied write into a failure). A callback that
raises an ``Exception`` is logged once per attached instrumentation, as a warning to the
``lucidgreen`` logger naming its class, the protocol method and the exception's type (never
its text, which may repeat what it was given), and the call carries on as if it had returned.
``attempt_started`` answering what is no :class:`~lucidgreen.Request` (a forgotten
``return request``), or one with a header added or changed that cannot be sent (a trace
header holding CR/LF, a value that is no str), sends the request it was given. An observer
with an ``async def`` callback (whose coroutine nobody would await) is not told at all, and
said so. A ``BaseException`` (cancellation) goes on.
:class:`~lucidgreen.Hooks` are not telemetry and are not guarded.
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import Final

from ._headers import header_problem
from ._transport import Request, Response
from .errors import LucidGreenError
from .instrumentation import CallName, CallObserver, Instrumentation

__all__ = ["Guard", "GuardedObserver"]

logger = logging.getLogger("lucidgreen")


class Guard:
    """One attached instrumentation: its callbacks (and its observers') cannot fail a call."""

    def __init__(self, instrumentation: Instrumentation) -> None:
        if inspect.iscoroutinefunction(getattr(instrumentation, "call_started", None)):
            raise TypeError(
                f"instrumentation {type(instrumentation).__name__}.call_started is async; "
                "Instrumentation callbacks are synchronous (they run in the task making the call)"
            )
        self.instrumentation: Final = instrumentation
        self._warned = False

    def call_started(self, call: CallName, product: str) -> CallObserver | None:
        """The guarded observer of the call ``call``; None (not observed) when it failed."""
        try:
            observer = self.instrumentation.call_started(call, product)
        except Exception as exc:
            self.failed(
                self.instrumentation, "Instrumentation.call_started", f"raised {_kind(exc)}"
            )
            return None
        asynchronous = _async_callback(type(observer))
        if asynchronous is not None:
            what = "is async; CallObserver callbacks are synchronous (the observer is not told)"
            self.failed(observer, f"CallObserver.{asynchronous}", what)
            return None
        return GuardedObserver(observer, self)

    def failed(self, culprit: object, method: str, what: str) -> None:
        """``culprit``'s ``method`` ``what`` (raised or answered wrongly): said once."""
        if self._warned:
            return
        self._warned = True
        logger.warning(
            "instrumentation %s: %s of %s %s; ignored (telemetry never changes a call's "
            "outcome; later errors of this instrumentation are not logged)",
            type(self.instrumentation).__name__,
            method,
            type(culprit).__name__,
            what,
        )


class GuardedObserver:
    """A call's observer whose errors are logged by its guard and ignored."""

    __slots__ = ("_guard", "_observer")

    def __init__(self, observer: CallObserver, guard: Guard) -> None:
        self._observer = observer
        self._guard = guard

    def _failed(self, method: str, error: Exception) -> None:
        self._guard.failed(self._observer, f"CallObserver.{method}", f"raised {_kind(error)}")

    def attempt_started(self, request: Request, attempt: int) -> Request:
        try:
            sent: object = self._observer.attempt_started(request, attempt)
        except Exception as exc:
            self._failed("attempt_started", exc)
            return request
        if isinstance(sent, Request):
            problem = _unsendable(request, sent)
            if problem is None:
                return sent
            wrong = f"returned a request with {problem} (the one it was given is sent)"
        else:
            wrong = f"returned {type(sent).__name__}, not a Request (the one it was given is sent)"
        self._guard.failed(self._observer, "CallObserver.attempt_started", wrong)
        return request

    # Each callback calls its method directly (no ``getattr`` dispatch): three of them run
    # on every traced page.
    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        try:
            self._observer.attempt_ended(request, outcome)
        except Exception as exc:
            self._failed("attempt_ended", exc)

    def limiter_waited(self, seconds: float) -> None:
        try:
            self._observer.limiter_waited(seconds)
        except Exception as exc:
            self._failed("limiter_waited", exc)

    def token_renewed(self, reason: str) -> None:
        try:
            self._observer.token_renewed(reason)
        except Exception as exc:
            self._failed("token_renewed", exc)

    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None:
        try:
            self._observer.retry_scheduled(retry_number, delay, error)
        except Exception as exc:
            self._failed("retry_scheduled", exc)

    def paused(self, seconds: float) -> None:
        try:
            self._observer.paused(seconds)
        except Exception as exc:
            self._failed("paused", exc)

    def call_ended(self, error: BaseException | None) -> None:
        try:
            self._observer.call_ended(error)
        except Exception as exc:
            self._failed("call_ended", exc)


_CALLBACKS: Final = (
    "attempt_started",
    "attempt_ended",
    "limiter_waited",
    "token_renewed",
    "retry_scheduled",
    "paused",
    "call_ended",
)


@functools.cache
def _async_callback(observer_class: type) -> str | None:
    """The first callback of ``observer_class`` written ``async def``, if any (once a class:
    an instrumentation answers one observer per call)."""
    return next(
        (
            name
            for name in _CALLBACKS
            if inspect.iscoroutinefunction(getattr(observer_class, name, None))
        ),
        None,
    )


def _unsendable(given: Request, sent: Request) -> str | None:
    """What keeps a header ``sent`` adds to or changes in ``given`` from being sent, or None.
    Only those are checked: the SDK's own were checked when the client was made."""
    if sent.headers is given.headers:
        return None
    try:
        for name, value in sent.headers.items():
            if name in given.headers and given.headers[name] == value:
                continue
            problem = header_problem(name, value)
            if problem is not None:
                return problem
    except Exception as exc:  # headers that are no mapping, or compare by raising
        return f"headers that cannot be read ({_kind(exc)})"
    return None


def _kind(error: Exception) -> str:
    return type(error).__name__
