"""One HTTP exchange: send, then classify the answer. The only place above the transport
that sends.

:class:`Exchange` sends one request and turns the answer into a response or the SDK error it
stands for, built complete with the call's context and scrubbed of what it must not repeat;
it returns that error rather than raising it, so the pipeline decides what comes next. It
tells its :class:`~lucidgreen._report.Reporter` about every exchange. It does not retry,
wait for budget or fetch tokens: :mod:`lucidgreen._pipeline` does that on top of it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

import attrs

from . import _envelopes
from ._answers import header_text, ill_typed, without_echoes
from ._report import Reporter
from ._retyping import copied
from ._secrets import echoed_secrets, hidden, redact, scrubbed
from ._transport import Request, Response, StreamedResponse, Timeout, Transport
from ._write_safety import READS, loss_leaves_doubt, status_leaves_doubt
from .errors import (
    ConnectError,
    DecodeError,
    LucidGreenError,
    RequestTimeout,
    TransportError,
)

__all__ = ["READS", "Exchange", "echoed_secrets", "redact"]

_CLOSED = "this lucidgreen client is closed; create a new one"

_Report = Callable[[object, int | None, str | None], None]
"""Reports how one exchange ended: its outcome, answer status and request id."""


@attrs.define
class Exchange:
    """Sends single requests for one product, reporting each to ``reporter``.

    Its closed state is the client's one closed state (:meth:`close`): a closed exchange
    sends nothing, so every path (calls, token requests, downloads) fails the same way.
    """

    transport: Transport
    product: str
    reporter: Reporter
    _closed: bool = attrs.field(default=False, init=False)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Send nothing more (the client is closing)."""
        self._closed = True

    def check_open(self) -> None:
        """Raise ``RuntimeError`` once the client is closed."""
        if self._closed:
            raise RuntimeError(_CLOSED)

    async def send(
        self,
        request: Request,
        *,
        timeout: Timeout,
        attempt: int = 1,
        token: str | None = None,
        prior_outcome_unknown: bool = False,
    ) -> Response | LucidGreenError:
        """One exchange; the error it stands for is returned, not raised.

        ``token`` goes into the ``Authorization`` header of this exchange only.
        """
        self.check_open()
        sent = request
        if token is not None:
            sent = request.with_headers({"Authorization": f"Bearer {token}"})
        report = self._started(sent, attempt)
        status: int | None = None
        request_id = request.headers.get("X-Request-ID")
        outcome: Response | LucidGreenError
        answered: str | None = None  # the URL that answered (a download may be redirected)
        try:
            response = await self.transport.send(sent, timeout=timeout)
        except BaseException as exc:
            failure = self._failure(exc, request, prior_outcome_unknown)
            if failure is None:
                # Cut short (cancelled): the request may have reached the server, so it is
                # reported as an exchange without an answer, and the cancellation goes on.
                with contextlib.suppress(Exception):
                    report(exc, None, request_id)
                raise
            outcome = failure
        else:
            values = header_text(response)
            if values is None:
                failure = TransportError(f"{self._sender(request)} {ill_typed(response)}")
                outcome = _with_doubt(failure, request, prior_outcome_unknown)
            else:
                status, answered = response.status, response.url
                secrets = echoed_secrets(sent, token, answered=answered)
                response = without_echoes(response, values, secrets)
                outcome = self._classify(request, response, prior_outcome_unknown)
                request_id = response.request_id or request_id
        if isinstance(outcome, LucidGreenError):
            # Whatever the transport (ours or a caller's) or the answer repeats of what was sent.
            outcome = scrubbed(outcome, echoed_secrets(sent, token, outcome, answered=answered))
        report(outcome, status, request_id)
        return outcome

    @contextlib.asynccontextmanager
    async def stream(
        self, request: Request, *, timeout: Timeout
    ) -> AsyncIterator[StreamedResponse]:
        """One unauthenticated exchange whose body is read as a stream: reported when its
        head arrives, or when it fails before that (the body is the reader's). Its failures,
        opening or mid-body, are scrubbed of the request's secrets (a presigned query)."""
        self.check_open()
        report = self._started(request, 1)
        request_id = request.headers.get("X-Request-ID")
        secrets = echoed_secrets(request)
        reported = False
        try:
            async with self.transport.stream(request, timeout=timeout) as streamed:
                reported = True
                # Redirected to another signed URL: its query is a credential too.
                answered = getattr(streamed, "url", None)
                if isinstance(answered, str) and answered != request.url:
                    secrets = echoed_secrets(request, answered=answered)
                answered_id = streamed.headers.get("x-request-id")
                shown_id = request_id if answered_id is None else hidden(answered_id, secrets)
                report(streamed, streamed.status, shown_id)
                yield _Scrubbing(streamed, secrets, answered)
        except BaseException as exc:
            if reported:  # the reader's, past the head (its reads go through _Scrubbing)
                raise
            failure = scrubbed(exc, secrets) if isinstance(exc, LucidGreenError) else exc
            with contextlib.suppress(Exception):
                report(failure, None, request_id)
            if failure is exc:
                raise
        else:
            return
        raise failure  # outside the except block: not chained to the unscrubbed error

    def _started(self, request: Request, attempt: int) -> _Report:
        """Count an exchange of ``request`` as started; how to report how it ended."""
        started = time.monotonic()
        self.reporter.sending()

        def report(outcome: object, status: int | None, request_id: str | None) -> None:
            self.reporter.exchanged(
                request,
                outcome,
                status=status,
                elapsed=time.monotonic() - started,
                attempt=attempt,
                request_id=request_id,
            )

        return report

    def _failure(
        self, error: BaseException, request: Request, prior: bool
    ) -> LucidGreenError | None:
        """The SDK error a transport's raised ``error`` stands for, saying whether a write
        is in doubt (``prior``: an earlier attempt left it so); None for what goes on as it
        is (a cancellation, an interrupt, an SDK error of another kind)."""
        if isinstance(error, DecodeError):  # an answer past the body cap: no status to report
            return error
        if isinstance(error, TransportError):
            return _with_doubt(error, request, prior)
        if isinstance(error, LucidGreenError) or not isinstance(error, Exception):
            return None
        if isinstance(error, TimeoutError | OSError):  # a transport of the caller's, plainly
            return _with_doubt(_as_transport_error(error, request), request, prior)
        if type(self.transport).__module__.startswith(_SDK_TRANSPORTS):
            # Their own failures are SDK errors already; what else they raise is a usage error
            # met before anything left (a client used on a second event loop, a MockTransport
            # handler answering a dict) or a test handler's own assertion: as it is.
            return None
        # A bug of a custom transport, maybe after the request left: a write is in doubt.
        # Not chained (its text is scrubbed by send, a chained original would not be).
        said = f"{self._sender(request)} raised {type(error).__name__}: {_text_of(error)}"
        return _with_doubt(TransportError(said), request, prior)

    def _sender(self, request: Request) -> str:
        return f"{request.method} {request.shown_url}: {type(self.transport).__name__}.send"

    @staticmethod
    def _classify(
        request: Request, response: Response, prior_outcome_unknown: bool
    ) -> Response | LucidGreenError:
        """``response``, or the error its status and envelope stand for (not scrubbed yet)."""
        failure = _envelopes.error_for(
            response.status,
            response.headers,
            response.body,
            now=time.time(),
            method=request.method,
            url=request.shown_url,
            request_id=request.headers.get("X-Request-ID"),
            prior_outcome_unknown=prior_outcome_unknown,
            outcome_unknown=prior_outcome_unknown or status_leaves_doubt(request, response.status),
        )
        return response if failure is None else failure


