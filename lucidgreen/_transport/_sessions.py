"""The SDK's own aiohttp sessions: opened on first use, bound to their loop, closed with it.

aiohttp binds a session, its connector and every pooled socket to the loop that opened them;
none of them can be closed once that loop is closed. So the sessions close *with* their loop:
opening them starts an async generator that the loop knows of, and
``loop.shutdown_asyncgens()``, which ``asyncio.run()`` and ``asyncio.Runner`` call before
closing the loop, runs its ``finally`` on that loop. A client left open at the end of an
``asyncio.run()`` thus leaves no socket behind, and nothing here touches aiohttp's or asyncio's
private state.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncGenerator

import aiohttp

__all__ = ["CallerSession", "OwnSessions"]


class OwnSessions:
    """The pooled session, and the one whose every request gets a connection of its own.

    ``in_flight`` bounds the requests in flight on both together, since each connector alone
    bounds only its own. A loop closed without ``shutdown_asyncgens()`` (a hand-run loop)
    leaves its sockets to asyncio's own finalisers (which report them as a
    ``ResourceWarning``): close the client inside its loop there.
    """

    def __init__(self, *, connection_limit: int, ssl_context: ssl.SSLContext | bool) -> None:
        self._connection_limit = connection_limit
        self._ssl = ssl_context
        self.pooled: aiohttp.ClientSession | None = None
        self._fresh: aiohttp.ClientSession | None = None
        self.in_flight: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closer: AsyncGenerator[None, None] | None = None

    async def session(self, *, fresh_connection: bool) -> aiohttp.ClientSession:
        """The session for the running loop; ``RuntimeError`` on any other loop."""
        pooled = self.pooled
        if pooled is None or self._loop is not asyncio.get_running_loop():
            pooled = await self._open()
        if not fresh_connection:
            return pooled
        if self._fresh is None:
            self._fresh = self._new(pooled=False)
        return self._fresh

    async def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            state = "is closed" if self._loop.is_closed() else "is another one"
            raise RuntimeError(
                "this lucidgreen client was first used on another event loop (that loop "
                f"{state}); its HTTP session belongs to that loop. Create the client inside "
                "the loop that uses it, e.g. one client per asyncio.run()"
            )
        self._loop = loop
        self.pooled = self._new(pooled=True)
        self.in_flight = asyncio.Semaphore(self._connection_limit)
        self._closer = self._close_when_the_loop_ends()
        await anext(self._closer)  # now the loop knows of it: shutdown_asyncgens() closes it
        return self.pooled

    def _new(self, *, pooled: bool) -> aiohttp.ClientSession:
        """The one place a session is opened (connector options go here).

        ``pooled=False``: every request on a connection of its own, closed after its answer.
        """
        connector = aiohttp.TCPConnector(
            limit=self._connection_limit, ssl=self._ssl, force_close=not pooled
        )
        # The proxy of each request is chosen by Network (loopback never proxied).
        return aiohttp.ClientSession(connector=connector, trust_env=False)

    async def _close_when_the_loop_ends(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await self._close_sessions()

    async def _close_sessions(self) -> None:
        sessions = [s for s in (self._fresh, self.pooled) if s is not None]
        self._fresh = self.pooled = None
        for session in sessions:
            await session.close()

    async def aclose(self) -> None:
        """Close the sessions, from whichever loop or thread this runs on."""
        closer, self._closer = self._closer, None
        loop = self._loop
        if closer is None or loop is None:
            return
        if loop.is_running() and loop is not asyncio.get_running_loop():
            # Alive in another thread: let it close its own sockets.
            asyncio.run_coroutine_threadsafe(closer.aclose(), loop)
        else:
            # On a closed loop aiohttp marks the session and connector closed without
            # touching that loop; asyncio's finalisers close the sockets it left open.
            await closer.aclose()


class CallerSession:
    """A caller's session, used as is: its connector bounds its connections, and it is never
    closed here (its owner closes it)."""

    in_flight: None = None

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def session(self, *, fresh_connection: bool) -> aiohttp.ClientSession:
        del fresh_connection  # the caller's pool decides: a reused connection stays possible
        return self._session

    async def aclose(self) -> None:
        """Nothing to close: the session is the caller's."""
