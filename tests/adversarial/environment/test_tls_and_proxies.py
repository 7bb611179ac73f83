"""TLS and proxies against real servers on loopback: a TLS API with a ``trustme`` test CA,
and a CONNECT proxy written here that can work, refuse, drop the tunnel or answer 407."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Any

import pytest
import trustme
from aiohttp import web

import lucidgreen
from lucidgreen import RetryPolicy, SourceClient
from lucidgreen._transport._network import Network, check_proxy, no_proxy_matches
from lucidgreen.errors import TransportError
from tests.adversarial.support import running

UUID = "UNDTMBovdue9tFWfhamnDM"
REMOTE = "api.corp.example"


async def _token(request: web.Request) -> web.Response:
    return web.json_response({"access_token": "tok-123456", "expires_in": 3600})


async def _product(request: web.Request) -> web.Response:
    return web.json_response({"uuid": request.match_info["uuid"]})


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def tls_port(ca: trustme.CA) -> AsyncIterator[int]:
    app = web.Application()
    app.router.add_post("/o/token/", _token)
    app.router.add_get("/api/v1.5/products/{uuid}/", _product)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost", REMOTE).configure_cert(context)
    async with running(app, tls=context) as url:
        yield int(url.rsplit(":", 1)[1])


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def _client(base_url: str, **options: Any) -> SourceClient:
    return SourceClient("id", "secret-abcdef", base_url=base_url, retry=RetryPolicy.none(),
                        **options)  # fmt: skip


async def test_a_self_signed_server_is_refused_without_ssl(tls_port: int) -> None:
    async with _client(f"https://127.0.0.1:{tls_port}") as source:
        with pytest.raises(lucidgreen.errors.ConnectError, match="certificate"):
            await source.products.get(UUID)


async def test_the_right_ca_works_for_token_and_api(ca: trustme.CA, tls_port: int) -> None:
    async with _client(f"https://127.0.0.1:{tls_port}", ssl=_trusting(ca)) as source:
        product = await source.products.get(UUID)
    assert product.uuid == UUID


def test_ssl_false_is_for_loopback_only() -> None:
    _client("https://127.0.0.1:1", ssl=False)
    with pytest.raises(ValueError, match="loopback"):
        _client("https://api.example.com", ssl=False)


class Proxy:
    """A CONNECT proxy that tunnels every target to one local port, or misbehaves."""

    def __init__(self, target_port: int, mode: str) -> None:
        self.target_port, self.mode = target_port, mode
        self.connects: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.connects.append(head.split(b"\r\n", 1)[0].decode())
        if self.mode == "refuse":
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        elif self.mode == "407":
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b"Proxy-Authenticate: Basic realm=x\r\nContent-Length: 0\r\n\r\n"
            )
        elif self.mode == "drop":
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            return
        await writer.drain()
        writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _proxy(tls_port: int, mode: str) -> tuple[Proxy, asyncio.Server, str]:
    proxy = Proxy(tls_port, mode)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    return proxy, server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_explicit_proxy_tunnels_token_and_api(ca: trustme.CA, tls_port: int) -> None:
    proxy, server, url = await _proxy(tls_port, "ok")
    async with server, _client(f"https://{REMOTE}:443", ssl=_trusting(ca), proxy=url) as source:
        assert (await source.products.get(UUID)).uuid == UUID
    assert proxy.connects
    assert all(c.startswith(f"CONNECT {REMOTE}:443") for c in proxy.connects)


async def test_https_proxy_variable_is_honoured(
    ca: trustme.CA, tls_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, server, url = await _proxy(tls_port, "ok")
    monkeypatch.setenv("https_proxy", url)
    async with server, _client(f"https://{REMOTE}:443", ssl=_trusting(ca)) as source:
        assert (await source.products.get(UUID)).uuid == UUID
    assert proxy.connects


@pytest.mark.parametrize(
    ("mode", "words"),
    [("refuse", "403"), ("407", "407"), ("drop", r"(?i)disconnect|closed|reset|eof|ssl")],
)
async def test_a_misbehaving_proxy_is_a_clear_transport_error(
    ca: trustme.CA, tls_port: int, mode: str, words: str
) -> None:
    proxy, server, url = await _proxy(tls_port, mode)
    async with server, _client(f"https://{REMOTE}:443", ssl=_trusting(ca), proxy=url) as source:
        with pytest.raises(TransportError, match=words) as caught:
            await source.products.get(UUID)
    assert "secret-abcdef" not in str(caught.value)
    assert proxy.connects


def test_loopback_is_never_proxied_and_trust_env_false_ignores_the_environment() -> None:
    env = {"HTTPS_PROXY": "http://proxy:3128", "http_proxy": "http://p2:3128"}
    assert Network(environ=env).proxy_for("https://127.0.0.1:8443/x") is None
    assert Network(proxy="http://p:1", environ=env).proxy_for("http://localhost/x") is None
    assert Network(environ=env).proxy_for("https://api.example/x") == "http://proxy:3128"
    assert Network(environ=env).proxy_for("http://api.example/x") == "http://p2:3128"
    assert Network(trust_env=False, environ=env).proxy_for("https://api.example/x") is None


# what the case tries -> (host, NO_PROXY, whether the host goes around the proxy)
NO_PROXY_CASES = {
    "a subdomain of a listed domain": ("api.example.com", "example.com", True),
    "a listed domain with a leading dot": ("api.example.com", ".example.com", True),
    "a host merely ending in the name": ("notexample.com", "example.com", False),
    "a * among other entries": ("api.example.com", "other.org, *", True),
    "an entry with a port": ("api.example.com", "api.example.com:443", True),
    "an empty NO_PROXY": ("api.example.com", "", False),
}


@pytest.mark.parametrize(
    ("host", "no_proxy", "exempt"), NO_PROXY_CASES.values(), ids=NO_PROXY_CASES.keys()
)
def test_no_proxy_matching(host: str, no_proxy: str, exempt: bool) -> None:
    assert no_proxy_matches(host, no_proxy) is exempt


BAD_PROXIES = [
    "socks5://p:1080",
    "socks5://127.0.0.1:1080",
    "ftp://p",
    "ftp://proxy.example",
    "file:///tmp/x",
    "p:3128",
    "proxy.example:3128",
    "http://",
    "http://proxy.example:99999",
    "http://pro xy.example",
    "http://proxy.example\r\n",
    "",
]


@pytest.mark.parametrize("bad", BAD_PROXIES, ids=repr)
def test_a_proxy_with_a_bad_scheme_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="proxy"):
        check_proxy(bad)
    with pytest.raises(ValueError, match="proxy"):
        _client("https://api.example.com", proxy=bad)


@pytest.mark.parametrize("bad", [0, -1])
def test_max_connections_must_be_positive(bad: int) -> None:
    with pytest.raises(ValueError, match="max_connections"):
        _client("https://api.example.com", max_connections=bad)
