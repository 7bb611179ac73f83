"""The one send loop: limiter -> auth -> transport -> envelope -> retry decision -> sleep.

It lives in our code, not in aiohttp middleware, so that it behaves the same under
aioresponses (which patches the session method where aiohttp runs middleware) and under any
other :class:`~lucidgreen._http.Transport`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Final, Literal

import attrs

from . import _envelopes, retry
from ._http import Request, Response, Timeout, Transport
from .auth import Auth
from .errors import (
    APIError,
    AuthenticationError,
    LucidGreenError,
    RateLimited,
    ServerError,
    TransportError,
    WriteOutcomeUnknown,
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
]

logger = logging.getLogger("lucidgreen.http")

_READS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class _Budget(enum.Enum):
    PRODUCT = enum.auto()


PRODUCT_BUDGET: Final = _Budget.PRODUCT
"""``send(..., limiter=PRODUCT_BUDGET)``: spend the product's own rate-limit budget."""


@attrs.frozen
class RequestSent:
    """One HTTP exchange finished (or failed without an answer: ``status`` is None)."""

    product: str
    method: str
    url: str
    status: int | None
    elapsed: float
    attempt: int


@attrs.frozen
class RetryScheduled:
    """A request will be sent again after ``delay`` seconds because of ``reason``."""

    product: str
    method: str
    url: str
    retry_number: int
    delay: float
    reason: str


@attrs.frozen
class LimiterWait:
    """A request waited ``seconds`` for the product's rate-limit budget."""

    product: str
    seconds: float


@attrs.frozen
class Hooks:
    """Callbacks for observability. Each is called synchronously; keep them quick."""

    on_request: Callable[[RequestSent], None] | None = None
    on_retry: Callable[[RetryScheduled], None] | None = None
    on_limiter_wait: Callable[[LimiterWait], None] | None = None


