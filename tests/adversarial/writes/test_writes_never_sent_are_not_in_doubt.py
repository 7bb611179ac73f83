"""A write that provably never reached the server is never reported as one that may have.

``WriteOutcomeUnknown`` (and ``outcome_unknown=True``) tells the caller to look the resource
up before sending again; raised for a request that never left, it sends them checking for
nothing and, for a write the SDK would have resent, loses the resend it was owed. Every
attack here stops the request before one byte of HTTP could reach the API: a proxy that
refuses ``CONNECT``, a TLS handshake that fails or never ends, a name that does not
resolve, a pool whose every connection is busy. The API server counts what it reads.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web

import lucidgreen
from lucidgreen.ratelimit import Unlimited
from tests.adversarial.support import running, serve, tcp_server

SESSIONS = ("default", "caller")
PROXY_PASSWORD = "PROXYpassw0rdZZ"
API = "https://api.lucidgreen.test"  # never resolved: every request goes to the proxy


async def _put(client: lucidgreen.RetailClient) -> object:
    return await client.operations.request("PUT", "/api/v1/inventory/", json={"a": 1})


@asynccontextmanager
async def _client(
    url: str, session: str, connector: aiohttp.BaseConnector | None = None, **kw: Any
) -> AsyncIterator[lucidgreen.RetailClient]:
    async with AsyncExitStack() as stack:
        own = None
        if session == "caller":
            own = await stack.enter_async_context(aiohttp.ClientSession(connector=connector))
        kw.setdefault("retry", lucidgreen.RetryPolicy(max_retries=0))
        client = lucidgreen.RetailClient(
            token="TOKENneverSENT42", base_url=url, session=own, rate_limiter=Unlimited(), **kw
        )
        yield await stack.enter_async_context(client)


def _assert_nothing_sent(exc: lucidgreen.LucidGreenError) -> None:
    assert not isinstance(exc, lucidgreen.WriteOutcomeUnknown), repr(exc)
    assert exc.outcome_unknown is False
    assert isinstance(exc, lucidgreen.TransportError)
    assert exc.request_sent is False, str(exc)


def _refusing_proxy(status: str) -> Callable[..., Awaitable[None]]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"CONNECT ")
        writer.write(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()

    return handle


PROXY_REFUSALS = ["403 Forbidden", "407 Proxy Authentication Required", "502 Bad Gateway"]


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("refusal", PROXY_REFUSALS)
async def test_a_write_whose_proxy_refused_connect_was_never_sent(
    refusal: str, session: str
) -> None:
    async with tcp_server(_refusing_proxy(refusal)) as proxy_url:
        proxy = proxy_url.replace("http://", f"http://user:{PROXY_PASSWORD}@")
        async with _client(API, session, proxy=proxy) as client:
            with pytest.raises(lucidgreen.LucidGreenError) as caught:
                await _put(client)
    _assert_nothing_sent(caught.value)


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_read_whose_proxy_refused_connect_says_nothing_was_sent(session: str) -> None:
    async with (
        tcp_server(_refusing_proxy("403 Forbidden")) as proxy_url,
        _client(API, session, proxy=proxy_url) as client,
    ):
        with pytest.raises(lucidgreen.TransportError) as caught:
            await client.request("GET", "/api/v1/inventory/")
    assert caught.value.request_sent is False


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("refusal", PROXY_REFUSALS)
async def test_a_refused_connect_never_shows_the_proxy_password(refusal: str, session: str) -> None:
    async with tcp_server(_refusing_proxy(refusal)) as proxy_url:
        proxy = proxy_url.replace("http://", f"http://user:{PROXY_PASSWORD}@")
        async with _client(API, session, proxy=proxy) as client:
            assert PROXY_PASSWORD not in repr(client)
            with pytest.raises(lucidgreen.LucidGreenError) as caught:
                await _put(client)
    exc = caught.value
    shown = [str(exc), repr(exc), repr(vars(exc)), repr(exc.__cause__), repr(exc.__context__)]
    assert all(PROXY_PASSWORD not in text for text in shown)


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _reset_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    del reader
    _reset(writer)


async def _close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    del reader
    writer.close()


async def _answer_in_plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(16)  # the ClientHello's first bytes
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()


async def _never_shake_hands(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    del reader
    await asyncio.sleep(3600)
    writer.close()


BROKEN_HANDSHAKES = {
    "reset": _reset_at_once,
    "closed": _close_at_once,
    "plain-http answer": _answer_in_plain_http,
}


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("handshake", BROKEN_HANDSHAKES.values(), ids=BROKEN_HANDSHAKES.keys())
async def test_a_write_whose_tls_handshake_failed_was_never_sent(
    handshake: Callable[..., Awaitable[None]], session: str
) -> None:
    async with tcp_server(handshake) as url:
        https = url.replace("http://", "https://")
        async with _client(https, session) as client:
            with pytest.raises(lucidgreen.ConnectError) as caught:
                await _put(client)
    _assert_nothing_sent(caught.value)


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_whose_tls_handshake_never_ended_was_never_sent(session: str) -> None:
    async with tcp_server(_never_shake_hands) as url:
        https = url.replace("http://", "https://")
        async with _client(https, session, timeout=0.5) as client:
            with pytest.raises(lucidgreen.LucidGreenError) as caught:
                await _put(client)
    _assert_nothing_sent(caught.value)


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_to_a_server_with_an_untrusted_certificate_was_never_sent(
    session: str,
) -> None:
    authority = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(tls)
    applied: list[str] = []

    async def apply(request: web.Request) -> web.Response:
        applied.append(request.method)
        return web.json_response({"status": "success"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", apply)
    async with running(app, tls=tls) as url, _client(url, session) as client:
        with pytest.raises(lucidgreen.ConnectError) as caught:
            await _put(client)
    _assert_nothing_sent(caught.value)
    assert applied == []


class _NoSuchName(aiohttp.abc.AbstractResolver):
    """A resolver that knows no name, as a DNS server answering NXDOMAIN would."""

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> Any:
        raise OSError(-2, f"Name or service not known: {host}")

    async def close(self) -> None:
        return None


async def test_a_write_to_a_name_that_does_not_resolve_was_never_sent() -> None:
    connector = aiohttp.TCPConnector(resolver=_NoSuchName())
    async with _client(API, "caller", connector=connector) as client:
        with pytest.raises(lucidgreen.ConnectError) as caught:
            await _put(client)
    _assert_nothing_sent(caught.value)


def _slow_reads(read_started: asyncio.Event) -> Any:
    async def handler(request: web.Request, n: int) -> web.Response:
        del n
        if request.method == "GET":
            read_started.set()
            await asyncio.sleep(2)  # holds the only pooled connection
        return web.json_response({"status": "success", "request_id": "r"})

    return handler


async def _void(client: lucidgreen.RetailClient) -> object:
    return await client.transactions.void(order_id="order-9", performed_at=datetime.now(UTC))


async def _put_write(client: lucidgreen.RetailClient) -> object:
    return await _put(client)


POOLED_WRITES = {
    # The default session sends a write it will not resend on a connection of its own, so
    # only a resendable one (a void) queues behind the busy pool there.
    "default": _void,
    "caller": _put_write,
}


@pytest.mark.parametrize("session", SESSIONS)
async def test_a_write_that_timed_out_waiting_for_a_pooled_connection_was_never_sent(
    session: str,
) -> None:
    connector = aiohttp.TCPConnector(limit=1) if session == "caller" else None
    read_started = asyncio.Event()
    async with (
        serve(_slow_reads(read_started)) as (url, log),
        _client(url, session, connector, timeout=0.5, max_connections=1) as client,
    ):
        busy = asyncio.create_task(client.with_options(timeout=10).request("GET", "/api/v1/slow/"))
        await read_started.wait()
        with pytest.raises(lucidgreen.LucidGreenError) as caught:
            await POOLED_WRITES[session](client)
        await busy
    assert [method for method, _, _ in log] == ["GET"]  # the write never reached the server
    _assert_nothing_sent(caught.value)
