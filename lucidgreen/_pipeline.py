"""The send path: budget -> token -> exchange -> envelope -> retry decision -> sleep.

Built in one phase, bottom up, by the client::

    exchange = Exchange(transport, ...)          # one HTTP exchange, counted and reported
    tokens = Pipeline(exchange, auth=None, limiter=None, ...)   # /o/token/: retries only
    auth = ClientCredentials(..., send=tokens.send)
    pipeline = Pipeline(exchange, auth=auth, limiter=bucket, ...)

It lives in our code, not in aiohttp middleware, so that it behaves the same under
aioresponses (which patches the session method where aiohttp runs middleware) and under any
other :class:`~lucidgreen._http.Transport`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final, Literal, TypeVar

import attrs

from . import retry
from ._events import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
from ._exchange import READS, Exchange, may_have_applied, redact
from ._http import Request, Response, StreamedResponse, Timeout
from ._instrument import CallName, CallObserver, current_call_name, current_observer
from .auth import Auth
from .errors import (
    APIError,
    AuthenticationError,
    DeadlineExceeded,
    LucidGreenError,
    RateLimited,
    TransportError,
    WriteOutcomeUnknown,
)
from .ratelimit import RateLimiter

__all__ = [
    "PRODUCT_BUDGET",
    "Hooks",
    "LimiterWait",
    "Pipeline",
    "RequestSent",
    "RetryScheduled",
    "Stats",
    "redact",
]

logger = logging.getLogger("lucidgreen.http")

T = TypeVar("T")


class _Budget(enum.Enum):
    PRODUCT = enum.auto()


PRODUCT_BUDGET: Final = _Budget.PRODUCT
"""``send(..., limiter=PRODUCT_BUDGET)``: spend the product's own rate-limit budget."""


@attrs.define
class _Call:
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

    def deadline_exceeded(self, when: str) -> DeadlineExceeded:
        error = DeadlineExceeded(
            f"{self.request.method} {self.request.shown_url.split('?', 1)[0]}: the call's "
            f"deadline of {self.policy.deadline:g} s ran out {when}"
            + ("" if self.sent else "; the request was never sent"),
            request_sent=self.sent,
        )
        error.outcome_unknown = self.outcome_unknown
        return error

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


