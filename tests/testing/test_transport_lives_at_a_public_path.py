"""The transport vocabulary lives at a public path, ``lucidgreen.transport``: the classes say
so (``__module__``), the client's ``transport=`` names it, and a transport written against that
module alone carries a client's calls to the fake server."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

import lucidgreen
import lucidgreen.transport as public
from lucidgreen.testing import FakeLucidGreen

VOCABULARY = ["Request", "Response", "StreamedResponse", "Timeout", "Transport"]


@pytest.mark.parametrize("name", VOCABULARY)
def test_each_name_is_defined_at_the_public_module(name: str) -> None:
    """``lucidgreen.Transport.__module__`` is ``lucidgreen.transport``: no private part a
    reader (``help()``, a traceback, the reference) would be sent to."""
    value = getattr(lucidgreen, name)
    assert value is getattr(public, name)
    assert value.__module__ == "lucidgreen.transport"
    assert not any(part.startswith("_") for part in value.__module__.split("."))


def test_the_clients_transport_argument_names_the_public_path() -> None:
    """The constructor's docstring points a reader at ``lucidgreen.transport.Transport``."""
    doc = inspect.getdoc(lucidgreen.SourceClient.__init__) or ""
    [line] = [line for line in doc.splitlines() if line.startswith(":param transport:")]
    assert "lucidgreen.transport.Transport" in line
    assert "_transport" not in doc


class _Forwarded:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self._body = status, headers, body

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        yield self._body

    async def read(self) -> bytes:
        return self._body


class ForwardingTransport:
    """Sends through its own aiohttp session, written from ``lucidgreen.transport`` alone."""

    def __init__(self) -> None:
        self.session = aiohttp.ClientSession()
        self.urls: list[str] = []

    async def send(self, request: public.Request, *, timeout: public.Timeout) -> public.Response:
        self.urls.append(request.url)
        async with self.session.request(
            request.method,
            request.url,
            params=request.params,
            headers=dict(request.headers),
            json=request.json,
            data=request.form,
            timeout=aiohttp.ClientTimeout(total=timeout.total, connect=timeout.connect),
        ) as answer:
            headers = {name.lower(): value for name, value in answer.headers.items()}
            return public.Response(answer.status, headers, await answer.read(), str(answer.url))

    @asynccontextmanager
    async def stream(
        self, request: public.Request, *, timeout: public.Timeout
    ) -> AsyncIterator[public.StreamedResponse]:
        answer = await self.send(request, timeout=timeout)
        yield _Forwarded(answer.status, dict(answer.headers), answer.body)

    async def aclose(self) -> None:
        await self.session.close()


async def test_a_transport_written_against_the_public_module_serves_the_fake(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """Token request and API call both go through it, and the typed answer comes back."""
    fake = lucidgreen_fake
    uuid = next(iter(fake.state.products))
    forwarding = ForwardingTransport()
    transport: public.Transport = forwarding  # mypy: the public protocol is implementable
    async with fake.source_client(transport=transport) as source:
        product = await source.products.get(uuid)
    assert product.uuid == uuid
    assert [url.rsplit("/", 2)[-2] for url in forwarding.urls] == ["token", uuid]
    assert forwarding.session.closed
