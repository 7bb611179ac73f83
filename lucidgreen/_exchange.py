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
from collections.abc import AsyncIterator, Callable

import attrs

from . import _envelopes
from ._report import Reporter
from ._retyping import copied
from ._secrets import echoed_secrets, redact
from ._transport import Request, Response, StreamedResponse, Timeout, Transport
from ._write_safety import READS, loss_leaves_doubt, status_leaves_doubt
from .errors import (
    ConnectError,
    DecodeError,
    LucidGreenError,
    RequestTimeout,
    TransportError,
    scrubbed,
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
        try:
            response = await self.transport.send(sent, timeout=timeout)
        except TransportError as exc:
            outcome: Response | LucidGreenError = _with_doubt(exc, request, prior_outcome_unknown)
        except DecodeError as exc:  # an answer past the body cap: no status to report
            outcome = exc
        except (TimeoutError, OSError) as exc:  # a transport of the caller's, failing plainly
            outcome = _with_doubt(_as_transport_error(exc, request), request, prior_outcome_unknown)
        except BaseException as exc:
            # Cut short (cancelled): the request may have reached the server, so it is
            # reported as an exchange without an answer, and the cancellation goes on.
            with contextlib.suppress(Exception):
                report(exc, None, request_id)
            raise
        else:
            status = response.status
            outcome = self._classify(request, response, token, prior_outcome_unknown)
            request_id = response.request_id or request_id
        report(outcome, status, request_id)
        return outcome

    @contextlib.asynccontextmanager
    async def stream(
        self, request: Request, *, timeout: Timeout
    ) -> AsyncIterator[StreamedResponse]:
        """One unauthenticated exchange whose body is read as a stream: reported when its
        head arrives, or when it fails before that (the body is the reader's)."""
        self.check_open()
        report = self._started(request, 1)
        request_id = request.headers.get("X-Request-ID")
        reported = False
        try:
            async with self.transport.stream(request, timeout=timeout) as streamed:
                reported = True
                report(streamed, streamed.status, streamed.headers.get("x-request-id", request_id))
                yield streamed
        except BaseException as exc:
            if not reported:
                with contextlib.suppress(Exception):
                    report(exc, None, request_id)
            raise

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

    @staticmethod
    def _classify(
        request: Request, response: Response, token: str | None, prior_outcome_unknown: bool
    ) -> Response | LucidGreenError:
        """``response``, or the error its status and envelope stand for (scrubbed)."""
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
        if failure is None:
            return response
        return scrubbed(failure, echoed_secrets(request, token, failure))


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
