"""The fake's frontend: what happens to a request before and after the application answers.

Per request, in order: record it, apply latency and arrival jitter, take a scripted step or
roll the random faults, let the application (or the CDN) answer, and write the reply whole,
cut short, or not at all (a dropped connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Literal

import attrs
from aiohttp import web

from ._app.reply import Reply
from ._app.routing import Arrival
from ._faults import Faults, Injection
from ._middleware.throttle import Throttle
from ._recorder import RecordedRequest, RequestLog, Stats

__all__ = ["Frontend", "Site"]

Site = Literal["api", "cdn"]


@attrs.define
class Frontend:
    """Applies the fake's faults around ``answer(site, request, arrival)`` and writes the
    result."""

    answer: Callable[[Site, RecordedRequest, Arrival], Reply]
    faults: Faults
    limits: Throttle
    stats: Stats
    requests: RequestLog
    clock: Callable[[], float]
    #: How a latency or arrival delay is waited out (default :meth:`pause`).
    delay: Callable[[float], Awaitable[None]] | None = None
    _closing: asyncio.Event = attrs.field(factory=asyncio.Event, init=False)

    def reopen(self) -> None:
        """Serve again after :meth:`release` (a fake restarted)."""
        self._closing = asyncio.Event()

    def release(self) -> None:
        """Wake every stalled or sleeping request at once, so that closing never waits."""
        self._closing.set()

    async def serve(self, request: web.Request, site: Site) -> web.StreamResponse:
        """Record ``request``, delay it, inject this request's fault, answer and write."""
        entry = self._record(request, site, await request.read())
        if site == "api":
            await self._delay(entry.raw_path)
        injection = self._injection(request.method, entry, site)
        kind = "pass" if injection is None else injection.kind
        if injection is not None and injection.reply is not None:
            return await self._send(request, entry, injection.reply)
        if kind == "drop":
            return self._drop(request)
        if kind == "stall":
            await self._closing.wait()
            return self._drop(request)
        reply = self.answer(site, entry, _arrival(request))
        if kind == "drop_after_apply":
            return self._drop(request)
        if kind == "truncate":
            return await self._send_truncated(request, entry, reply)
        return await self._send(request, entry, reply)

    def _record(self, request: web.Request, site: Site, body: bytes) -> RecordedRequest:
        entry = RecordedRequest(
            site=site,
            method=request.method,
            path=request.path,
            raw_path=request.raw_path.partition("?")[0],
            query=dict(request.query),
            headers=request.headers,
            body=body,
            time=self.clock(),
            remote=request.remote,
        )
        self.requests.append(entry)
        self.stats.requests += 1
        return entry

    async def _delay(self, raw_path: str) -> None:
        """The latency fault, then the arrival jitter the throttle sees (never on tokens)."""
        is_token = raw_path.startswith("/o/")
        delay = self.faults.latency_for(raw_path, token=is_token)
        if delay > 0:
            self.stats.faults["latency"] += 1
            await (self.delay or self.pause)(delay)
        arrival = 0.0 if is_token else self.limits.arrival_delay()
        if arrival > 0:
            await (self.delay or self.pause)(arrival)

    def _injection(self, method: str, entry: RecordedRequest, site: Site) -> Injection | None:
        """A scripted step first; else, on the API site, a roll of the random faults."""
        raw_path = entry.raw_path
        injection = self.faults.take_script(method, raw_path)
        if injection is None and site == "api":
            injection = self.faults.draw(method, raw_path, token=raw_path.startswith("/o/"))
        if injection is not None and injection.kind != "pass":
            source = injection.source
            entry.fault = source if source != "script" else f"script:{injection.kind}"
            self.stats.faults[source] += 1
        return injection

    async def pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when the fake closes (so close() never waits)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _count(self, entry: RecordedRequest, status: int) -> None:
        entry.status = status
        self.stats.by_status[status] += 1
        if status == 429:
            self.stats.rate_limited += 1

    def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the connection with no answer; aiohttp then writes nothing, quietly."""
        self.stats.dropped += 1
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)

    async def _send(
        self, request: web.Request, entry: RecordedRequest, reply: Reply
    ) -> web.StreamResponse:
        self._count(entry, reply.status)
        if reply.chunks is None:
            return web.Response(status=reply.status, body=reply.body, headers=reply.headers)
        chunks = reply.chunks
        length = reply.length
        if length is None:
            # A presigned object has a Content-Length; measuring a 100k-package export takes
            # seconds, so do it in a thread rather than stall every other request.
            length = await asyncio.to_thread(lambda: sum(len(c) for c in chunks()))
        response = web.StreamResponse(status=reply.status, headers=reply.headers)
        response.content_length = length
        await response.prepare(request)
        if request.method != "HEAD":
            for chunk in chunks():
                await response.write(chunk)
                await asyncio.sleep(0)  # let other requests in between chunks
        await response.write_eof()
        return response

    async def _send_truncated(
        self, request: web.Request, entry: RecordedRequest, reply: Reply
    ) -> web.StreamResponse:
        body = reply.body if reply.chunks is None else b"".join(reply.chunks())
        half = body[: len(body) // 2]
        self._count(entry, reply.status)
        if self.faults.truncate_mode == "cut_json":
            return web.Response(status=reply.status, body=half, headers=reply.headers)
        response = web.StreamResponse(status=reply.status, headers=reply.headers)
        # Promise the whole body, deliver half, hang up: the client sees a short read.
        response.content_length = max(len(body), 1)
        await response.prepare(request)
        await response.write(half)
        if request.transport is not None:
            request.transport.close()
        return response


def _arrival(request: web.Request) -> Arrival:
    """What the application reads of ``request`` beyond the fake's record of it."""
    return Arrival(
        origin=f"{request.scheme}://{request.host}",
        query_string=request.raw_path.partition("?")[2],
        request_id=request.headers.get("X-Request-ID") or uuid.uuid4().hex,
    )
