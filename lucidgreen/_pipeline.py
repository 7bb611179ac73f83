"""The send path, top to bottom: one SDK request from the caller to its answer.

::

    send            a call: its X-Request-ID, deadline and tracing observer
    _retrying       the retry decision: send again after this failure, or raise
    _authorised     the auth flow: a 401 on a still-current token renews it, replays once
    _budgeted       a token, then rate-limit budget (no budget held while a token renews)
    _exchange       one attempt on the wire: Exchange sends and classifies, permit settled
    stream          beside send: a download sent once, body streamed, counted the same

Each step is one method and one concern; everything it needs is given at construction.
Built in one phase, bottom up, by the client::

    exchange = Exchange(transport, product, Reporter(product, hooks))
    tokens = Pipeline(exchange, auth=None, limiter=None, ...)   # /o/token/: retries only
    auth = ClientCredentials(..., send=tokens.send)
    pipeline = Pipeline(exchange, auth=auth, limiter=bucket, ...)

It lives in our code, not in aiohttp middleware, so that it behaves the same under
aioresponses (which patches the session method where aiohttp runs middleware) and under any
other :class:`~lucidgreen.transport.Transport`. The write rules it applies (which methods
read, when an outcome is in doubt) live in :mod:`lucidgreen._write_safety`.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final, Literal

from . import _raw, retry
from ._call import Call, request_id
from ._events import Stats
from ._exchange import Exchange
from ._instrument import CallName, CallObserver, current_call_name, current_observer
from ._report import Reporter
from ._retry_budget import RetryBudget
from ._transport import Request, Response, StreamedResponse, Timeout
from ._write_safety import final_error, raised_before_sending, unsafe_on_a_fresh_connection
from .auth import Auth
from .errors import (
    AuthenticationError,
    DeadlineExceeded,
    LucidGreenError,
    RateLimited,
    TransportError,
)
from .ratelimit import Permit, RateLimiter

__all__ = ["PRODUCT_BUDGET", "Pipeline"]


class _Budget(enum.Enum):
    """Marks the product's own budget as ``send``'s default ``limiter``."""

    PRODUCT = enum.auto()


PRODUCT_BUDGET: Final = _Budget.PRODUCT
"""``send(..., limiter=PRODUCT_BUDGET)``: spend the product's own rate-limit budget."""


