"""``MockTransport``: unit-test a client with a function ``request -> response``, no HTTP.

What httpx users know as ``httpx.MockTransport``::

    from lucidgreen import SourceClient
    from lucidgreen.testing import MockTransport, Request, json_response

    def handler(request: Request) -> Response:
        if request.url.endswith("/o/token/"):
            return json_response({"access_token": "t", "expires_in": 3600})
        return json_response({"uuid": "...", "name": "Blue Dream"})

    async with SourceClient("id", "secret", transport=MockTransport(handler)) as source:
        ...

The handler may be a plain function or a coroutine function. It sees every request the SDK
sends (token requests included, with the bearer token in ``request.headers`` once added) and
may raise :class:`lucidgreen.errors.ConnectError` (or another ``TransportError``) to stand for
a network failure. ``transport.requests`` keeps what was sent, oldest first.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from .._transport import Request, Response, Timeout

__all__ = ["Handler", "MockTransport", "json_response"]

Handler = Callable[[Request], Response | Awaitable[Response]]


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A :class:`Response` whose body is ``data`` as JSON (``Content-Type`` set)."""
    names = {name.lower(): value for name, value in (headers or {}).items()}
    names.setdefault("content-type", "application/json")
    return Response(status, names, json.dumps(data).encode())


class _Streamed:
    """A complete :class:`Response` handed out in chunks, as a download would be."""

    def __init__(self, response: Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        body = self._response.body
        for start in range(0, len(body), size):
            yield body[start : start + size]

    async def read(self) -> bytes:
        return self._response.body


class MockTransport:
    """A :class:`lucidgreen.Transport` that answers with ``handler(request)``.

    Pass it as ``transport=`` to :class:`~lucidgreen.SourceClient` or
    :class:`~lucidgreen.RetailClient`. Retries, token renewal, rate limiting and error mapping
    run as usual above it; only the network is replaced. Header names of the handler's
    response are lower-cased, as the real transport delivers them.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        #: Every request sent, oldest first.
        self.requests: list[Request] = []
        self.closed: bool = False

    async def _answer(self, request: Request) -> Response:
        self.requests.append(request)
        result = self.handler(request)
        response = await result if inspect.isawaitable(result) else result
        if not isinstance(response, Response):
            raise TypeError(
                f"a MockTransport handler must return a lucidgreen.testing.Response, "
                f"not {type(response).__name__}"
            )
        headers = {name.lower(): value for name, value in response.headers.items()}
        return Response(response.status, headers, response.body, response.url or request.url)

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        """The handler's response to ``request`` (recorded in :attr:`requests`)."""
        del timeout  # nothing here takes time
        return await self._answer(request)

    @asynccontextmanager
    async def stream(self, request: Request, *, timeout: Timeout) -> AsyncIterator[_Streamed]:
        """The handler's response to ``request``, its body handed out as a stream."""
        del timeout
        yield _Streamed(await self._answer(request))

    async def aclose(self) -> None:
        """Mark the transport closed (nothing else to release)."""
        self.closed = True