@attrs.define
class Stats:
    """Running totals for one client (read them any time, e.g. for a summary).

    ``replays_after_401`` counts calls replayed with a renewed token; the renewals
    themselves are far fewer, since one renewal serves every call its expiry caught.
    """

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    replays_after_401: int = 0
    limiter_wait_seconds: float = 0.0


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log: credentials replaced by a marker."""
    return {
        name: "<redacted>" if name.lower() in ("authorization", "cookie") else value
        for name, value in headers.items()
    }


def _reason(error: LucidGreenError) -> str:
    if isinstance(error, APIError):
        return f"HTTP {error.status}"
    return f"{type(error).__name__}: {error}"


def _uncertain(error: LucidGreenError) -> bool:
    """Whether the server may have acted on a request that ended with ``error``."""
    return (isinstance(error, TransportError) and error.request_sent) or isinstance(
        error, ServerError
    )


class Pipeline:
    """Sends requests for one product (one rate-limit budget, one credential)."""

    def __init__(
        self,
        transport: Transport,
        *,
        product: str,
        auth: Auth | None,
        limiter: RateLimiter | None,
        retry_policy: retry.RetryPolicy,
        timeout: Timeout,
        hooks: Hooks,
    ) -> None:
        self.transport = transport
        self.product = product
        self.auth = auth
        self.limiter = limiter
        self.retry_policy = retry_policy
        self.timeout = timeout
        self.hooks = hooks
        self.stats = Stats()
        self.closed = False

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
        if self.closed:  # fail now, not after waiting for rate-limit budget
            raise RuntimeError("this lucidgreen client is closed; create a new one")
        budget = self.limiter if limiter is PRODUCT_BUDGET else limiter
        request = request.with_headers({"X-Request-ID": uuid.uuid4().hex})
        loop = asyncio.get_running_loop()
        started = loop.time()
        retry_number = 0
        renewed_after_401 = False
        outcome_unknown = False
        while True:
            error, token = await self._limited_exchange(
                request, budget, attempt=retry_number + 1, elapsed=loop.time() - started
            )
            if isinstance(error, Response):
                return error
            if isinstance(error, APIError):
                error.prior_outcome_unknown = outcome_unknown
                error.request_id = error.request_id or request.headers["X-Request-ID"]
            if (
                isinstance(error, AuthenticationError)
                and token is not None
                and self.auth is not None
                and not renewed_after_401
                and await self.auth.invalidate(token)
            ):
                # A 401 means the token died (expiry, rotation): renew once, replay once.
                renewed_after_401 = True
                self.stats.replays_after_401 += 1
                continue
            retry_number += 1
            delay = self.retry_policy.next_delay(
                error,
                retry_number=retry_number,
                replay=replay,
                elapsed=loop.time() - started,
            )
            outcome_unknown = outcome_unknown or _uncertain(error)
            if delay is None:
                final = self._final(error, request)
                if final is error:
                    raise error
                raise final from error
            self._note_retry(request, error, retry_number, delay)
            if isinstance(error, RateLimited) and budget is not None:
                # The whole product's budget pauses; the next acquire does the waiting.
                await budget.pause(0.0 if retry.is_testing() else delay)
            else:
                await retry.sleep(delay)

    async def _limited_exchange(
        self, request: Request, budget: RateLimiter | None, *, attempt: int, elapsed: float
    ) -> tuple[Response | LucidGreenError, str | None]:
        """Permit, token, one exchange; the permit settled when the exchange ended, or
        released when nothing was sent."""
        loop = asyncio.get_running_loop()
        asked_at = loop.time()
        permit = None if budget is None else await self._acquire(budget, elapsed)
        try:
            token = await self.auth.token() if request.authenticated and self.auth else None
        except BaseException:
            if permit is not None:
                await permit.release()  # nothing was sent
            raise
        timeout = self._attempt_timeout(elapsed + loop.time() - asked_at)
        try:
            outcome = await self._exchange(request, token, attempt=attempt, timeout=timeout)
        except BaseException:
            if permit is not None:
                await permit.settle()  # cancelled mid-exchange: it may have been seen
            raise
        if permit is not None:
            if isinstance(outcome, TransportError) and not outcome.request_sent:
                await permit.release()
            else:
                await permit.settle()
        return outcome, token

    async def _acquire(self, budget: RateLimiter, elapsed: float) -> Permit:
        """A permit whose ``hold`` is this attempt's timeout, within what is left of the
        policy's deadline."""
        deadline = self.retry_policy.deadline
        max_wait = None if deadline is None else max(deadline - elapsed, 0.0)
        permit = await budget.acquire(hold=self._attempt_timeout(elapsed).total, max_wait=max_wait)
        waited = permit.waited
        if waited > 0:
            self.stats.limiter_wait_seconds += waited
            if self.hooks.on_limiter_wait is not None:
                self.hooks.on_limiter_wait(LimiterWait(self.product, waited))
        return permit

    def _attempt_timeout(self, elapsed: float) -> Timeout:
        """The configured timeout, cut to what is left of the policy's deadline."""
        deadline = self.retry_policy.deadline
        if deadline is None:
            return self.timeout
        return self.timeout.cut_to(max(deadline - elapsed, 0.001))

    async def _exchange(
        self, request: Request, token: str | None, *, attempt: int, timeout: Timeout
    ) -> Response | LucidGreenError:
        """One HTTP exchange; the error it stands for is returned, not raised."""
        if token is not None:
            request = request.with_headers({"Authorization": f"Bearer {token}"})
        started = time.monotonic()
        self.stats.requests += 1
        status: int | None = None
        try:
            response = await self.transport.send(request, timeout=timeout)
        except TransportError as exc:
            self.stats.transport_errors += 1
            outcome: Response | LucidGreenError = exc
        else:
            status = response.status
            failure = _envelopes.error_for(
                response.status, response.headers, response.body, now=time.time()
            )
            outcome = response if failure is None else failure
            if status == 429:
                self.stats.rate_limited += 1
            elif status >= 500:
                self.stats.server_errors += 1
        elapsed = time.monotonic() - started
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s in %.0f ms (attempt %d) headers=%s",
                request.method,
                request.shown_url,
                status or "no answer",
                elapsed * 1000,
                attempt,
                redact(request.headers),
            )
        if self.hooks.on_request is not None:
            self.hooks.on_request(
                RequestSent(
                    self.product, request.method, request.shown_url, status, elapsed, attempt
                )
            )
        return outcome

    def _note_retry(
        self, request: Request, error: LucidGreenError, retry_number: int, delay: float
    ) -> None:
        self.stats.retries += 1
        reason = _reason(error)
        logger.info(
            "retrying %s %s in %.2f s (retry %d, %s)",
            request.method,
            request.shown_url,
            delay,
            retry_number,
            reason,
        )
        if self.hooks.on_retry is not None:
            self.hooks.on_retry(
                RetryScheduled(
                    self.product, request.method, request.shown_url, retry_number, delay, reason
                )
            )

    @staticmethod
    def _final(error: LucidGreenError, request: Request) -> LucidGreenError:
        """The error to raise once retrying stops: a lost write answer says so."""
        if (
            isinstance(error, TransportError)
            and not isinstance(error, WriteOutcomeUnknown)
            and error.request_sent
            and request.method not in _READS
        ):
            return WriteOutcomeUnknown(
                f"{error} — the answer to this {request.method} was lost, so the server may "
                "have applied it; check before sending it again"
            )
        return error
