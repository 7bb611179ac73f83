"""The send path: budget -> token -> exchange -> envelope -> retry decision -> sleep.

Built in one phase, bottom up, by the client::

    exchange = Exchange(transport, ...)          # one HTTP exchange, counted and reported
    tokens = Pipeline(exchange, auth=None, limiter=None, ...)   # /o/token/: retries only
    auth = ClientCredentials(..., send=tokens.send)
    pipeline = Pipeline(exchange, auth=auth, limiter=bucket, ...)

It lives in our code, not in aiohttp middleware, so that it behaves the same under
aioresponses (which patches the session method where aiohttp runs middleware) and under any
other :class:`~lucidgreen._transport.Transport`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, Literal, TypeVar

import attrs

from . import retry
from ._call import Call
from ._events import Hooks, LimiterWait, RequestSent, RetryScheduled, Stats
from ._exchange import READS, Exchange, redact
from ._instrument import CallName, current_call_name, current_observer
from ._retry_budget import RetryBudget
from ._transport import Request, Response, StreamedResponse, Timeout
from .auth import Auth
from .errors import (
    APIError,
    AuthenticationError,
    DeadlineExceeded,
    LucidGreenError,
    RateLimited,
    ServerError,
    ServerErrorOutcomeUnknown,
    TransportError,
    WriteOutcomeUnknown,
    retyped,
)
from .ratelimit import Permit, RateLimiter

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
    """Marks the product's own budget as ``send``'s default ``limiter``."""

    PRODUCT = enum.auto()


PRODUCT_BUDGET: Final = _Budget.PRODUCT
"""``send(..., limiter=PRODUCT_BUDGET)``: spend the product's own rate-limit budget."""


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
        retry_budget: RetryBudget | None = None,
    ) -> None:
        self.exchange: Final = exchange
        self.auth: Final = auth
        self.limiter: Final = limiter
        self.retry_policy: Final = retry_policy
        self.timeout: Final = timeout
        self.name: Final = name
        self.retry_budget: Final = retry_budget
        self._call_name: Final = None if name is None else CallName(name)

    def with_options(
        self, *, retry_policy: retry.RetryPolicy | None = None, timeout: Timeout | None = None
    ) -> Pipeline:
        """A pipeline sharing this one's exchange, token and budget, with another retry
        policy or timeout."""
        return Pipeline(
            self.exchange,
            auth=self.auth,
            limiter=self.limiter,
            retry_policy=retry_policy or self.retry_policy,
            timeout=timeout or self.timeout,
            name=self.name,
            retry_budget=self.retry_budget,
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
        call = Call(
            _unsafe_on_a_fresh_connection(request, replay).with_headers(
                {"X-Request-ID": uuid.uuid4().hex}
            ),
            replay,
            self.retry_policy,
            asyncio.get_running_loop().time(),
        )
        if self.retry_budget is not None:
            self.retry_budget.first_attempt()
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
                if delay is None or not _budget_allows(self.retry_budget, outcome):
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

    def stream(self, request: Request) -> AbstractAsyncContextManager[StreamedResponse, Any]:
        """``request``'s answer as a stream, sent once (no retry, budget or token): for
        unauthenticated downloads, whose reader handles a failure mid-body itself."""
        self.exchange.check_open()
        if request.authenticated:
            raise ValueError("Pipeline.stream sends unauthenticated requests only")
        return self.exchange.transport.stream(
            request.with_headers({"X-Request-ID": uuid.uuid4().hex}), timeout=self.timeout
        )

    async def _attempt(self, call: Call, budget: RateLimiter | None) -> Response | LucidGreenError:
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
        self, call: Call, budget: RateLimiter | None
    ) -> tuple[Response | LucidGreenError, str | None]:
        """A token, a permit, one exchange. The permit is settled when the exchange ends,
        or released when nothing was sent."""
        auth = self.auth if call.request.authenticated else None
        issued = _tokens_issued(auth) if call.observer is not None else 0
        timeout = call.attempt_timeout(self.timeout)
        while True:
            # The token first, so no budget is held while a renewal runs.
            token = None
            if auth is not None:
                token = await call.within_allowance(auth.token, "waiting for a token")
            permit = None if budget is None else await self._acquire(call, budget, timeout)
            if permit is None or token is None or auth is None or auth.is_current(token):
                break
            await permit.release()  # the wait outlived the token: renew before spending
        try:
            # Nothing has left yet: whatever fails here (the deadline, a user's hook) gives
            # the permit back.
            timeout = call.attempt_timeout(self.timeout)  # the wait may have cut it further
            if permit is not None:
                self._report_wait(call, permit.waited)
            request = _attempt_started(call, auth, issued)
        except BaseException:
            if permit is not None:
                await permit.release()
            raise
        call.attempts += 1
        sent_before, call.sent = call.sent, True
        observer = call.observer
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
            # Cancelled mid-exchange (often still waiting for a pooled connection): count it
            # from now rather than hold the budget until send + timeout for a request that
            # most likely never left.
            if permit is not None:
                await permit.settle()
            raise
        if observer is not None:
            observer.attempt_ended(request, outcome)
        unsent = isinstance(outcome, TransportError) and not outcome.request_sent
        if unsent:
            call.sent = sent_before
        if permit is not None:
            await (permit.release() if unsent else permit.settle())
        return outcome, token

    async def _acquire(self, call: Call, budget: RateLimiter, timeout: Timeout) -> Permit:
        """A permit counting this attempt as in flight for at most its ``timeout``."""
        allowance = call.allowance()
        if allowance is not None and allowance <= 0:
            raise call.deadline_exceeded("before rate-limit budget was free")
        try:
            permit = await budget.acquire(hold=timeout.total, max_wait=allowance)
        except DeadlineExceeded as exc:
            when = "while waiting for rate-limit budget"
            raise call.deadline_exceeded(when, exc.retry_after) from None
        return permit

    def _report_wait(self, call: Call, waited: float) -> None:
        if waited > 0:
            self.stats.limiter_waits += 1
            self.stats.limiter_wait_seconds += waited
            if call.observer is not None:
                call.observer.limiter_waited(waited)
            if self.exchange.hooks.on_limiter_wait is not None:
                self.exchange.hooks.on_limiter_wait(LimiterWait(self.product, waited))

    def _note_retry(self, call: Call, error: LucidGreenError, delay: float) -> None:
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


