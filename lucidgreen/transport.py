"""The transport protocol, and the plain values it speaks: what ``transport=`` takes.

A client sends every request through one :class:`Transport` (by default the built-in aiohttp
one). Token handling, the rate limiter, retries and error mapping run above it and speak only
:class:`Request`, :class:`Response`, :class:`StreamedResponse` and :class:`Timeout`, so a
transport written against this module alone replaces the network (``lucidgreen.Transport``
and the others are these same classes).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import attrs

from ._secrets import shown_url

__all__ = ["Request", "Response", "StreamedResponse", "Timeout", "Transport"]


def _check_seconds(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    del instance
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(
            f"{attribute.name} must be a finite number of seconds or None, not {value!r}"
        )
    if value <= 0:
        raise ValueError(
            f"{attribute.name} must be > 0 seconds (or None for no bound), not {value!r}"
        )


@attrs.frozen
class Timeout:
    """How long one HTTP exchange may take, in seconds (``None``: no bound).

    ``total`` bounds the whole exchange, from sending to the last byte of the answer;
    ``connect`` bounds opening the connection (TCP and TLS) within it. A client's
    ``timeout=30`` is ``Timeout(total=30)``.
    """

    total: float | None = attrs.field(default=30.0, validator=_check_seconds)
    connect: float | None = attrs.field(default=None, validator=_check_seconds)

    @classmethod
    def of(cls, value: Timeout | float | None) -> Timeout:
        """``value`` as a :class:`Timeout`: a number is the total bound, None no bound."""
        if isinstance(value, Timeout):
            return value
        return cls(total=value)

    def cut_to(self, left: float) -> Timeout:
        """This timeout, no longer than ``left`` seconds in total (a deadline's remainder)."""
        total = left if self.total is None else min(self.total, left)
        connect = None if self.connect is None else min(self.connect, total)
        return Timeout(total=total, connect=connect)


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
    fresh_connection: bool = False
    """Send on a connection opened for this request, never a pooled one: for a write the
    SDK will not resend, so a pooled connection the server closed while it sat idle cannot
    turn a request that never arrived into a write whose outcome is unknown."""

    def with_headers(self, extra: Mapping[str, str]) -> Request:
        """This request with ``extra`` headers added (or replacing ones of the same name)."""
        # Every field by position, not attrs.evolve (half the time; twice per request).
        # tests/core/test_per_request_values_built_fast.py fails if a field is missed here.
        return Request(
            self.method,
            self.url,
            self.params,
            {**self.headers, **extra},
            self.json,
            self.form,
            self.authenticated,
            self.fresh_connection,
        )

    @property
    def shown_url(self) -> str:
        """The URL for logs and reprs: an unauthenticated request's query is left out, since a
        presigned URL carries its signature (a credential to the file) there."""
        return shown_url(self.url, authenticated=self.authenticated)

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

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        """Send ``request`` and read the whole body.

        Raises :class:`lucidgreen.errors.TransportError` when no HTTP answer arrives.
        """
        ...

    def stream(
        self, request: Request, *, timeout: Timeout
    ) -> AbstractAsyncContextManager[StreamedResponse, Any]:
        """Send ``request`` and hand back the body as a stream; released on exit."""
        ...

    async def aclose(self) -> None:
        """Release connections the transport owns; a caller's session is left open."""
        ...
