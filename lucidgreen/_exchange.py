"""One HTTP exchange and its bookkeeping: the only place above the transport that sends.

:class:`Exchange` sends one request, turns the answer into a response or the SDK error it
stands for (built complete, with the call's context), and counts, logs and reports it. It
does not retry, wait for budget or fetch tokens: :mod:`lucidgreen._pipeline` and
:mod:`lucidgreen.auth` do that on top of it, each with its own loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import attrs

from . import _envelopes, _instrument
from ._events import Hooks, RequestSent, Stats
from ._transport import Request, Response, Timeout, Transport
from .errors import APIError, DecodeError, LucidGreenError, ServerError, TransportError, scrubbed

__all__ = ["READS", "Exchange", "redact"]

logger = logging.getLogger("lucidgreen.http")

READS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing on the server: their outcome is never in doubt."""

_CLOSED = "this lucidgreen client is closed; create a new one"
_SECRET_VALUE = 8  # query values this long may be signatures or credentials; shorter ones are not


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log: credentials replaced by a marker."""
    return {
        name: "<redacted>" if name.lower() in ("authorization", "cookie") else value
        for name, value in headers.items()
    }


def echoed_secrets(request: Request, token: str | None, error: APIError) -> list[str]:
    """What an error answer to ``request`` must not repeat: the bearer token it carried and,
    for an unauthenticated (presigned) request, its query, the query's values and the query
    of any ``Location`` it names (a signature too)."""
    secrets = [token] if token else []
    if not request.authenticated:
        queries = [urlsplit(request.url).query, urlsplit(error.headers.get("location", "")).query]
        for query in filter(None, queries):
            secrets.append(query)
            secrets += [value for _, value in parse_qsl(query) if len(value) >= _SECRET_VALUE]
    return secrets


def _write_failed(request: Request, status: int) -> bool:
    """A write answered with a 5xx: the server may have acted before failing."""
    return request.method not in READS and status >= 500


def may_have_applied(request: Request, error: LucidGreenError) -> bool:
    """Whether the server may have acted on ``request``, which ended with ``error``.

    Only writes matter; a 5xx or a lost answer leaves their outcome open.
    """
    if request.method in READS:
        return False
    return isinstance(error, ServerError) or (
        isinstance(error, TransportError) and error.request_sent
    )


@attrs.define
class Exchange:
    """Sends single requests for one product and keeps its totals.

    ``closed`` is the client's one closed state: a closed exchange sends nothing, so every
    path (calls, token requests, downloads) fails the same way. ``instrument`` (tracing,
    metrics) is told about every call made through it when set.
    """

    transport: Transport
    product: str
    hooks: Hooks = attrs.field(factory=Hooks)
    stats: Stats = attrs.field(factory=Stats)
    closed: bool = False
    instrument: _instrument.Instrumentation | None = None

    def check_open(self) -> None:
        """Raise ``RuntimeError`` once the client is closed."""
        if self.closed:
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
        started = time.monotonic()
        self.stats.requests += 1
        status: int | None = None
        sent_id = request_id = request.headers.get("X-Request-ID")
        try:
            response = await self.transport.send(sent, timeout=timeout)
        except TransportError as exc:
            self.stats.transport_errors += 1
            exc.outcome_unknown = may_have_applied(request, exc)
            outcome: Response | LucidGreenError = exc
        except DecodeError as exc:  # an answer past the body cap: no status to report
            outcome = exc
        else:
            status = response.status
            failure = _envelopes.error_for(
                response.status,
                response.headers,
                response.body,
                now=time.time(),
                method=request.method,
                url=request.shown_url.split("?", 1)[0],
                request_id=sent_id,
                prior_outcome_unknown=prior_outcome_unknown,
                outcome_unknown=prior_outcome_unknown or _write_failed(request, response.status),
            )
            if failure is not None:
                failure = scrubbed(failure, echoed_secrets(request, token, failure))
            outcome = response if failure is None else failure
            request_id = response.request_id or sent_id
            if status == 429:
                self.stats.rate_limited += 1
            elif status >= 500:
                self.stats.server_errors += 1
        self._report(sent, status, time.monotonic() - started, attempt, request_id)
        return outcome

    def _report(
        self, request: Request, status: int | None, elapsed: float, attempt: int, rid: str | None
    ) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s in %.0f ms (attempt %d, request id %s) headers=%s",
                request.method,
                request.shown_url,
                status or "no answer",
                elapsed * 1000,
                attempt,
                rid,
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
                    request_id=rid,
                )
            )
