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

__all__ = ["middlewares_for"]

_RESENT_ON: tuple[type[BaseException], ...] = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
)


class _OneTry:
    """A middleware that lets one try of its request reach the connection, never a second."""

    __slots__ = ("_failure", "_tried")

    def __init__(self) -> None:
        self._tried = False
        self._failure: BaseException | None = None

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        if self._tried:
            # aiohttp is about to resend on its own: give it back the first failure instead.
            raise self._failure or aiohttp.ServerDisconnectedError()
        self._tried = True
        try:
            return await handler(request)
        except _RESENT_ON as exc:
            self._failure = exc
            raise


def middlewares_for(session: aiohttp.ClientSession) -> tuple[Any, ...]:
    """The ``middlewares=`` for one request of ``session``: its own, then the one-try guard.

    Build it per request (the guard counts tries of one request) and per hop of a redirect.
    """
    own: Sequence[Any] = getattr(session, "_middlewares", ()) or ()
    return (*own, _OneTry())
