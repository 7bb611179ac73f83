"""A hostile HTTP/1.1 server for the wire attacks, and a client harness that counts attempts.

:class:`HostileServer` speaks keep-alive HTTP/1.1 over a bare socket, so it can fail in ways
``aiohttp.web`` never does: reset before any response byte, after the headers or mid-body,
close without answering, stall, answer ``Connection: close``, or lose the keep-alive race
(a request arriving on a connection that sat idle past ``idle_close`` meets a socket the
server has given up on: reset, unread). Every request it reads is kept in ``requests``
before the test's ``decide`` chooses what happens to it.

:class:`Counted` builds a client aimed at it (the default session or a caller's
``session=``) with a counting ``on_request`` hook and OpenTelemetry's in-memory exporter, so
a test can check that the server's count is every one of the SDK's own counts.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import json
import socket
import struct
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Literal

import aiohttp
import attrs
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

import lucidgreen
import lucidgreen.otel
from lucidgreen.ratelimit import RateLimiter, Unlimited
from tests.adversarial.support import read_request

__all__ = [
    "Answer",
    "Counted",
    "Fault",
    "HostileServer",
    "Ledger",
    "Seen",
    "counted",
    "hostile",
]

TOKEN = "hostile-server-token"


@attrs.frozen
class Seen:
    """One request the server read: its line, body, and where it came on its connection."""

    method: str
    path: str
    body: bytes
    connection: int  # 1-based, in the order connections were accepted
    on_connection: int  # 1-based position of this request on its connection
    idle: float  # seconds its connection sat idle before it (0.0 for a first request)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@attrs.frozen
class Answer:
    """A complete answer; ``close`` adds ``Connection: close`` and closes after it."""

    status: int = 200
    body: Any = attrs.field(factory=dict)  # a JSON value, or raw bytes
    headers: Mapping[str, str] = attrs.field(factory=dict)
    close: bool = False

    def encoded(self) -> bytes:
        raw = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        lines = [f"HTTP/1.1 {self.status} X", f"Content-Length: {len(raw)}"]
        lines += ["Content-Type: application/json"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += ["Connection: close" if self.close else "Connection: keep-alive"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + raw


class Fault(enum.Enum):
    """A request that gets no complete answer."""

    RESET = "reset before any response byte"
    AFTER_HEADERS = "reset after the headers"
    MID_BODY = "reset mid-body"
    DROP = "closed without an answer"
    STALL = "never answered"


Action = Answer | Fault
Decide = Callable[[Seen], Action]


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), not a FIN: the peer's next read fails at once."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class HostileServer:
    """Keep-alive HTTP/1.1 on 127.0.0.1; ``decide(seen)`` picks each request's fate."""

    def __init__(
        self,
        decide: Decide,
        *,
        idle_close: float | None = None,
        idle_timer: float | None = None,
        race_every: int = 1,
    ) -> None:
        self.decide = decide
        self.idle_close = idle_close  # the keep-alive race: see the module's docstring
        self.race_every = race_every  # of the requests in that race, every n-th loses it
        self._racing = 0
        self.idle_timer = idle_timer  # closes (FIN) a connection idle this long
        self.timed_out = 0  # connections closed by idle_timer
        self.requests: list[Seen] = []
        self.lost_races = 0  # requests met by the keep-alive race (reset unread)
        self._connections = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._connections += 1
        try:
            await self._serve(self._connections, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _serve(
        self, connection: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        loop = asyncio.get_running_loop()
        position, last = 0, loop.time()
        while True:
            try:
                async with asyncio.timeout(self.idle_timer if position else None):
                    method, target, body = await read_request(reader)
            except TimeoutError:
                self.timed_out += 1
                return
            idle = loop.time() - last
            position += 1
            path = target.split("?", 1)[0]
            request = Seen(method, path, body, connection, position, idle if position > 1 else 0.0)
            self.requests.append(request)
            if self._loses_race(position, idle):
                self.lost_races += 1  # the server had given this connection up
                _reset(writer)
                return
            if not await _act(self.decide(request), writer):
                return
            last = loop.time()

    def _loses_race(self, position: int, idle: float) -> bool:
        if self.idle_close is None or position == 1 or idle < self.idle_close:
            return False
        self._racing += 1
        return self._racing % self.race_every == 0


async def _act(action: Action, writer: asyncio.StreamWriter) -> bool:
    """Carry ``action`` out; whether the connection stays open for another request."""
    if isinstance(action, Answer):
        writer.write(action.encoded())
        await writer.drain()
        return not action.close
    if action is Fault.STALL:
        await asyncio.sleep(3600)
    if action in (Fault.AFTER_HEADERS, Fault.MID_BODY):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
        writer.write(head + (b'{"status": "succ' if action is Fault.MID_BODY else b""))
        await writer.drain()
        await asyncio.sleep(0.05)  # the client reads what was sent before the reset
    if action is Fault.DROP:
        writer.close()
    else:
        _reset(writer)
    return False


@asynccontextmanager
async def hostile(decide: Decide, **options: Any) -> AsyncIterator[HostileServer]:
    """A started :class:`HostileServer` (``options`` as its constructor's)."""
    server = HostileServer(decide, **options)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


LID = "UNDTMBovdue9tFWfhamnDM"
COMPLETE = "/api/v1.2/transactions/complete/"
ALREADY_PROCESSED = {"message": "This transaction has already been processed."}


@attrs.define
class Ledger:
    """The application behind the hostile server: LucidRetail's answers, and what it applied.

    A GET reads a product. A sale (``transactions/complete``) is applied once per
    ``order_id``; the same order again is refused "already processed", as LucidRetail does.
    Any other write is applied every time it is handled (nothing identifies it again), keyed
    by its method, path and body, so a test can prove none was applied twice.
    """

    applied: Counter[str] = attrs.field(factory=Counter)

    def answer(self, seen: Seen) -> Answer:
        if seen.method == "GET":
            return Answer(200, {"uuid": LID, "name": "P"})
        if seen.path == COMPLETE:
            key = f"sale {seen.json()['order_id']}"
            if self.applied[key]:
                return Answer(400, ALREADY_PROCESSED)
        else:
            key = f"{seen.method} {seen.path} {seen.body.decode()}"
        self.applied[key] += 1
        return Answer(200, {"status": "success", "request_id": "r"})

    def applied_twice(self) -> list[str]:
        return [key for key, times in self.applied.items() if times > 1]

    def spoiled(self, spoil: Callable[[int, Answer], Action]) -> Decide:
        """A server's ``decide``: every request is applied and answered like the API first
        (the worst case for a write), then ``spoil(n, answer)`` says what request number
        ``n`` (1-based) really gets."""
        served = itertools.count(1)

        def decide(seen: Seen) -> Action:
            return spoil(next(served), self.answer(seen))

        return decide


Session = Literal["default", "caller"]
SESSIONS: tuple[Session, ...] = ("default", "caller")


@attrs.define
class Counted:
    """A client aimed at a :class:`HostileServer`, and every count the SDK keeps of it."""

    client: lucidgreen.RetailClient | lucidgreen.SourceClient
    exporter: InMemorySpanExporter
    hooked: list[lucidgreen.RequestSent]

    @property
    def retail(self) -> lucidgreen.RetailClient:
        assert isinstance(self.client, lucidgreen.RetailClient)
        return self.client

    @property
    def source(self) -> lucidgreen.SourceClient:
        assert isinstance(self.client, lucidgreen.SourceClient)
        return self.client

    def attempt_spans(self) -> int:
        return sum(s.kind is SpanKind.CLIENT for s in self.exporter.get_finished_spans())

    def counts(self) -> dict[str, int]:
        """The SDK's own counts of what it sent: stats, hooks and OpenTelemetry spans."""
        return {
            "stats": self.client.stats.requests,
            "hooks": len(self.hooked),
            "spans": self.attempt_spans(),
        }

    def assert_counted(self, server: HostileServer) -> None:
        """Every request the server read is an attempt the SDK counted, in every count."""
        seen = len(server.requests)
        assert self.counts() == {"stats": seen, "hooks": seen, "spans": seen}, (
            f"server read {seen} requests (aiohttp {aiohttp.__version__})"
        )


@asynccontextmanager
async def counted(
    server: HostileServer,
    *,
    session: Session = "default",
    product: Literal["retail", "source"] = "retail",
    rate_limiter: RateLimiter | None = None,
    credentials: bool = False,
    **options: Any,
) -> AsyncIterator[Counted]:
    """A client on ``server``, instrumented and hooked, with the static token -- or, with
    ``credentials``, client credentials that fetch tokens from the server's ``/o/token/``."""
    hooked: list[lucidgreen.RequestSent] = []
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with AsyncExitStack() as stack:
        own = None
        if session == "caller":
            own = await stack.enter_async_context(aiohttp.ClientSession())
        cls = lucidgreen.RetailClient if product == "retail" else lucidgreen.SourceClient
        cid, secret, token = ("cid", "csecret", None) if credentials else (None, None, TOKEN)
        client = cls(
            cid,
            secret,
            token=token,
            base_url=server.url,
            session=own,
            rate_limiter=rate_limiter or Unlimited(),
            hooks=lucidgreen.Hooks(on_request=hooked.append),
            **options,
        )
        await stack.enter_async_context(client)
        lucidgreen.otel.instrument(client, tracer_provider=provider)
        try:
            yield Counted(client, exporter, hooked)
        finally:
            provider.shutdown()
