"""``max_connections`` is "the most requests on the wire at once", also now that a write the
SDK will not resend travels on a connection of its own (the stale-connection rule of #20).

The server counts the requests it is working on at once: a slow read holds one, and a write
the API cannot recognise is sent meanwhile. With ``max_connections=1`` the write must wait
for the read to be answered, not go out beside it on a second connection. (Like aiohttp's own
``limit``, an idle keep-alive connection is not a request on the wire: the read's may stay
open while the write uses a fresh one.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

import lucidgreen
from lucidgreen.ratelimit import Unlimited
from tests.adversarial.support import tcp_server
from tests.adversarial.wire.hostile import Answer

Write = Callable[[lucidgreen.RetailClient], Awaitable[Any]]
WRITES: dict[str, Write] = {
    "PUT": lambda c: c.operations.request("PUT", "/api/v1/inventory/", json={"a": 1}),
    "POST": lambda c: c.operations.request("POST", "/api/v1/inventory/", json={"a": 1}),
}


class _Connections:
    """Counts requests read and not yet answered, at once; a GET is answered after ``hold``
    seconds."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.working = 0
        self.most = 0
        self.reads_started = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                self.working += 1
                self.most = max(self.most, self.working)
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                if head.startswith(b"GET "):
                    self.reads_started.set()
                    await asyncio.sleep(self.hold)
                writer.write(Answer(200, {"status": "success", "request_id": "r"}).encoded())
                await writer.drain()
                self.working -= 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass


def _content_length(head: bytes) -> int:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value)
    return 0


@asynccontextmanager
async def _one_connection(server: _Connections) -> AsyncIterator[lucidgreen.RetailClient]:
    """A client with ``max_connections=1`` (and no retries) on ``server``."""
    async with (
        tcp_server(server.handle) as url,
        lucidgreen.RetailClient(
            token="TOKEN-max-connections-1",
            base_url=url,
            rate_limiter=Unlimited(),
            max_connections=1,
            retry=lucidgreen.RetryPolicy(max_retries=0),
        ) as client,
    ):
        yield client


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_a_write_on_a_fresh_connection_waits_within_max_connections(write: Write) -> None:
    server = _Connections(hold=0.5)
    async with _one_connection(server) as client:
        read = asyncio.create_task(client.request("GET", "/api/v1/slow/"))
        await server.reads_started.wait()
        await write(client)
        await read
    assert server.most == 1


async def test_a_second_read_waits_for_the_only_connection() -> None:
    """The harness's control: two reads under ``max_connections=1`` share one connection."""
    server = _Connections(hold=0.2)
    async with _one_connection(server) as client:
        read = asyncio.create_task(client.request("GET", "/api/v1/slow/"))
        await server.reads_started.wait()
        await client.request("GET", "/api/v1/other/")
        await read
    assert server.most == 1