class Pipeline:
    """Sends requests for one product: one rate-limit budget, one credential.

    ``with_options`` gives a pipeline with another retry policy or timeout that shares
    everything else (exchange, reporter, closed state, token, budget). ``name`` names every
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
        self.reporter: Final[Reporter] = exchange.reporter
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
        return self.reporter.stats

    @property
    def product(self) -> str:
        return self.exchange.product

    async def send(
        self,
        request: Request,
        *,
        replay: retry.Replay = retry.Replay.SAFE,
        limiter: RateLimiter | Literal[_Budget.PRODUCT] | None = PRODUCT_BUDGET,
        name: CallName | None = None,
    ) -> Response:
        """Send ``request`` until it succeeds or the policy gives up; raise the last error.

        ``limiter`` overrides the product's budget (``None`` spends none, e.g. a token
        request or a presigned download). ``name`` names the call when it is one of its own
        (a pager's page), as for :meth:`stream`.
        """
        self.exchange.check_open()  # fail now, not after waiting for rate-limit budget
        budget = self.limiter if limiter is PRODUCT_BUDGET else limiter
        call = self._call_for(request, replay, name)
        try:
            response = await self._retrying(call, budget)
        except BaseException as exc:
            call.ended(exc)
            raise
        call.ended(None)
        if self._call_name is None:  # a token request's answer is not the caller's response
            _raw.record(
                response,
                request_id=call.request.headers.get("X-Request-ID"),
                elapsed=call.elapsed(),
                attempts=call.attempts,
            )
        return response

    @asynccontextmanager
    async def stream(
        self, request: Request, *, name: CallName | None = None
    ) -> AsyncIterator[StreamedResponse]:
        """``request``'s answer as a stream, sent once (no retry, budget or token): for
        unauthenticated downloads, whose reader handles a failure mid-body itself.

        Counted, hooked and traced like any attempt (a call named ``name`` of its own
        outside an observed method); its spans end when the head arrives.
        """
        self.exchange.check_open()
        if request.authenticated:
            raise ValueError("Pipeline.stream sends unauthenticated requests only")
        call = self._call_for(request, retry.Replay.SAFE, name)
        attempt = _attempt_started(call, None, 0)
        call.attempts, call.sent = 1, True
        head_seen = False
        try:
            async with self.exchange.stream(attempt, timeout=self.timeout) as streamed:
                head_seen = True
                call.attempt_ended(attempt, Response(streamed.status, streamed.headers, b""))
                call.ended(None)
                yield streamed
        except BaseException as exc:
            if not head_seen:
                call.attempt_ended(attempt, exc)
                call.ended(exc)
            raise

    def _call_for(
        self, request: Request, replay: retry.Replay, name: CallName | None = None
    ) -> Call:
        """The call sending ``request``: its own request id, its deadline starting now, and
        who observes it (a resource method running in this context, or a call of its own)."""
        if self.retry_budget is not None:
            self.retry_budget.first_attempt()
        observer, owns_observer = self._observer(name)
        return Call(
            unsafe_on_a_fresh_connection(request, replay).with_headers(
                {"X-Request-ID": request_id()}
            ),
            replay,
            self.retry_policy,
            asyncio.get_running_loop().time(),
            observer=observer,
            owns_observer=owns_observer,
        )

    def _observer(self, name: CallName | None) -> tuple[CallObserver | None, bool]:
        """The call's observer and whether the call owns it (starts and ends it).

        Inside an observed resource method, report to it; otherwise (a page, a token
        request, which always stands alone) this send is a call of its own, ``name`` when
        given.
        """
        if not self.reporter.instrumented:
            return None, False
        observer = None if self._call_name is not None else current_observer()
        if observer is not None:
            return observer, False
        name = name or self._call_name or current_call_name()
        return self.reporter.call_started(name or CallName(f"{self.product}.request")), True

    async def _retrying(self, call: Call, budget: RateLimiter | None) -> Response:
        """Attempts until one succeeds; when retrying stops, raise what the caller gets."""
        while True:
            try:
                outcome = await self._authorised(call, budget)
            except LucidGreenError as exc:
                # Raised before an attempt left (the token, the budget): a write an earlier
                # attempt may have applied is still in doubt.
                final = raised_before_sending(
                    exc, call.request, sent=call.sent, in_doubt=call.outcome_unknown
                )
                if final is exc:
                    raise
                raise final from exc
            if isinstance(outcome, Response):
                return outcome
            delay = self._retry_delay(call, outcome)
            if delay is None:
                final = final_error(outcome, call.request)
                if final is outcome:
                    raise outcome
                raise final from outcome
            self.reporter.retry_scheduled(
                call.observer,
                call.request,
                outcome,
                retry_number=call.retries,
                max_retries=self.retry_policy.max_retries,
                delay=delay,
            )
            await _wait_to_retry(call, outcome, delay, budget)

    def _retry_delay(self, call: Call, error: LucidGreenError) -> float | None:
        """Seconds to wait before sending again after ``error``, or None to stop: the
        policy decides, and the client-wide retry budget must pay for it."""
        call.retries += 1
        delay = self.retry_policy.next_delay(
            error, retry_number=call.retries, replay=call.replay, elapsed=call.elapsed()
        )
        call.note_failure(error)
        if delay is None or not _budget_allows(self.retry_budget, error):
            return None
        return delay

    async def _authorised(
        self, call: Call, budget: RateLimiter | None
    ) -> Response | LucidGreenError:
        """The auth flow: one attempt with the current token. A 401 on a token that is
        still the current one drops it, and the request is replayed with a new one, once
        per call."""
        outcome, token = await self._budgeted(call, budget)
        if await self._renewed_after(call, outcome, token):
            outcome, _ = await self._budgeted(call, budget)
        return outcome

    async def _renewed_after(
        self, call: Call, outcome: Response | LucidGreenError, token: str | None
    ) -> bool:
        if (
            not isinstance(outcome, AuthenticationError)
            or token is None
            or self.auth is None
            or call.renewed_after_401
            or not await self.auth.invalidate(token)
        ):
            return False
        call.renewed_after_401 = True
        self.reporter.replayed_after_401(call.observer)
        return True

    async def _budgeted(
        self, call: Call, budget: RateLimiter | None
    ) -> tuple[Response | LucidGreenError, str | None]:
        """A token, a permit, one exchange. The permit is settled when the exchange ends,
        or released when nothing was sent."""
        auth = self.auth if call.request.authenticated else None
        issued = _tokens_issued(auth) if call.observer is not None else 0
        token, permit = await self._token_then_permit(call, auth, budget)
        try:
            # Nothing has left yet: whatever fails here (the deadline, a user's hook) gives
            # the permit back.
            timeout = call.attempt_timeout(self.timeout)  # the wait may have cut it further
            if permit is not None and permit.waited > 0:
                self.reporter.limiter_waited(call.observer, permit.waited)
            request = _attempt_started(call, auth, issued)
        except BaseException:
            if permit is not None:
                await permit.release()
            raise
        return await self._exchange(call, request, timeout, token, permit), token

    async def _token_then_permit(
        self, call: Call, auth: Auth | None, budget: RateLimiter | None
    ) -> tuple[str | None, Permit | None]:
        """The token first, so no budget is held while a renewal runs; a token that expired
        while the permit was awaited is renewed before the budget is spent."""
        timeout = call.attempt_timeout(self.timeout)
        while True:
            token = None
            if auth is not None:
                token = await call.within_allowance(auth.token, "waiting for a token")
            permit = None if budget is None else await self._acquire(call, budget, timeout)
            if permit is None or token is None or auth is None or auth.is_current(token):
                return token, permit
            await permit.release()

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

    async def _exchange(
        self,
        call: Call,
        request: Request,
        timeout: Timeout,
        token: str | None,
        permit: Permit | None,
    ) -> Response | LucidGreenError:
        """One attempt on the wire. Its permit is settled (counted as sent) unless the
        transport proves not one byte left, which gives it back."""
        call.attempts += 1
        sent_before, call.sent = call.sent, True
        try:
            outcome = await self.exchange.send(
                request,
                timeout=timeout,
                attempt=call.attempts,
                token=token,
                prior_outcome_unknown=call.outcome_unknown,
            )
        except BaseException as exc:
            call.attempt_ended(request, exc)
            # Cancelled mid-exchange (often still waiting for a pooled connection): count it
            # from now rather than hold the budget until send + timeout for a request that
            # most likely never left.
            if permit is not None:
                await permit.settle()
            raise
        call.attempt_ended(request, outcome)
        unsent = isinstance(outcome, TransportError) and not outcome.request_sent
        if unsent:
            call.sent = sent_before
        if permit is not None:
            await (permit.release() if unsent else permit.settle())
        return outcome


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


def _tokens_issued(auth: Auth | None) -> int:
    """How many tokens ``auth`` has been issued (0 for credentials that do not renew)."""
    issued = getattr(auth, "tokens_issued", 0)
    return issued if isinstance(issued, int) else 0
