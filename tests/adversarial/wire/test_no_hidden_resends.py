"""aiohttp never resends an SDK request by itself: the server's count is the SDK's count.

The server answers the first request on each connection and drops the connection, without
answering, as soon as a second request arrives on it: what a server whose keep-alive just
ran out does to a pooled connection. aiohttp would send a GET, PUT or DELETE met that way a
second time on its own (``_retry_connection``); the SDK's transport refuses that, so every
request the server reads is an attempt the pipeline counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

import lucidgreen
from lucidgreen import retry
from lucidgreen._transport import AiohttpTransport, Request, Timeout
from tests.adversarial.support import read_request


class DropsReusedConnections:
    """Counts every request it reads; answers a connection's first, drops its second."""

    def __init__(self) -> None:
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = 0
        try:
            while True:
                await read_request(reader)
                self.requests += 1
                served += 1
                if served > 1:
                    return  # read, never answered: the connection drops
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/api/v1.2/thing/"


@pytest.fixture
async def server() -> AsyncIterator[DropsReusedConnections]:
    fake = DropsReusedConnections()
    fake.server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    yield fake
    fake.server.close()
    await fake.server.wait_closed()


@pytest.fixture(params=["default-session", "caller-session"])
async def session(request: pytest.FixtureRequest) -> AsyncIterator[aiohttp.ClientSession | None]:
    """None (the SDK makes its own session) or a caller's session, closed after the test."""
    if request.param == "default-session":
        yield None
        return
    async with aiohttp.ClientSession() as caller:
        yield caller


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_dropped_pooled_connection_is_not_resent_by_aiohttp(
    server: DropsReusedConnections, method: str, session: aiohttp.ClientSession | None
) -> None:
    """The transport sends one try; aiohttp's hidden second try never reaches the server."""
    transport = AiohttpTransport(session)
    try:
        first = await transport.send(Request(method, server.url), timeout=Timeout(5))
        assert first.status == 200
        with pytest.raises(lucidgreen.TransportError):
            await transport.send(Request(method, server.url), timeout=Timeout(5))
        assert server.requests == 2, f"aiohttp {aiohttp.__version__} resent the request"
    finally:
        await transport.aclose()


async def test_a_caller_session_keeps_its_own_middlewares(
    server: DropsReusedConnections,
) -> None:
    """The one-try guard is added to the caller's middlewares, not in their place."""
    seen: list[str] = []

    async def note(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        seen.append(request.method)
        return await handler(request)

    async with aiohttp.ClientSession(middlewares=(note,)) as session:
        transport = AiohttpTransport(session)
        await transport.send(Request("GET", server.url), timeout=Timeout(5))
        assert seen == ["GET"]


async def test_server_count_equals_sdk_attempts_for_a_read_on_a_stale_connection(
    server: DropsReusedConnections, session: aiohttp.ClientSession | None
) -> None:
    """A read met by a dropped pooled connection is retried by the pipeline, counted."""
    base = server.url.split("/api/", 1)[0]
    async with lucidgreen.RetailClient(token="t" * 20, base_url=base, session=session) as client:
        with retry.without_sleeping():
            await client.operations.request("GET", "thing/")
            await client.operations.request("GET", "thing/")
        assert server.requests == client.stats.requests == 3


async def test_an_unsafe_write_never_meets_a_stale_pooled_connection(
    server: DropsReusedConnections,
) -> None:
    """With the client's own session, a write it will not resend goes on a fresh
    connection, so an idle pooled one the server dropped cannot make its outcome unknown."""
    base = server.url.split("/api/", 1)[0]
    async with lucidgreen.RetailClient(token="t" * 20, base_url=base) as client:
        await client.operations.request("GET", "thing/")  # leaves a pooled connection behind
        await client.operations.request("POST", "thing/", json={"a": 1})
        assert server.requests == client.stats.requests == 2