class Pipeline:
    """Sends requests for one product: one rate-limit budget, one credential.

    ``with_options`` gives a pipeline with another retry policy or timeout that shares
    everything else (exchange, stats, closed state, token, budget). ``name`` names every
    call it sends for tracing (the token pipeline's); otherwise the resource method's name.
    """

    def __init__(
        self,
        exchange: Exchange,
        *,
        auth: Auth | None,
        limiter: RateLimiter | None,
        retry_policy: retry.RetryPolicy,
        timeout: Timeout,
        name: str | None = None,
    ) -> None:
        self.exchange: Final = exchange
        self.auth: Final = auth
        self.limiter: Final = limiter
        self.retry_policy: Final = retry_policy
        self.timeout: Final = timeout
        self.name: Final = name
        self._call_name: Final = None if name is None else CallName(name)

    def with_options(
        self, *, retry_policy: retry.RetryPolicy | None = None, timeout: Timeout | None = None
    ) -> Pipeline:
        return Pipeline(
            self.exchange,
            auth=self.auth,
            limiter=self.limiter,
            retry_policy=retry_policy or self.retry_policy,
            timeout=timeout or self.timeout,
            name=self.name,
        )

    @property
    def stats(self) -> Stats:
        return self.exchange.stats

    @property
    def product(self) -> str:
        return self.exchange.product

    async def send(
        self,
        request: Request,
        *,
        replay: retry.Replay = retry.Replay.SAFE,
        limiter: RateLimiter | Literal[_Budget.PRODUCT] | None = PRODUCT_BUDGET,
    ) -> Response:
        """Send ``request`` until it succeeds or the policy gives up; raise the last error.

        ``limiter`` overrides the product's budget (``None`` spends none, e.g. a token
        request or a presigned download).
        """
        self.exchange.check_open()  # fail now, not after waiting for rate-limit budget
        budget = self.limiter if limiter is PRODUCT_BUDGET else limiter
        call = _Call(
            request.with_headers({"X-Request-ID": uuid.uuid4().hex}),
            replay,
            self.retry_policy,
            asyncio.get_running_loop().time(),
        )
        instrument = self.exchange.instrument
        if instrument is not None:
            # Inside an observed resource method, report to it; otherwise (a page, a token
            # request, which always stands alone) this send is a call of its own.
            call.observer = None if self._call_name is not None else current_observer()
            if call.observer is None:
                call.owns_observer = True
                name = self._call_name or current_call_name() or CallName(f"{self.product}.request")
                call.observer = instrument.call_started(name, self.product)
        try:
            while True:
                outcome = await self._attempt(call, budget)
                if isinstance(outcome, Response):
                    break
                call.retries += 1
                delay = self.retry_policy.next_delay(
                    outcome, retry_number=call.retries, replay=replay, elapsed=call.elapsed()
                )
                call.note_failure(outcome)
                if delay is None:
                    break
                self._note_retry(call, outcome, delay)
                await _wait_to_retry(call, outcome, delay, budget)
        except BaseException as exc:
            if call.owns_observer and call.observer is not None:
                call.observer.call_ended(exc)
            raise
        if isinstance(outcome, Response):
            if call.owns_observer and call.observer is not None:
                call.observer.call_ended(None)
            return outcome
        final = _final(outcome, call.request)  # retrying stopped on this error
        if call.owns_observer and call.observer is not None:
            call.observer.call_ended(final)
        if final is outcome:
            raise outcome
        raise final from outcome

    @asynccontextmanager
    async def stream(self, request: Request) -> AsyncIterator[StreamedResponse]:
        """Send ``request`` once, spending no budget, and hand back its body as a stream."""
        self.exchange.check_open()
        async with self.exchange.transport.stream(request, timeout=self.timeout) as response:
            yield response

    async def _attempt(self, call: _Call, budget: RateLimiter | None) -> Response | LucidGreenError:
        """One try: a token, budget, the exchange. A 401 on a token that is still the
        current one renews it and replays the request, once per call."""
        outcome, token = await self._authorised_exchange(call, budget)
        if (
            isinstance(outcome, AuthenticationError)
            and token is not None
            and self.auth is not None
            and not call.renewed_after_401
            and await self.auth.invalidate(token)
        ):
            call.renewed_after_401 = True
            self.stats.replays_after_401 += 1
            if call.observer is not None:
                call.observer.token_renewed("401")
            outcome, _ = await self._authorised_exchange(call, budget)
        return outcome

    async def _authorised_exchange(
        self, call: _Call, budget: RateLimiter | None
    ) -> tuple[Response | LucidGreenError, str | None]:
        token = None
        auth = self.auth if call.request.authenticated else None
        issued = _tokens_issued(auth) if call.observer is not None else 0
        if auth is not None:
            # The token first, so the budget is not held while a renewal runs ...
            token = await call.within_allowance(auth.token, "waiting for a token")
        if budget is not None:
            await self._acquire(call, budget)
            if auth is not None:
                # ... and again after the wait, which may have outlived it (usually at once).
                token = await call.within_allowance(auth.token, "waiting for a token")
        timeout = call.attempt_timeout(self.timeout)
        call.attempts += 1
        sent_before, call.sent = call.sent, True
        request = call.request
        observer = call.observer
        if observer is not None:
            if _tokens_issued(auth) != issued and not call.renewed_after_401:
                observer.token_renewed("initial" if issued == 0 else "expired")
            request = observer.attempt_started(request, call.attempts)
        try:
            outcome = await self.exchange.send(
                request,
                timeout=timeout,
                attempt=call.attempts,
                token=token,
                prior_outcome_unknown=call.outcome_unknown,
            )
        except BaseException as exc:
            if observer is not None:
                observer.attempt_ended(request, exc)
            raise
        if observer is not None:
            observer.attempt_ended(request, outcome)
        if isinstance(outcome, TransportError) and not outcome.request_sent:
            call.sent = sent_before
        return outcome, token

    async def _acquire(self, call: _Call, budget: RateLimiter) -> None:
        waited = await call.within_allowance(budget.acquire, "waiting for rate-limit budget")
        if waited > 0:
            self.stats.limiter_waits += 1
            self.stats.limiter_wait_seconds += waited
            if call.observer is not None:
                call.observer.limiter_waited(waited)
            if self.exchange.hooks.on_limiter_wait is not None:
                self.exchange.hooks.on_limiter_wait(LimiterWait(self.product, waited))

    def _note_retry(self, call: _Call, error: LucidGreenError, delay: float) -> None:
        self.stats.retries += 1
        if call.observer is not None:
            call.observer.retry_scheduled(call.retries, delay, error)
        status = error.status if isinstance(error, APIError) else None
        reason = f"HTTP {status}" if status is not None else f"{type(error).__name__}: {error}"
        request = call.request
        logger.info(
            "retrying %s %s in %.2f s (retry %d of %d, %s)",
            request.method,
            request.shown_url,
            delay,
            call.retries,
            self.retry_policy.max_retries,
            reason,
        )
        if self.exchange.hooks.on_retry is not None:
            self.exchange.hooks.on_retry(
                RetryScheduled(
                    self.product,
                    request.method,
                    request.shown_url,
                    call.retries,
                    delay,
                    reason,
                    status=status,
                    error_type=type(error).__name__,
                    max_retries=self.retry_policy.max_retries,
                )
            )


async def _wait_to_retry(
    call: _Call, error: LucidGreenError, delay: float, budget: RateLimiter | None
) -> None:
    if isinstance(error, RateLimited) and budget is not None:
        # The whole product's budget pauses; the next acquire does the waiting.
        if call.observer is not None:
            call.observer.paused(delay)
        await budget.pause(0.0 if retry.is_testing() else delay)
    else:
        await retry.sleep(delay)


def _tokens_issued(auth: Auth | None) -> int:
    """How many tokens ``auth`` has been issued (0 for credentials that do not renew)."""
    issued = getattr(auth, "tokens_issued", 0)
    return issued if isinstance(issued, int) else 0


def _final(error: LucidGreenError, request: Request) -> LucidGreenError:
    """The error to raise once retrying stops: a write's lost answer says so."""
    if (
        isinstance(error, TransportError)
        and not isinstance(error, WriteOutcomeUnknown)
        and error.request_sent
        and request.method not in READS
    ):
        return WriteOutcomeUnknown(
            f"{error} — the answer to this {request.method} was lost, so the server may "
            "have applied it; check before sending it again"
        )
    return error