def _budget_allows(budget: RetryBudget | None, error: LucidGreenError) -> bool:
    """Whether the client-wide retry budget pays for one more retry. A 429 is not charged:
    the rate limiter already paces those, and its pause is what the server asked for."""
    return budget is None or isinstance(error, RateLimited) or budget.try_retry()


async def _wait_to_retry(
    call: Call, error: LucidGreenError, delay: float, budget: RateLimiter | None
) -> None:
    if isinstance(error, RateLimited) and budget is not None:
        # The whole product's budget pauses; the next acquire does the waiting.
        if call.observer is not None:
            call.observer.paused(delay)
        await budget.pause(0.0 if retry.is_testing() else delay)
    else:
        await retry.sleep(delay)


def _attempt_started(call: Call, auth: Auth | None, issued: int) -> Request:
    """Tell the call's observer an attempt starts (and whether a token was issued for it);
    the request to send, with whatever the observer adds (``traceparent``)."""
    observer = call.observer
    if observer is None:
        return call.request
    if _tokens_issued(auth) != issued and not call.renewed_after_401:
        observer.token_renewed("initial" if issued == 0 else "expired")
    return observer.attempt_started(call.request, call.attempts + 1)


def _unsafe_on_a_fresh_connection(request: Request, replay: retry.Replay) -> Request:
    """A write that will not be resent travels on a connection of its own: a pooled one the
    server closed while idle could make a request that never arrived look half-sent."""
    if replay is retry.Replay.UNSAFE and request.method not in READS:
        return attrs.evolve(request, fresh_connection=True)
    return request


def _tokens_issued(auth: Auth | None) -> int:
    """How many tokens ``auth`` has been issued (0 for credentials that do not renew)."""
    issued = getattr(auth, "tokens_issued", 0)
    return issued if isinstance(issued, int) else 0


def _final(error: LucidGreenError, request: Request) -> LucidGreenError:
    """The error to raise once retrying stops: a write whose outcome is unclear (its answer
    lost, or a 5xx) is a :class:`WriteOutcomeUnknown`."""
    if isinstance(error, ServerError) and error.outcome_unknown and request.method not in READS:
        return retyped(error, ServerErrorOutcomeUnknown)
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
