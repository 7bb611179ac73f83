"""The aiohttp transport: the only module of the client that imports aiohttp at run time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from ._http import Request, Response, Timeout
from .errors import TransportError

__all__ = ["AiohttpTransport"]


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _translate(exc: BaseException, request: Request) -> TransportError:
    """A transport exception as a ``TransportError`` that says whether the request left."""
    where = f"{request.method} {request.url.split('?', 1)[0]}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        # The TCP/TLS connection never opened, so not one byte of the request was sent.
        return TransportError(f"{where}: cannot connect: {exc.strerror or exc}", request_sent=False)
    if isinstance(exc, asyncio.TimeoutError):
        return TransportError(f"{where}: timed out")
    return TransportError(f"{where}: {type(exc).__name__}: {exc}")


def _body_kwargs(request: Request) -> dict[str, Any]:
    if request.json is not None:
        return {"data": json.dumps(request.json, separators=(",", ":")).encode()}
    if request.form is not None:
        return {"data": dict(request.form)}
    return {}


class _Stream:
    """A streamed aiohttp response seen through the ``StreamedResponse`` protocol."""

    def __init__(self, response: aiohttp.ClientResponse, request: Request) -> None:
        self._response = response
        self._request = request
        self.status = response.status
        self.headers = _lower_headers(response.headers)

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(size):
                yield chunk
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, self._request) from exc

    async def read(self) -> bytes:
        try:
            return await self._response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, self._request) from exc


class AiohttpTransport:
    """Sends :class:`Request` objects with an ``aiohttp.ClientSession``.

    Without ``session=``, the transport opens its own session on first use (inside the
    running loop, as aiohttp requires) and closes it in :meth:`aclose`. A caller's session
    is used as is and never closed here.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        connection_limit: int = 100,
    ) -> None:
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError(
                f"session= must be an aiohttp.ClientSession, not {type(session).__name__}"
            )
        self._session = session
        self._owns_session = session is None
        self._headers = dict(headers or {})
        self._connection_limit = connection_limit
        self._closed = False

    def _session_now(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this lucidgreen client is closed; create a new one")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connection_limit),
            )
        return self._session

    def _request_kwargs(self, request: Request, timeout: aiohttp.ClientTimeout) -> dict[str, Any]:
        headers = {**self._headers, **request.headers}
        if request.json is not None:
            headers.setdefault("Content-Type", "application/json")
        return {
            "params": dict(request.params) if request.params else None,
            "headers": headers,
            "timeout": timeout,
            # A redirect would carry the Authorization header to wherever it points.
            "allow_redirects": False,
            **_body_kwargs(request),
        }

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        session = self._session_now()
        client_timeout = aiohttp.ClientTimeout(total=timeout.total, sock_connect=timeout.connect)
        kwargs = self._request_kwargs(request, client_timeout)
        try:
            async with session.request(request.method, request.url, **kwargs) as response:
                body = await response.read()
                return Response(
                    status=response.status,
                    headers=_lower_headers(response.headers),
                    body=body,
                    url=str(response.url),
                )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, request) from exc

    @asynccontextmanager
    async def stream(self, request: Request, *, timeout: Timeout) -> AsyncIterator[_Stream]:
        session = self._session_now()
        # A large download may take long in total; the timeout bounds each silent stretch.
        client_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeout.connect or timeout.total, sock_read=timeout.total
        )
        kwargs = self._request_kwargs(request, client_timeout)
        kwargs["allow_redirects"] = not request.authenticated
        try:
            response = await session.request(request.method, request.url, **kwargs)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _translate(exc, request) from exc
        try:
            yield _Stream(response, request)
        finally:
            response.release()

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()