def _text_of(error: BaseException) -> str:
    """``str(error)``, cut short; a ``__str__`` that fails says nothing."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - a failing __str__ must not hide the transport's bug
        return "(its message could not be read)"
    return text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + " …"


_SHOWN_TEXT: Final = 200
_SDK_TRANSPORTS: Final = ("lucidgreen._transport.", "lucidgreen.testing.")


def _with_doubt(error: TransportError, request: Request, prior: bool) -> TransportError:
    """``error`` saying whether the server may have applied ``request``, by this attempt or
    an earlier one (``prior``); rebuilt, not patched, when the transport did not say it."""
    unknown = prior or loss_leaves_doubt(request, error.request_sent)
    return error if error.outcome_unknown == unknown else copied(error, outcome_unknown=unknown)


def _as_transport_error(error: TimeoutError | OSError, request: Request) -> TransportError:
    """A transport's plain Python failure in the SDK's terms: only a refused connection
    proves nothing left; anything else may have come after the request was sent."""
    where = f"{request.method} {request.shown_url}: {type(error).__name__}"
    if isinstance(error, ConnectionRefusedError):
        return ConnectError(f"{where}: cannot connect")
    if isinstance(error, TimeoutError):
        return RequestTimeout(f"{where}: timed out")
    # Only the OS's own words (strerror): a custom transport's message may hold anything.
    return TransportError(f"{where}: {error.strerror}" if error.strerror else where)


class _Scrubbing:
    """A streamed answer whose read failures are scrubbed of ``secrets`` like any other
    (raised outside the ``except`` block, so not chained to the original)."""

    def __init__(self, streamed: StreamedResponse, secrets: list[str], url: object = None) -> None:
        self._streamed = streamed
        self._secrets = secrets
        self.status = streamed.status
        self.headers = streamed.headers
        self.url = url if isinstance(url, str) else None  # where it came from, if told

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        chunks = aiter(self._streamed.iter_chunks(size))
        try:
            while (chunk := await self._next(chunks)) is not None:
                yield chunk
        finally:
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()

    async def read(self) -> bytes:
        return await self._scrubbed(self._streamed.read())

    async def _next(self, chunks: AsyncIterator[bytes]) -> bytes | None:
        try:
            return await self._scrubbed(anext(chunks))
        except StopAsyncIteration:
            return None

    async def _scrubbed(self, reading: Awaitable[bytes]) -> bytes:
        try:
            return await reading
        except LucidGreenError as exc:
            failure = scrubbed(exc, self._secrets)
            if failure is exc:
                raise
        raise failure
