"""Answers :class:`~tests.adversarial.wire.hostile.HostileServer` cannot give, scripted byte
by byte: HTTP/1.0, ``100 Continue``, a half-close, chunked bodies cut at odd places, headers
followed by silence, and redirects of a write.

:class:`ScriptedServer` is a :class:`HostileServer` (so :func:`counted` aims a client at it
and checks its request count) whose every request is answered by ``script(seen, writer)``,
a coroutine that writes whatever bytes it likes and says whether the connection stays open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from tests.adversarial.support import read_request
from tests.adversarial.wire.hostile import (
    Answer,
    HostileServer,
    Ledger,
    Seen,
    _reset,
)

__all__ = ["SCRIPTS", "Script", "ScriptedServer", "scripted"]

Script = Callable[[Seen, asyncio.StreamWriter], Awaitable[bool]]
"""Answers one request; returns whether the connection stays open for the next."""


class ScriptedServer(HostileServer):
    """Keep-alive HTTP/1.1 on 127.0.0.1 whose answers are written by ``script``."""

    def __init__(self, script: Script) -> None:
        super().__init__(lambda seen: Answer())
        self.script = script

    async def _serve(
        self, connection: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        position = 0
        while True:
            method, path, body = await read_request(reader)
            position += 1
            seen = Seen(method, path, body, connection, position, 0.0)
            self.requests.append(seen)
            if not await self.script(seen, writer):
                return

    def stop_listening(self) -> None:
        """Refuse new connections from now on (a server going down); open ones go on."""
        assert self._server is not None
        self._server.close()


@asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(script)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def _json_head(status: str = "200 OK", version: str = "HTTP/1.1") -> bytes:
    return f"{version} {status}\r\nContent-Type: application/json\r\n".encode()


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


async def _then_reset(writer: asyncio.StreamWriter, data: bytes) -> bool:
    """``data``, a moment for the client to read it, then a reset."""
    await _send(writer, data)
    await asyncio.sleep(0.05)
    _reset(writer)
    return False


async def half_close(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    """Reads the request and shuts its sending side (FIN) without a byte of an answer."""
    del seen
    writer.write_eof()
    await asyncio.sleep(0.2)
    return False


async def continue_then_reset(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    """An unasked-for ``100 Continue``, then the connection is reset."""
    del seen
    return await _then_reset(writer, b"HTTP/1.1 100 Continue\r\n\r\n")


async def chunk_cut_in_size_line(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    del seen
    return await _then_reset(writer, _json_head() + b"Transfer-Encoding: chunked\r\n\r\n1")


async def chunk_cut_mid_chunk(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    del seen
    body = b'30\r\n{"status": "succ'
    return await _then_reset(writer, _json_head() + b"Transfer-Encoding: chunked\r\n\r\n" + body)


async def chunk_cut_before_last_chunk(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    """A whole chunk holding a whole JSON answer, then a reset where ``0\\r\\n\\r\\n`` was due:
    the body parses, but the answer never ended."""
    del seen
    body = b'{"status": "success", "request_id": "r"}'
    chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"
    return await _then_reset(writer, _json_head() + b"Transfer-Encoding: chunked\r\n\r\n" + chunk)


async def headers_then_silence(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    """The head of a 200 and then nothing, until the client gives up."""
    del seen
    await _send(writer, _json_head() + b"Content-Length: 40\r\n\r\n")
    await asyncio.sleep(3600)
    return False


async def part_of_the_body_then_silence(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    del seen
    await _send(writer, _json_head() + b'Content-Length: 40\r\n\r\n{"status": "su')
    await asyncio.sleep(3600)
    return False


SCRIPTS: dict[str, Script] = {
    "half-close": half_close,
    "100-continue then reset": continue_then_reset,
    "chunk cut in its size line": chunk_cut_in_size_line,
    "chunk cut mid-chunk": chunk_cut_mid_chunk,
    "chunked body cut before its last chunk": chunk_cut_before_last_chunk,
}
"""Faults after the whole request was read, each ending the connection without a complete
answer: the server may have acted, and the client cannot know."""


def applying(ledger: Ledger, fault: Script, *, on: int) -> Script:
    """Every request applied to ``ledger`` and answered well, except request number ``on``
    (1-based), which is applied and then met by ``fault``."""
    served = 0

    async def script(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        nonlocal served
        served += 1
        answer = ledger.answer(seen)
        if served == on:
            return await fault(seen, writer)
        await _send(writer, answer.encoded())
        return not answer.close

    return script


def http10(ledger: Ledger, *, continue_first: bool = False) -> Script:
    """Every answer in HTTP/1.0 without Content-Length: the body ends when the server
    closes, as an old proxy answers. ``continue_first`` puts an unasked-for ``100 Continue``
    in front of it."""

    async def script(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        answer = ledger.answer(seen)
        raw = answer.encoded().split(b"\r\n\r\n", 1)[1]
        status = f"{answer.status} X"
        lead = b"HTTP/1.1 100 Continue\r\n\r\n" if continue_first else b""
        await _send(writer, lead + _json_head(status, "HTTP/1.0") + b"\r\n" + raw)
        return False

    return script


def redirecting(status: int) -> Script:
    """A write answered with ``status`` pointing elsewhere on the same server; anything sent
    to the new location is read (and counted) like any request."""

    async def script(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.path.startswith("/moved/"):
            await _send(writer, Answer(200, {"status": "success"}).encoded())
            return True
        head = f"HTTP/1.1 {status} Moved\r\nLocation: /moved{seen.path}\r\n"
        await _send(writer, head.encode() + b"Content-Length: 0\r\n\r\n")
        return True

    return script
