"""The wire edge against servers written for the attack (issues 12 and 14), on loopback.

Every test talks to a real client (``SourceClient``/``RetailClient``) through a small
``aiohttp.web`` server, or a raw asyncio TCP server where the attack is malformed HTTP that
aiohttp.web cannot produce. Each attack names the behaviour it proves:

* 1xx/3xx to any verb is ``UnexpectedStatus``; a redirect of an API call is never followed;
  ``download()`` and ``entries()`` follow the same redirects (presigned, to https or
  loopback only) and refuse the same ones.
* errors name the call (method, path, request id sent) and their headers are case-insensitive.
* connect failures are ``ConnectError``, silence is ``RequestTimeout`` (a ``TimeoutError``).
* malformed HTTP (bad status line, oversized header, bad chunking, ``br`` without brotli),
  and a caller's ``raise_for_status=True`` session, never let the bearer token or client
  secret be reached through the exception chain; Retry-After is honoured on such a session.
* bodies are capped after decompression (endless, chunked-endless, slow gzip bomb); the
  connection is closed and not reused.
* a client used on a second event loop says so, and closing it there frees its sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http.server
import json
import threading
import uuid as uuid_module
import warnings
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from lucidgreen import (
    APIError,
    DecodeError,
    Hooks,
    LucidGreenError,
    NotFound,
    RetailClient,
    RetryPolicy,
    SourceClient,
    TransportError,
)
from lucidgreen._transport import Request, Timeout, redirect_target
from lucidgreen.errors import ConnectError, RequestTimeout, UnexpectedStatus
from lucidgreen.retry import without_sleeping
from tests.adversarial.support import (
    assert_no_secret,
    reachable,
    reachable_text,
    read_request,
    running,
    tcp_server,
)
from tests.support import eventually, free_port

TOKEN = "tok-" + uuid_module.uuid4().hex
CLIENT_ID = "client-" + uuid_module.uuid4().hex[:8]
SECRET = "sec-" + uuid_module.uuid4().hex
UUID = "2" * 22  # a well-formed LucidID
PRODUCTS = "/api/v1.5/products/"
NO_RETRY = RetryPolicy(max_retries=0)


# --- servers --------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def web_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """An aiohttp.web server on 127.0.0.1, port 0, answering every path with ``handler``."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with running(app) as url:
        yield url


