"""A throwaway ``redis-server`` on loopback: the one bootstrap of the benchmarks and the tests.

``benchmarks/limiter.py`` uses it for its cross-process figures, ``tests/conftest.py`` for the
``redis_url`` fixture (tests may import benchmarks; benchmarks never import tests for this).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from benchmarks._common import free_port, loopback_tcp, stop


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(*, start_timeout: float = 10.0) -> Iterator[str | None]:
    """The URL of a redis-server started for the block, or None when the binary is missing.

    The server keeps nothing on disk and is stopped (killed if it lingers) when the block ends.
    Raises :class:`RuntimeError` when it does not answer ``PING`` within ``start_timeout``.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers_ping(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not answer PING")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk delivered ``delay`` seconds after it arrived
    (in order: a slow link, not a reordering one)."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

    async def deliver() -> None:
        while (item := await chunks.get()) is not None:
            due, data = item
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(data)
            await writer.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            chunks.put_nowait((loop.time() + delay, data))
    except OSError:
        pass
    finally:
        chunks.put_nowait(None)
        with contextlib.suppress(OSError):
            await delivering
        writer.close()


@contextlib.asynccontextmanager
async def delay_proxy(url: str, rtt: float) -> AsyncIterator[str]:
    """A ``redis://`` URL on loopback that forwards to ``url`` adding ``rtt`` seconds to
    every round trip (half each way): Redis at a distance, for tests and benchmarks."""
    target = urlsplit(url)
    host, port = target.hostname or "127.0.0.1", target.port or 6379

    async def forward(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(host, port)
        try:
            await asyncio.gather(
                _pipe(client_r, server_w, rtt / 2), _pipe(server_r, client_w, rtt / 2)
            )
        finally:
            server_w.close()  # the client's end is loopback_tcp's to close

    async with loopback_tcp(forward) as listening:
        yield f"redis://127.0.0.1:{listening}{target.path or '/0'}"
