"""``max_connections`` is "the most connections open at once", also now that a write the SDK
will not resend travels on a connection of its own (the stale-connection rule of #20).

The server counts the connections open at once: a slow read holds one, and a write the API
cannot recognise is sent meanwhile. With ``max_connections=1`` the write must wait for the
read's connection to be free, not open a second one beside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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
    """Counts connections open at once; a GET is answered after ``hold`` seconds."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.open = 0
        self.most = 0
        self.reads_started = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.most = max(self.most, self.open)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                if head.startswith(b"GET "):
                    self.reads_started.set()
                    await asyncio.sleep(self.hold)
                writer.write(Answer(200, {"status": "success", "request_id": "r"}).encoded())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1


def _content_length(head: bytes) -> int:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value)
    return 0


@pytest.mark.xfail(
    strict=True,
    reason="lucidgreen/_transport/_aiohttp.py:_session_for opens a second ClientSession "
    "(_new_session(pooled=False)) with its own TCPConnector(limit=connection_limit) for "
    "writes that will not be resent, so the client holds up to 2 x max_connections",
)
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_a_fresh_write_connection_counts_against_max_connections(write: Write) -> None:
    server = _Connections(hold=0.5)
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
        read = asyncio.create_task(client.request("GET", "/api/v1/slow/"))
        await server.reads_started.wait()
        await write(client)
        await read
    assert server.most == 1


async def test_a_second_read_waits_for_the_only_connection() -> None:
    """The harness's control: two reads under ``max_connections=1`` share one connection."""
    server = _Connections(hold=0.2)
    async with (
        tcp_server(server.handle) as url,
        lucidgreen.RetailClient(
            token="TOKEN-max-connections-1",
            base_url=url,
            rate_limiter=Unlimited(),
            max_connections=1,
        ) as client,
    ):
        read = asyncio.create_task(client.request("GET", "/api/v1/slow/"))
        await server.reads_started.wait()
        await client.request("GET", "/api/v1/other/")
        await read
    assert server.most == 1
