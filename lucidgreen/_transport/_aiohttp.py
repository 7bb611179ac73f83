"""The aiohttp transport: where the client sends through aiohttp.

Three rules hold for every request it sends:

* **No aiohttp exception escapes, nor is chained.** aiohttp's ``ClientResponseError`` keeps
  ``request_info.headers`` (``Authorization: Bearer …``), so a failure is translated into a
  :class:`~lucidgreen.TransportError` *after* the ``except`` block has ended: the SDK's error
  has neither ``__cause__`` nor ``__context__`` leading back to it. Its text is built here
  from safe parts; the exchange scrubs it of the request's credentials and of a presigned
  URL's query, as it does any transport's errors (:func:`lucidgreen._secrets.scrubbed`).
* **Bodies are read with a cap** (``max_body_size``, counted after decompression). Past it
  the connection is closed (never reused) and :class:`~lucidgreen.DecodeError` is raised:
  the server did answer, so this is not retried like a lost answer.
* **Redirects** are never followed for an authenticated request (a 3xx comes back as the
  answer, which the envelope layer turns into ``UnexpectedStatus``). An unauthenticated
  GET (a presigned download) follows at most five, and only to ``https`` or a loopback
  host; it carries no Authorization header to begin with. ``send`` and ``stream`` share
  this rule, so ``download()`` and ``entries()`` agree.

Long because: every aiohttp quirk the SDK guards against (redirects, body caps, slow
bodies, malformed answers, errors that must not chain) is translated here, so no client
module outside ``_transport`` imports aiohttp.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final

import aiohttp
from yarl import URL

from .._config import is_loopback
from .._secrets import without_query
from .._write_safety import answer_leaves_doubt
from ..errors import (
    ConnectError,
    DecodeError,
    LucidGreenError,
    RequestTimeout,
    TransportError,
)
from ..transport import Request, Response, Timeout
from ._network import Network
from ._no_resend import AnsweredAlready, Wire, middlewares_for
from ._sessions import CallerSession, OwnSessions

__all__ = ["DEFAULT_MAX_BODY_SIZE", "AiohttpTransport"]

DEFAULT_MAX_BODY_SIZE: Final = 64 * 2**20
"""The largest answer body read into memory by default: 64 MiB, after decompression."""

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS: Final = 5


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _describe(exc: BaseException) -> str:
    """The exception's own words, never its ``request_info`` (nor a URL with its query)."""
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: {exc.status}, {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def _translate(exc: BaseException, request: Request, *, reached: bool = True) -> TransportError:
    """A transport exception as a ``TransportError`` that says whether the request left
    (``reached``: whether it reached its connection, see :class:`Wire`).

    The result is meant to be raised *outside* the ``except`` block that caught ``exc`` (so
    it is not chained to it); its text is built from safe parts (the exchange scrubs it).
    """
    where = f"{request.method} {without_query(request.url)}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        # The connect phase timed out: not one byte of the request was sent.
        return RequestTimeout(f"{where}: timed out connecting", request_sent=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        # The TCP/TLS connection never opened, so not one byte of the request was sent.
        reason = str(exc.strerror or exc)
        return ConnectError(f"{where}: cannot connect: {reason}")
    if isinstance(exc, TimeoutError):  # asyncio's and aiohttp's read timeouts alike
        if not reached:
            return RequestTimeout(f"{where}: timed out before it was sent", request_sent=False)
        return RequestTimeout(f"{where}: timed out")
    reason = _describe(exc)
    if not reached:  # e.g. a proxy refusing CONNECT: the API never saw the request
        return ConnectError(f"{where}: {reason} (nothing was sent)")
    return TransportError(f"{where}: {reason}")


async def _slot(in_flight: asyncio.Semaphore, request: Request, timeout: Timeout) -> Timeout:
    """Wait for one of the transport's ``max_connections`` within ``timeout``; the attempt's
    timeout for what is left of it. Nothing is sent while waiting."""
    if not in_flight.locked():
        await in_flight.acquire()  # free: returns at once
        return timeout
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with asyncio.timeout(timeout.total):
            await in_flight.acquire()
    except TimeoutError:
        where = f"{request.method} {without_query(request.url)}"
        waiting = "waiting for a free connection (max_connections)"
        failure = RequestTimeout(f"{where}: timed out {waiting}", request_sent=False)
    else:
        if timeout.total is None:
            return timeout
        return timeout.cut_to(timeout.total - (loop.time() - started))
    raise failure


def _too_large(request: Request, status: int, cap: int) -> DecodeError:
    where = f"{request.method} {without_query(request.url)}"
    # A write answered 2xx (or 5xx) whose body we refused to read may have been applied.
    unknown = answer_leaves_doubt(request.method, status)
    return DecodeError(
        f"{where}: HTTP {status} answer larger than max_body_size ({cap:,} bytes after "
        "decompression); the rest was not read and the connection was closed",
        status=status,
        outcome_unknown=unknown,
    )


def _body_kwargs(request: Request) -> dict[str, Any]:
    if request.json is not None:
        return {"data": json.dumps(request.json, separators=(",", ":")).encode()}
    if request.form is not None:
        return {"data": dict(request.form)}
    return {}


def _is_loopback(host: str | None) -> bool:
    return bool(host) and is_loopback(host or "")


def redirect_target(request: Request, status: int, location: str | None, base: str) -> str | None:
    """Where to go next, or None when this answer is the final one (pure: tested alone).

    Followed only for an unauthenticated GET/HEAD (a presigned download) and only to
    ``https`` or a loopback host, so neither a bearer token nor a file travels in the clear.
    """
    if request.authenticated or status not in _REDIRECTS or request.method not in ("GET", "HEAD"):
        return None
    if not location:
        return None
    try:
        target = URL(base).join(URL(location))
    except ValueError:
        return None
    if target.scheme == "https" or (target.scheme == "http" and _is_loopback(target.host)):
        return str(target)
    return None


async def _read_capped(response: aiohttp.ClientResponse, cap: int | None) -> bytes | None:
    """The whole body, or None as soon as it passes ``cap`` bytes (decompressed)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await response.content.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if cap is not None and size > cap:
            return None
        chunks.append(chunk)


MIN_STREAM_RATE: Final = 1024
"""Bytes per second a streamed body must average over each ``timeout.total`` seconds.

A silent stretch is bounded by the read timeout; this bounds a body that dribbles a byte at
a time, which never falls silent long enough to time out (curl's ``--speed-limit``)."""


class _Stream:
    """A streamed aiohttp response seen through the ``StreamedResponse`` protocol."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        request: Request,
        max_body_size: int | None,
        speed_window: float | None,
    ) -> None:
        self._response = response
        self._request = request
        self._max_body_size = max_body_size
        self._speed_window = speed_window
        self.status = response.status
        self.headers = _lower_headers(response.headers)
        self.url = str(response.url)  # after redirects: its signed query is a secret too

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        window_started, window_bytes = loop.time(), 0
        while True:
            failure: TransportError | None = None
            try:
                chunk = await self._response.content.read(size)
            except (TimeoutError, aiohttp.ClientError) as exc:
                failure = _translate(exc, self._request)
            if failure is not None:
                raise failure
            if not chunk:
                return
            window_bytes += len(chunk)
            elapsed = loop.time() - window_started
            if self._speed_window is not None and elapsed >= self._speed_window:
                if window_bytes < MIN_STREAM_RATE * elapsed:
                    self._response.close()
                    raise RequestTimeout(
                        f"{self._request.method} {without_query(self._request.url)}: the body "
                        f"arrived at {window_bytes / elapsed:.0f} bytes/s over {elapsed:.1f} s, "
                        f"under {MIN_STREAM_RATE} bytes/s"
                    )
                window_started, window_bytes = loop.time(), 0
            yield chunk

    async def read(self) -> bytes:
        """The whole (capped) body, e.g. of an error answer to a streamed request."""
        failure: LucidGreenError | None = None
        try:
            body = await _read_capped(self._response, self._max_body_size)
        except (TimeoutError, aiohttp.ClientError) as exc:
            failure = _translate(exc, self._request)
        else:
            if body is not None:
                return body
            self._response.close()
            failure = _too_large(self._request, self.status, self._max_body_size or 0)
        raise failure


class AiohttpTransport:
    """Sends :class:`Request` objects with an ``aiohttp.ClientSession``.

    Without ``session=``, the transport opens its own sessions on first use (inside the
    running loop, as aiohttp requires) and closes them in :meth:`aclose`, or when that loop
    ends under ``asyncio.run`` (:class:`OwnSessions`). They belong to the loop they were
    opened on: using the transport from another event loop raises ``RuntimeError`` at once
    (nothing is sent); create one client per event loop (per ``asyncio.run``). A caller's
    session is used as is and never closed here; its ``raise_for_status`` setting is
    overridden per request, since the SDK decides what each status means (and honours
    ``Retry-After``).

    ``max_body_size`` caps each answer read into memory (bytes after decompression; None: no
    cap). Streamed bodies (:meth:`stream`) are not capped as a whole: their reader is.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        connection_limit: int = 100,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        network: Network | None = None,
        api_origin: str | None = None,
        api_headers: Mapping[str, str] | None = None,
    ) -> None:
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError(
                f"session= must be an aiohttp.ClientSession, not {type(session).__name__}"
            )
        if max_body_size is not None and (
            isinstance(max_body_size, bool) or not isinstance(max_body_size, int)
        ):
            raise TypeError(f"max_body_size must be an int (bytes) or None, not {max_body_size!r}")
        if max_body_size is not None and max_body_size <= 0:
            raise ValueError(f"max_body_size must be > 0 bytes, not {max_body_size!r}")
        self._headers = dict(headers or {})
        self._network = network or Network(trust_env=False)
        # A caller's default_headers go to the API's origin only, never to the export CDN.
        self._api_prefix = None if api_origin is None else api_origin.rstrip("/") + "/"
        self._api_headers = dict(api_headers or {})
        self._max_body_size = max_body_size
        self._sessions = (
            OwnSessions(connection_limit=connection_limit, ssl_context=self._network.ssl)
            if session is None
            else CallerSession(session)
        )
        self._closed = False
        self._last_timeout: tuple[Timeout, aiohttp.ClientTimeout] | None = None

    @property
    def max_body_size(self) -> int | None:
        """The cap on an answer's body read into memory, in bytes (None: no cap)."""
        return self._max_body_size

    async def _session_for(self, request: Request) -> aiohttp.ClientSession:
        """The session ``request`` travels on: a write that will not be resent gets a
        connection of its own when the session is ours (a caller's session is used as is:
        its pool decides, so a drop on a reused connection stays an unknown outcome)."""
        if self._closed:
            raise RuntimeError("this lucidgreen client is closed; create a new one")
        return await self._sessions.session(fresh_connection=request.fresh_connection)

    def _client_timeout(self, timeout: Timeout) -> aiohttp.ClientTimeout:
        """aiohttp's form of ``timeout``; the last one is kept (a client's calls share it,
        only a deadline's cut makes another)."""
        last = self._last_timeout
        if last is not None and (last[0] is timeout or last[0] == timeout):
            return last[1]
        client_timeout = aiohttp.ClientTimeout(total=timeout.total, sock_connect=timeout.connect)
        self._last_timeout = (timeout, client_timeout)
        return client_timeout

    def _request_kwargs(self, request: Request, timeout: aiohttp.ClientTimeout) -> dict[str, Any]:
        extra = self._api_headers
        if extra and self._api_prefix is not None and request.url.startswith(self._api_prefix):
            headers = {**self._headers, **extra, **request.headers}
        else:  # no caller headers for the API's origin (the usual case), or another origin
            headers = {**self._headers, **request.headers}
        if request.json is not None:
            headers.setdefault("Content-Type", "application/json")
        kwargs: dict[str, Any] = {
            "headers": headers,
            "timeout": timeout,
            # The redirect rule is ours (see redirect_target), applied hop by hop.
            "allow_redirects": False,
            # A caller's session may raise on 4xx/5xx itself: the SDK decides instead.
            "raise_for_status": False,
        }
        if request.json is not None or request.form is not None:
            kwargs.update(_body_kwargs(request))
        return kwargs

    async def _open(
        self,
        session: aiohttp.ClientSession,
        request: Request,
        kwargs: dict[str, Any],
        wire: Wire,
    ) -> aiohttp.ClientResponse:
        """The final response, after the redirects :func:`redirect_target` allows."""
        url: str | URL = request.url
        params = dict(request.params) if request.params else None
        for _ in range(_MAX_REDIRECTS):
            proxy = self._network.proxy_for(str(url))
            response = await session.request(
                request.method,
                url,
                params=params,
                proxy=proxy,
                middlewares=middlewares_for(session, wire),
                **kwargs,
            )
            if response.status not in _REDIRECTS:
                return response  # the usual answer: no Location or URL to read
            target = redirect_target(
                request, response.status, response.headers.get("Location"), str(response.url)
            )
            if target is None:
                return response
            response.release()
            # The signed query of the target is part of it: keep it byte for byte.
            url, params = URL(target, encoded=True), None
        proxy = self._network.proxy_for(str(url))
        return await session.request(
            request.method,
            url,
            params=params,
            proxy=proxy,
            middlewares=middlewares_for(session, wire),
            **kwargs,
        )

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        session = await self._session_for(request)
        in_flight = self._sessions.in_flight
        if in_flight is None:  # a caller's session
            return await self._send_on(session, request, timeout)
        if in_flight.locked():
            timeout = await _slot(in_flight, request, timeout)
        else:  # a free slot: taken at once, without _slot's coroutine (every page pays it)
            await in_flight.acquire()
        try:
            return await self._send_on(session, request, timeout)
        finally:
            in_flight.release()

    async def _send_on(
        self, session: aiohttp.ClientSession, request: Request, timeout: Timeout
    ) -> Response:
        kwargs = self._request_kwargs(request, self._client_timeout(timeout))
        failure: LucidGreenError
        wire = Wire()
        try:
            response = await self._open(session, request, kwargs, wire)
            try:
                body = await _read_capped(response, self._max_body_size)
            except BaseException:
                response.close()
                raise
            if body is None:
                response.close()  # the rest of an oversized body is never read: not reusable
            else:
                response.release()
        except AnsweredAlready as exc:  # a caller's middleware tried the answered request again
            exc.answer.release()
            return Response(exc.answer.status, _lower_headers(exc.answer.headers), b"", request.url)
        except (TimeoutError, aiohttp.ClientError) as exc:
            failure = _translate(exc, request, reached=not wire.never_sent)
        else:
            if body is not None:
                return Response(
                    status=response.status,
                    headers=_lower_headers(response.headers),
                    body=body,
                    url=str(response.url),
                )
            failure = _too_large(request, response.status, self._max_body_size or 0)
        # Raised here, after the except block: not chained to aiohttp's exception.
        raise failure

    @asynccontextmanager
    async def stream(self, request: Request, *, timeout: Timeout) -> AsyncIterator[_Stream]:
        session = await self._session_for(request)
        # A large download may take long in total; the timeout bounds each silent stretch.
        client_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeout.connect or timeout.total, sock_read=timeout.total
        )
        kwargs = self._request_kwargs(request, client_timeout)
        in_flight = self._sessions.in_flight
        if in_flight is not None:
            await _slot(in_flight, request, timeout)
        try:
            failure: TransportError | None = None
            wire = Wire()
            try:
                response = await self._open(session, request, kwargs, wire)
            except (TimeoutError, aiohttp.ClientError) as exc:
                failure = _translate(exc, request, reached=not wire.never_sent)
            if failure is not None:
                raise failure
            try:
                yield _Stream(response, request, self._max_body_size, timeout.total)
            finally:
                response.release()
        finally:
            if in_flight is not None:
                in_flight.release()

    async def aclose(self) -> None:
        self._closed = True
        await self._sessions.aclose()
