"""aiohttp's own resend, refused: every request on the wire is one the pipeline counted.

aiohttp (3.10 to at least 3.14, ``ClientSession._request``) sends a GET, HEAD, OPTIONS,
TRACE, PUT or DELETE a second time, by itself, when the first try met
``ServerDisconnectedError`` or ``ClientOSError`` (a pooled connection the server had
closed). The flag behind it, ``ClientSession._retry_connection``, is private and belongs
to the session, so a caller's ``session=`` cannot be changed without changing its other
requests. Instead each SDK request carries a per-request middleware (aiohttp runs the
middlewares once per try, inside that resend loop): it lets the first try through and
answers a second one with the first try's error, which aiohttp then raises. The pipeline
sees the failure and decides, counting the attempt, whether to send again.

A per-request ``middlewares=`` replaces the session's, so the session's own middlewares
are kept in front of this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp

__all__ = ["AnsweredAlready", "Wire", "middlewares_for"]

_RESENT_ON: tuple[type[BaseException], ...] = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
)


class Wire:
    """Whether one SDK request is proven never to have reached its connection.

    aiohttp sets ``ClientRequest.response`` once the request's headers are written (into
    the connection's buffer, sent with the body): before that no byte can have left, so a
    failure then (a proxy refusing ``CONNECT``, a TLS handshake or a wait for a pooled
    connection cut by the timeout) proves the request unsent. Proof needs the guard to have
    run: where aiohttp's request path is replaced (aioresponses), nothing is proven.
    """

    __slots__ = ("reached", "watched")

    def __init__(self) -> None:
        self.watched = False
        self.reached = False

    @property
    def never_sent(self) -> bool:
        return self.watched and not self.reached


class AnsweredAlready(aiohttp.ClientError):
    """A try refused because the one before it was answered (a caller's middleware trying a
    5xx again): carries that answer, whose status and headers the SDK reports. Its body may
    be gone: the middleware may have released it before trying again."""

    def __init__(self, answer: aiohttp.ClientResponse) -> None:
        super().__init__(f"HTTP {answer.status} was answered already; not sent again")
        self.answer = answer


class _OneTry:
    """A middleware that lets one try of its request reach the connection, never a second."""

    __slots__ = ("_answer", "_failure", "_tried", "_wire")

    def __init__(self, wire: Wire) -> None:
        self._tried = False
        self._failure: BaseException | None = None
        self._answer: aiohttp.ClientResponse | None = None
        self._wire = wire

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        if self._tried:
            # aiohttp (or a caller's middleware) would send it again: give back what the one
            # try met instead, its answer or its failure.
            if self._answer is not None:
                raise AnsweredAlready(self._answer)
            raise self._failure or aiohttp.ServerDisconnectedError()
        self._tried = True
        self._wire.watched = True
        try:
            self._answer = await handler(request)
        except _RESENT_ON as exc:
            self._failure = exc
            raise
        finally:
            # Typed as always set; None until the headers are written (see Wire).
            if getattr(request, "response", None) is not None:
                self._wire.reached = True
        return self._answer


def middlewares_for(session: aiohttp.ClientSession, wire: Wire) -> tuple[Any, ...]:
    """The ``middlewares=`` for one request of ``session``: its own, then the one-try guard,
    which notes on ``wire`` whether the request reached its connection.

    Build it per request (the guard counts tries of one request) and per hop of a redirect.
    """
    own: Sequence[Any] = getattr(session, "_middlewares", ()) or ()
    return (*own, _OneTry(wire))