RawHandler = Callable[[str, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_server(answer: RawHandler) -> AsyncIterator[str]:
    """A TCP server that reads each request on a connection (head and body) and lets
    ``answer(path, reader, writer)`` write the reply: keep-alive attacks need several."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            _, path, _ = await read_request(reader)
            await answer(path, reader, writer)

    async with tcp_server(serve) as url:
        yield url


TOKEN_ANSWER = json.dumps({"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})


async def write_token(writer: asyncio.StreamWriter) -> None:
    body = TOKEN_ANSWER.encode()
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()


# --- leak scanning ----------------------------------------------------------------------


def assert_no_aiohttp_in_chain(error: BaseException) -> None:
    """Nothing of aiohttp (whose errors hold request headers) is reachable from ``error``."""
    kinds = [type(v) for v in reachable(error) if isinstance(v, BaseException)]
    assert [k for k in kinds if k.__module__.startswith("aiohttp")] == []


# --- 1xx and 3xx ------------------------------------------------------------------------

Call = Callable[[SourceClient, RetailClient], Awaitable[object]]


async def _list(source: SourceClient, retail: RetailClient) -> object:
    return [p async for p in source.products.list()]


async def _get(source: SourceClient, retail: RetailClient) -> object:
    return await source.products.get(UUID)


async def _create(source: SourceClient, retail: RetailClient) -> object:
    return await source.assets.create("texts", name="n", content="c")


async def _delete(source: SourceClient, retail: RetailClient) -> object:
    await source.assets.delete(UUID)
    return None


async def _void(source: SourceClient, retail: RetailClient) -> object:
    return await retail.transactions.void(
        order_id="o", performed_at=datetime(2025, 6, 1, tzinfo=UTC)
    )


CALLS: dict[str, tuple[str, Call]] = {
    "GET list": ("GET", _list),
    "GET get": ("GET", _get),
    "POST create": ("POST", _create),
    "DELETE": ("DELETE", _delete),
    "POST void": ("POST", _void),
}


@pytest.mark.parametrize("status", [302, 307, 308])
@pytest.mark.parametrize("call", list(CALLS))
async def test_a_redirect_to_any_verb_is_unexpected_status_and_not_followed(
    call: str, status: int
) -> None:
    """A 3xx answer to GET (list, get), POST or DELETE raises UnexpectedStatus at once: the
    redirect target is never requested, the call is not retried, nothing returns normally."""
    hits: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        hits.append(f"{request.method} {request.path}")
        if request.path.startswith("/elsewhere"):
            return web.json_response({"status": "success"})
        return web.Response(status=status, headers={"Location": "/elsewhere/?sig=s3cr3t"})

    method, run = CALLS[call]
    async with web_server(handler) as url:
        source = SourceClient(token=TOKEN, base_url=url)
        retail = RetailClient(token=TOKEN, base_url=url)
        async with source, retail:
            with pytest.raises(UnexpectedStatus) as caught:
                await run(source, retail)
    assert caught.value.status == status
    assert caught.value.method == method
    assert str(caught.value).startswith(f"HTTP {status} {method} /api/")
    assert "s3cr3t" not in str(caught.value)
    assert len(hits) == 1
    assert not hits[0].split(" ", 1)[1].startswith("/elsewhere")


async def test_a_101_answer_is_unexpected_status() -> None:
    """An interim status that aiohttp hands back (101 Switching Protocols) is no success."""

    async def answer(path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    async with raw_server(answer) as url, SourceClient(token=TOKEN, base_url=url) as source:
        with pytest.raises(UnexpectedStatus) as caught:
            await source.products.get(UUID)
    assert caught.value.status == 101


EXPORT_FILE = {"PKG-1": {"CASE-1": ["L1", "L2"]}, "PKG-2": {"CASE-2": []}}


@contextlib.asynccontextmanager
async def export_server(redirect_to: Callable[[str], str]) -> AsyncIterator[tuple[str, list[Any]]]:
    """The export endpoint names ``/cdn/file?sig=…``, which redirects to ``redirect_to(base)``;
    ``/real`` serves the file. Yields the base URL and the requests seen (path, auth)."""
    seen: list[Any] = []
    base: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append((request.path, request.headers.get("Authorization")))
        if request.path == "/api/v1.2/package-uids-export/":
            return web.json_response({"export_url": f"{base[0]}/cdn/file?sig=SIGNATURE-1f3a"})
        if request.path == "/cdn/file":
            return web.Response(status=307, headers={"Location": redirect_to(base[0])})
        if request.path == "/real":
            return web.json_response(EXPORT_FILE)
        return web.Response(status=404)

    async with web_server(handler) as url:
        base.append(url)
        yield url, seen


async def test_download_and_entries_follow_the_same_loopback_redirect_without_auth() -> None:
    """A presigned download redirected to a loopback host: download() and entries() both
    follow it, send no Authorization on either hop, and read the same file."""
    async with (
        export_server(lambda base: f"{base}/real?sig2=x") as (url, seen),
        RetailClient(token=TOKEN, base_url=url) as retail,
    ):
        export = await retail.package_uids.export()
        mapping = await export.download()
        entries = [e async for e in export.entries()]
    assert mapping == EXPORT_FILE
    assert [(e.package_uid, e.case_id, list(e.lucid_ids)) for e in entries] == [
        ("PKG-1", "CASE-1", ["L1", "L2"]),
        ("PKG-2", "CASE-2", []),
    ]
    cdn = [auth for path, auth in seen if path in ("/cdn/file", "/real")]
    assert cdn == [None] * 4


@pytest.mark.parametrize(
    "target",
    ["http://lucidgreen-test.invalid/real", "ftp://127.0.0.1/real", "file:///etc/passwd"],
)
async def test_download_and_entries_refuse_the_same_redirects(target: str) -> None:
    """A redirect to plain http off loopback (or any other scheme) is refused by both:
    UnexpectedStatus naming the 307, and nothing is fetched from the target."""
    async with (
        export_server(lambda base: target) as (url, seen),
        RetailClient(token=TOKEN, base_url=url) as retail,
    ):
        export = await retail.package_uids.export()
        with pytest.raises(UnexpectedStatus) as whole:
            await export.download()
        with pytest.raises(UnexpectedStatus) as streamed:
            async for _ in export.entries():
                pass
    assert whole.value.status == streamed.value.status == 307
    assert "SIGNATURE-1f3a" not in str(whole.value) + str(streamed.value)
    assert [path for path, _ in seen].count("/cdn/file") == 2
    assert "/real" not in [path for path, _ in seen]


PRESIGNED = Request("GET", "https://cdn.example/f?sig=1", authenticated=False)


@pytest.mark.parametrize(
    ("request_", "status", "location", "expected"),
    [
        (PRESIGNED, 307, "https://other.example/g?sig=2", "https://other.example/g?sig=2"),
        (PRESIGNED, 302, "/relative?x=1", "https://cdn.example/relative?x=1"),
        (PRESIGNED, 301, "http://127.0.0.1:8/f", "http://127.0.0.1:8/f"),
        (PRESIGNED, 308, "http://[::1]:8/f", "http://[::1]:8/f"),
        (PRESIGNED, 307, "http://cdn.example/f", None),  # plain http off loopback
        (PRESIGNED, 307, "ftp://cdn.example/f", None),
        (PRESIGNED, 307, None, None),
        (PRESIGNED, 300, "https://cdn.example/g", None),  # not a redirect we follow
        (PRESIGNED, 304, "https://cdn.example/g", None),
        (Request("GET", "https://api.example/x"), 307, "https://api.example/y", None),
        (Request("POST", "https://cdn.example/f", authenticated=False), 307, "/g", None),
    ],
)
def test_the_one_redirect_rule(
    request_: Request, status: int, location: str | None, expected: str | None
) -> None:
    """Only an unauthenticated GET follows a 301/302/303/307/308, and only to https or a
    loopback host; every authenticated request and every other answer stays final."""
    assert redirect_target(request_, status, location, request_.url) == expected


# --- errors carry their call ------------------------------------------------------------


async def test_an_api_error_names_method_path_and_the_request_id_sent() -> None:
    """``str(exc)`` reads ``HTTP 400 POST /api/v1.2/transactions/void/: …`` with the request
    id the SDK sent, and ``exc.headers.get("Content-Type")`` works in any case."""
    sent: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        sent.append(request.headers["X-Request-ID"])
        return web.json_response({"detail": "No such order."}, status=400)

    async with web_server(handler) as url, RetailClient(token=TOKEN, base_url=url) as retail:
        with pytest.raises(APIError) as caught:
            await _void(SourceClient(token=TOKEN, base_url=url), retail)
    error = caught.value
    assert str(error) == (
        f"HTTP 400 POST /api/v1.2/transactions/void/: No such order. (request id {sent[0]})"
    )
    assert error.method == "POST"
    assert error.url == f"{url}/api/v1.2/transactions/void/"
    assert error.headers.get("Content-Type", "").startswith("application/json")
    assert error.headers.get("content-type") == error.headers["CONTENT-TYPE"]


# --- transport failures -----------------------------------------------------------------


async def test_a_refused_connection_is_connect_error_with_nothing_sent() -> None:
    """Nothing listens on the port: ConnectError, request_sent False, no aiohttp chained."""
    url = f"http://127.0.0.1:{free_port()}"
    async with SourceClient(token=TOKEN, base_url=url, retry=NO_RETRY) as source:
        with pytest.raises(ConnectError) as caught:
            await source.products.get(UUID)
    assert caught.value.request_sent is False
    assert_no_aiohttp_in_chain(caught.value)
    assert_no_secret(reachable_text(caught.value), TOKEN)


async def test_a_silent_server_is_request_timeout_also_a_builtin_timeout_error() -> None:
    """A server that accepts and never answers: RequestTimeout, caught by ``except
    TimeoutError``, chained to nothing of aiohttp or asyncio."""

    async def answer(path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    async with (
        raw_server(answer) as url,
        SourceClient(token=TOKEN, base_url=url, retry=NO_RETRY, timeout=0.2) as source,
    ):
        with pytest.raises(TimeoutError) as caught:
            await source.products.get(UUID)
    assert isinstance(caught.value, RequestTimeout)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


MALFORMED: dict[str, bytes] = {
    "bad status line": b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}",
    "oversized header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "bad chunking": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
    "br without brotli": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: br\r\n"
        b"Content-Length: 6\r\n\r\n\x8b\x02\x80{}\x03"
    ),
}


@pytest.mark.parametrize("where", ["api call", "token request"])
@pytest.mark.parametrize("kind", list(MALFORMED))
async def test_malformed_http_never_exposes_the_token_or_secret(kind: str, where: str) -> None:
    """A malformed answer to the API call (after a real token) or to the token request
    itself is an SDK error; neither the bearer token nor the client secret is reachable
    from it: not in str/repr/args, nor anywhere down its __cause__/__context__ chain."""

    async def answer(path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if path == "/o/token/" and where == "api call":
            await write_token(writer)
            return
        writer.write(MALFORMED[kind])
        await writer.drain()
        writer.close()

    async with raw_server(answer) as url:
        source = SourceClient(CLIENT_ID, SECRET, base_url=url, retry=RetryPolicy(max_retries=1))
        async with source:
            with without_sleeping(), pytest.raises(LucidGreenError) as caught:
                await source.products.get(UUID)
    assert isinstance(caught.value, TransportError | DecodeError)
    assert_no_aiohttp_in_chain(caught.value)
    assert_no_secret(reachable_text(caught.value), TOKEN, SECRET)


async def test_a_raise_for_status_session_still_gets_the_error_tree_and_retry_after() -> None:
    """A caller's session created with raise_for_status=True: a 429 is retried after its
    Retry-After (not a TransportError), a 404 is NotFound, and no aiohttp error (holding
    the Authorization header) is reachable from it."""
    answers = [(429, {"Retry-After": "2"}), (200, {}), (404, {})]

    async def handler(request: web.Request) -> web.StreamResponse:
        status, headers = answers.pop(0)
        if status == 200:
            return web.json_response({"uuid": UUID, "name": "p"})
        return web.json_response({"detail": "no"}, status=status, headers=headers)

    retries: list[Any] = []
    async with web_server(handler) as url, aiohttp.ClientSession(raise_for_status=True) as session:
        hooks = Hooks(on_retry=retries.append)
        async with SourceClient(token=TOKEN, base_url=url, session=session, hooks=hooks) as source:
            with without_sleeping():
                with contextlib.suppress(DecodeError):  # the model may want more fields
                    await source.products.get(UUID)
                with pytest.raises(NotFound) as caught:
                    await source.products.get(UUID)
    assert [(r.delay, r.reason) for r in retries] == [(2.0, "HTTP 429")]
    assert answers == []
    assert_no_aiohttp_in_chain(caught.value)
    assert_no_secret(reachable_text(caught.value), TOKEN)


# --- body cap ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def endless_server(
    *, chunked: bool, gzip: bool = False, pause: float = 0.0
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A server whose answer never ends (1 MiB a write, optionally gzip-compressed zeros:
    a bomb). ``seen`` counts connections, bytes written and whether the client hung up."""
    seen: dict[str, Any] = {"peers": [], "sent": 0, "hung_up": 0}

    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        seen["peers"].append(request.transport.get_extra_info("peername"))
        if request.path == "/small":
            return web.json_response({"uuid": UUID})
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        if gzip:
            response.headers["Content-Encoding"] = "gzip"
        if not chunked:
            response.force_close()  # close-delimited: no length, no chunks
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        packer = zlib.compressobj(wbits=31)
        try:
            await response.write(b'{"a": "' if not gzip else packer.compress(b'{"a": "'))
            while True:
                block = b" " * 2**20
                data = packer.compress(block) + packer.flush(zlib.Z_SYNC_FLUSH) if gzip else block
                await response.write(data)
                seen["sent"] += len(data)
                if pause:
                    await asyncio.sleep(pause)
        except (ConnectionError, RuntimeError):
            seen["hung_up"] += 1
        except asyncio.CancelledError:
            seen["hung_up"] += 1
            raise
        return response

    async with web_server(handler) as url:
        yield url, seen


@pytest.mark.parametrize(
    ("chunked", "gzip", "pause"),
    [(False, False, 0.0), (True, False, 0.0), (True, True, 0.002)],
    ids=["endless body", "endless chunked body", "slow gzip bomb"],
)
async def test_an_endless_body_stops_at_the_cap_and_the_connection_is_not_reused(
    chunked: bool, gzip: bool, pause: float
) -> None:
    """Past max_body_size (counted after decompression) the read stops with DecodeError,
    the server sees the client hang up, and the next call opens a new connection."""
    cap = 4 * 2**20
    async with (
        endless_server(chunked=chunked, gzip=gzip, pause=pause) as (url, seen),
        SourceClient(token=TOKEN, base_url=url, retry=NO_RETRY, max_body_size=cap) as source,
    ):
        with pytest.raises(DecodeError, match="max_body_size") as caught:
            await source.products.get(UUID)
        await eventually(lambda: bool(seen["hung_up"]))  # noticed on the handler's next write
        transport = source._pipeline.exchange.transport
        again = await transport.send(Request("GET", f"{url}/small"), timeout=Timeout())
    assert again.status == 200
    assert seen["hung_up"] == 1, seen
    assert caught.value.status == 200
    assert caught.value.text == ""
    assert len(set(seen["peers"])) == 2  # the capped answer's connection was not reused
    # The server stopped soon after the cap: nothing near an unbounded read.
    assert seen["sent"] < cap + 64 * 2**20
    if gzip:  # the cap counts inflated bytes: a few KB on the wire already passed 4 MiB
        assert seen["sent"] < cap // 4


async def test_the_default_cap_is_64_mib() -> None:
    """Without any setting an endless answer stops at 64 MiB with DecodeError."""
    async with (
        endless_server(chunked=True) as (url, _),
        SourceClient(token=TOKEN, base_url=url, retry=NO_RETRY) as source,
    ):
        with pytest.raises(DecodeError, match="67,108,864 bytes"):
            await source.products.get(UUID)


# --- a second event loop ----------------------------------------------------------------


class _Counting(http.server.ThreadingHTTPServer):
    daemon_threads = True
    open_connections = 0
    requests = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Counting

    def setup(self) -> None:
        super().setup()
        self.server.open_connections += 1

    def finish(self) -> None:
        super().finish()
        self.server.open_connections -= 1

    def do_GET(self) -> None:
        self.server.requests += 1
        body = json.dumps({"uuid": UUID}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        del format, args


@pytest.fixture
def threaded_server() -> Iterator[_Counting]:
    server = _Counting(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_second_event_loop_is_refused_clearly_and_closing_frees_the_socket(
    threaded_server: _Counting,
) -> None:
    """The end of the asyncio.run() a client was used under closes its pooled socket; used
    under another, it raises a RuntimeError that says why (not aiohttp's 'Event loop is
    closed') and sends nothing, and aclose() there warns of nothing."""
    url = f"http://127.0.0.1:{threaded_server.server_address[1]}"
    client = SourceClient(token=TOKEN, base_url=url)

    async def first() -> None:
        await client.products.get(UUID)

    async def second() -> str:
        with pytest.raises(RuntimeError) as caught:
            await client.products.get(UUID)
        await client.aclose()
        return str(caught.value)

    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        asyncio.run(first())
        for _ in range(200):
            if threaded_server.open_connections == 0:
                break
            threading.Event().wait(0.01)
        assert threaded_server.open_connections == 0
        requests_before = threaded_server.requests
        message = asyncio.run(second())
        gc.collect()
    assert "another event loop" in message
    assert "Event loop is closed" not in message
    assert threaded_server.requests == requests_before
    assert [str(w.message) for w in caught_warnings] == []
