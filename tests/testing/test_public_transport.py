"""``lucidgreen.Transport`` is public: a transport written from the public names alone plugs
into ``transport=`` (mypy checks the structural match, this test the behaviour)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import lucidgreen
from lucidgreen import Request, Response, StreamedResponse, Timeout, Transport


class _Canned:
    """A streamed answer that is one chunk."""

    def __init__(self, response: Response) -> None:
        self.status = response.status
        self.headers = response.headers
        self._body = response.body

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        del size
        yield self._body

    async def read(self) -> bytes:
        return self._body


class EchoTransport:
    """Answers every request with a product named after the request's path."""

    def __init__(self) -> None:
        self.seen: list[tuple[Request, Timeout]] = []

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        self.seen.append((request, timeout))
        body = b'{"uuid": "UNDTMBovdue9tFWfhamnDM", "name": "%s"}' % request.url.encode()
        return Response(200, {"content-type": "application/json"}, body, request.url)

    @asynccontextmanager
    async def stream(
        self, request: Request, *, timeout: Timeout
    ) -> AsyncIterator[StreamedResponse]:
        yield _Canned(await self.send(request, timeout=timeout))

    async def aclose(self) -> None:
        return None


async def test_a_transport_built_from_public_names_serves_a_client() -> None:
    """The client hands the transport a public Request (token attached) and a Timeout."""
    transport: Transport = EchoTransport()  # mypy: the public protocol is implementable
    async with lucidgreen.SourceClient(token="t0k", transport=transport, timeout=7) as source:
        product = await source.products.get("UNDTMBovdue9tFWfhamnDM")
    assert isinstance(transport, EchoTransport)
    [(request, timeout)] = transport.seen
    assert request.method == "GET"
    assert product.name == request.url
    assert request.headers["Authorization"] == "Bearer t0k"
    assert timeout == Timeout(total=7)


def test_the_transports_page_example_runs() -> None:
    """docs/transports.md's example runs as written (its own asserts included)."""
    page = Path(__file__).parents[2] / "docs" / "transports.md"
    [example] = re.findall(r"```python\n(.*?)```", page.read_text(), re.DOTALL)
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
