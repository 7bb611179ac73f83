"""Plain values that cross the transport boundary, and the transport protocol itself.

Everything above the transport speaks in :class:`Request` and :class:`Response`; only
``_transport.py`` knows they travel over aiohttp.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from urllib.parse import urlsplit

import attrs

__all__ = ["Request", "Response", "StreamedResponse", "Transport", "origin_of"]


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, with the scheme's default port made explicit."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


@attrs.frozen
class Request:
    """One HTTP request, ready to send.

    ``json`` is sent as a JSON body, ``form`` as ``application/x-www-form-urlencoded``;
    never both. ``authenticated`` requests get the bearer token added by the pipeline.
    """

    method: str
    url: str
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    authenticated: bool = True

    def with_headers(self, extra: Mapping[str, str]) -> Request:
        return attrs.evolve(self, headers={**self.headers, **extra})

    @property
    def shown_url(self) -> str:
        """The URL for logs and reprs: an unauthenticated request's query is left out, since a
        presigned URL carries its signature (a credential to the file) there."""
        return self.url if self.authenticated else self.url.split("?", 1)[0]

    def __repr__(self) -> str:
        # Headers (Authorization) and form fields (client_secret) never reach a repr.
        return f"Request({self.method} {self.shown_url})"


@attrs.frozen
class Response:
    """A complete HTTP response. ``headers`` has lower-case names."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")

    def __repr__(self) -> str:
        return f"Response({self.status}, {len(self.body)} bytes)"


class StreamedResponse(Protocol):
    """A response whose body is read in chunks (large downloads)."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]: ...

    async def read(self) -> bytes: ...


class Transport(Protocol):
    """Sends requests; knows nothing of tokens, limits, retries or envelopes."""

    async def send(self, request: Request, *, timeout: float | None) -> Response:
        """Send ``request`` and read the whole body.

        Raises :class:`lucidgreen.errors.TransportError` when no HTTP answer arrives.
        """
        ...

    def stream(
        self, request: Request, *, timeout: float | None
    ) -> AbstractAsyncContextManager[StreamedResponse, Any]:
        """Send ``request`` and hand back the body as a stream; released on exit."""
        ...

    async def aclose(self) -> None: ...
