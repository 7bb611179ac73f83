"""The one place the send path reports to: stats, hooks, logs and tracing, fed together.

The exchange and the pipeline tell a :class:`Reporter` what happened (an exchange ended, a
call waited for budget, a retry is scheduled, a call was replayed after a 401) and it keeps
the four channels in step: the running :class:`~lucidgreen.Stats`, the caller's
:class:`~lucidgreen.Hooks`, the ``lucidgreen.http`` logger and, when one is attached, the
call's tracing observer. No other code counts, logs or calls a hook for a request.

**Extension point.** An instrumentation (tracing, metrics) attaches with
:meth:`Reporter.attach` and detaches with ``attach(None)``; ``lucidgreen.otel.instrument``
does it through the client's ``instrument`` method. Every call started afterwards is
observed (see :mod:`lucidgreen.instrumentation` for what an observer is told), through
:mod:`lucidgreen._guard`: an instrumentation's error is logged, never the call's outcome.
"""

from __future__ import annotations

import logging
from typing import Final

from ._events import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
from ._guard import Guard
from ._instrument import CallName, CallObserver, Instrumentation
from ._secrets import redact
from ._transport import Request
from .errors import APIError, LucidGreenError, TransportError

__all__ = ["Reporter"]

logger = logging.getLogger("lucidgreen.http")


class Reporter:
    """Stats, hooks, logs and tracing of one client (shared by its ``with_options`` views)."""

    def __init__(self, product: str, hooks: Hooks | None = None) -> None:
        self.product: Final = product
        self.hooks: Final = hooks or Hooks()
        self.stats: Final = Stats()
        self._guard: Guard | None = None

    def attach(self, instrumentation: Instrumentation | None) -> None:
        """Observe every call started from now on with ``instrumentation`` (None: stop),
        through a guard: its errors never change a call's outcome (``TypeError`` now for an
        async ``call_started``)."""
        self._guard = None if instrumentation is None else Guard(instrumentation)

    @property
    def instrumented(self) -> bool:
        return self._guard is not None

    @property
    def instrumentation(self) -> Instrumentation | None:
        """The instrumentation attached, if any."""
        guard = self._guard
        return None if guard is None else guard.instrumentation

    def call_started(self, name: CallName) -> CallObserver | None:
        """An observer for the call ``name``, or None when nothing is attached (or the
        instrumentation failed to answer one)."""
        guard = self._guard
        return None if guard is None else guard.call_started(name, self.product)

    def sending(self) -> None:
        """An HTTP exchange starts (counted now: one cut short by cancellation went out too)."""
        self.stats.requests += 1

    def exchanged(
        self,
        request: Request,
        outcome: object,
        *,
        status: int | None,
        elapsed: float,
        attempt: int,
        request_id: str | None,
    ) -> None:
        """One HTTP exchange ended with ``status`` (None: no answer) and ``outcome``."""
        stats = self.stats
        if isinstance(outcome, TransportError):
            stats.transport_errors += 1
        elif status == 429:
            stats.rate_limited += 1
        elif status is not None and status >= 500:
            stats.server_errors += 1
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s in %.0f ms (attempt %d, request id %s) headers=%s",
                request.method,
                request.shown_url,
                status or "no answer",
                elapsed * 1000,
                attempt,
                request_id,
                redact(request.headers),
            )
        if self.hooks.on_request is not None:
            self.hooks.on_request(
                RequestSent(
                    self.product,
                    request.method,
                    request.shown_url,
                    status,
                    elapsed,
                    attempt,
                    request_id=request_id,
                )
            )

    def limiter_waited(self, observer: CallObserver | None, seconds: float) -> None:
        """A call waited ``seconds`` (> 0) for rate-limit budget."""
        self.stats.limiter_waits += 1
        self.stats.limiter_wait_seconds += seconds
        if observer is not None:
            observer.limiter_waited(seconds)
        if self.hooks.on_limiter_wait is not None:
            self.hooks.on_limiter_wait(LimiterWait(self.product, seconds))

    def replayed_after_401(self, observer: CallObserver | None) -> None:
        """A call's token was dropped after its 401; the call is replayed with a new one."""
        self.stats.replays_after_401 += 1
        if observer is not None:
            observer.token_renewed("401")

    def retry_scheduled(
        self,
        observer: CallObserver | None,
        request: Request,
        error: LucidGreenError,
        *,
        retry_number: int,
        max_retries: int,
        delay: float,
    ) -> None:
        """``request`` will be sent again in ``delay`` seconds because of ``error``."""
        self.stats.retries += 1
        if observer is not None:
            observer.retry_scheduled(retry_number, delay, error)
        status = error.status if isinstance(error, APIError) else None
        reason = f"HTTP {status}" if status is not None else f"{type(error).__name__}: {error}"
        logger.info(
            "retrying %s %s in %.2f s (retry %d of %d, %s)",
            request.method,
            request.shown_url,
            delay,
            retry_number,
            max_retries,
            reason,
        )
        if self.hooks.on_retry is not None:
            self.hooks.on_retry(
                RetryScheduled(
                    self.product,
                    request.method,
                    request.shown_url,
                    retry_number,
                    delay,
                    reason,
                    status=status,
                    error_type=type(error).__name__,
                    max_retries=max_retries,
                )
            )
