"""Attack: a hostile server (or a caller's own transport) repeats what it was sent, the bearer
token or the client secret, in a field the scrubbing used to skip: a 400's ``detail``, a
legacy "invalid payload" ``reason``, the ``X-Request-ID`` answered back (shown by ``str()``
as "(request id …)", logged, traced, printed by the CLI), or the text of a transport's own
``TransportError`` / ``ConnectError`` / ``OSError`` / ``DecodeError``.

Each is searched for in everything a caller can print from the error (its traceback,
``str``, ``repr`` and every field), the ``lucidgreen`` debug log, the exception event of the
OpenTelemetry span and the CLI's stderr.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
import lucidgreen.otel
from lucidgreen import errors
from lucidgreen._transport import AiohttpTransport, Request, Response, Timeout
from tests.adversarial.support import (
    LID,
    SECRET,
    TOKEN,
    assert_no_secret,
    product_json,
    raw_server,
    reachable_text,
    retail,
    serve,
    source,
    with_credentials,
)
from tests.cli.conftest import _no_credentials_from_the_environment, run_cli

__all__ = ["_no_credentials_from_the_environment", "run_cli"]

PRODUCT = f"/api/v1.5/products/{LID}/"


def _echo(status: int, body: Callable[[str], Any], *, request_id: bool = False) -> Any:
    """A :func:`serve` handler answering ``status`` with ``body(authorization)`` as JSON,
    and the Authorization header as its ``X-Request-ID`` when ``request_id``."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del n
        seen = request.headers.get("Authorization", "")
        headers = {"X-Request-ID": seen} if request_id else {}
        return web.json_response(body(seen), status=status, headers=headers)

    return handler


ECHOES: dict[str, tuple[Any, type[errors.APIError]]] = {
    "detail of a 400": (_echo(400, lambda seen: {"detail": seen}), errors.BadRequest),
    "reason of an invalid payload": (
        _echo(400, lambda seen: {"status": "invalid payload", "reason": seen}),
        errors.InvalidPayload,
    ),
    "nested reason of a legacy 403": (
        _echo(403, lambda seen: {"status": "invalid payload", "reason": {"auth": [seen]}}),
        errors.InvalidPayload,
    ),
    "request id of a 404": (_echo(404, lambda seen: {}, request_id=True), errors.NotFound),
    "request id of a 400": (
        _echo(400, lambda seen: {"detail": "no"}, request_id=True),
        errors.BadRequest,
    ),
}


@pytest.mark.parametrize(("handler", "cls"), ECHOES.values(), ids=ECHOES.keys())
async def test_an_echoed_token_reaches_no_field_log_or_span_of_the_error(
    handler: Any, cls: type[errors.APIError], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lucidgreen")
    spans = _spans()
    async with serve(handler) as (url, log), source(url) as client:
        lucidgreen.otel.instrument(client, tracer_provider=spans.provider)
        with pytest.raises(cls) as caught:
            await client.products.get(LID)
    assert log[0][2][0]["Authorization"] == f"Bearer {TOKEN}"  # the server did see it
    assert_no_secret(reachable_text(caught.value) + str(caught.value) + repr(caught.value), TOKEN)
    assert_no_secret(caplog.text + repr([r.args for r in caplog.records]), TOKEN)
    assert_no_secret(spans.text(), TOKEN)


async def test_the_request_id_a_server_sends_back_is_kept_when_it_holds_no_secret() -> None:
    """Scrubbing hides only the secret: an honest ``X-Request-ID`` stays on the error."""

    async def honest(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.json_response({}, status=404, headers={"X-Request-ID": "req-honest-1"})

    async with serve(honest) as (url, _), source(url) as client:
        with pytest.raises(errors.NotFound) as caught:
            await client.products.get(LID)
    assert caught.value.request_id == "req-honest-1"
    assert "(request id req-honest-1)" in str(caught.value)


async def test_the_cli_prints_no_token_a_server_echoes_as_its_request_id(
    run_cli: Callable[..., Awaitable[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger("lucidgreen")  # --debug adds a handler: not past this test
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    async with serve(_echo(404, lambda seen: {"detail": seen}, request_id=True)) as (url, _):
        result = await run_cli(
            "--debug", "get", "source", "product", LID, "--base-url", url, "--token", TOKEN
        )  # fmt: skip
    assert "lucidgreen: not found: HTTP 404" in result.err
    assert "request id" in result.err  # the debug log line and the error line both name it
    assert_no_secret(result.err + result.out, TOKEN)


# --- A caller's transport failing in its own words ---------------------------------------


class _Quoting:
    """A caller's transport over aiohttp whose failures quote the request it was sent, the
    way a careless HTTP library does: ``fail(request, answered)`` is what it raises (None:
    the answer as it came)."""

    def __init__(self, fail: Callable[[Request, bool], BaseException | None]) -> None:
        self._inner = AiohttpTransport()
        self._fail = fail

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        try:
            response = await self._inner.send(request, timeout=timeout)
        except errors.TransportError:
            answered = False
        else:
            answered = True
        failure = self._fail(request, answered)
        if failure is None and answered:
            return response
        raise failure or errors.TransportError("no failure given")

    def stream(self, request: Request, *, timeout: Timeout) -> Any:
        return self._inner.stream(request, timeout=timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _sent(request: Request) -> str:
    return f"{request.method} {request.url} headers={dict(request.headers)} form={request.form}"


TRANSPORT_FAILURES: dict[str, Callable[[Request, bool], BaseException]] = {
    "TransportError": lambda r, _: errors.TransportError(f"dropped: {_sent(r)}"),
    "ConnectError": lambda r, _: errors.ConnectError(f"cannot connect: {_sent(r)}"),
    "RequestTimeout": lambda r, _: errors.RequestTimeout(f"slow: {_sent(r)}"),
    "OSError": lambda r, _: OSError(5, f"I/O error on {_sent(r)}"),
    "DecodeError": lambda r, _: errors.DecodeError(f"too large: {_sent(r)}", text=_sent(r)),
}


@pytest.mark.parametrize("fail", TRANSPORT_FAILURES.values(), ids=TRANSPORT_FAILURES.keys())
async def test_a_callers_transport_quoting_the_bearer_token_leaks_nothing(
    fail: Callable[[Request, bool], BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lucidgreen")
    spans = _spans()
    async with raw_server(b"") as (url, _), source(url, transport=_Quoting(fail)) as client:
        lucidgreen.otel.instrument(client, tracer_provider=spans.provider)
        with pytest.raises(errors.LucidGreenError) as caught:
            await client.products.get(LID)
    assert_no_secret(reachable_text(caught.value) + str(caught.value) + repr(caught.value), TOKEN)
    assert_no_secret(caplog.text, TOKEN)
    assert_no_secret(spans.text(), TOKEN)


@pytest.mark.parametrize("fail", TRANSPORT_FAILURES.values(), ids=TRANSPORT_FAILURES.keys())
async def test_a_callers_transport_quoting_the_client_secret_leaks_nothing(
    fail: Callable[[Request, bool], BaseException],
) -> None:
    def on_token_request(request: Request, answered: bool) -> BaseException | None:
        return fail(request, answered) if request.form else None

    async with (
        serve(_echo(200, lambda seen: {})) as (url, _),
        with_credentials(url, transport=_Quoting(on_token_request)) as client,
    ):
        with pytest.raises(errors.LucidGreenError) as caught:
            await client.products.get(LID)
    assert_no_secret(reachable_text(caught.value), SECRET)


async def test_a_transport_error_chained_to_one_quoting_the_token_is_cut_from_it() -> None:
    """A caller's transport raising ``TransportError(...) from`` its library's exception,
    which quotes the headers: the chain is not reachable from the error the caller gets."""

    def chained(request: Request, answered: bool) -> BaseException:
        del answered
        failure = errors.TransportError("connection reset")
        failure.__cause__ = ConnectionResetError(_sent(request))
        return failure

    async with raw_server(b"") as (url, _), source(url, transport=_Quoting(chained)) as client:
        with pytest.raises(errors.TransportError) as caught:
            await client.products.get(LID)
    assert "connection reset" in str(caught.value)
    assert_no_secret(reachable_text(caught.value), TOKEN)


# --- A streamed presigned download through a caller's transport --------------------------

SIGNATURE = "PRESIGNEDsignature0123456789abcdef"


class _QuotingStream:
    """A caller's transport whose streamed downloads fail quoting the presigned URL they
    were sent to: when opening (``when="open"``) or reading the body (``"read"``)."""

    def __init__(self, when: str) -> None:
        self._inner = AiohttpTransport()
        self._when = when

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        return await self._inner.send(request, timeout=timeout)

    @asynccontextmanager
    async def stream(self, request: Request, *, timeout: Timeout) -> AsyncIterator[Any]:
        if self._when == "open":
            raise errors.ConnectError(f"cannot open {request.url}")
        async with self._inner.stream(request, timeout=timeout) as streamed:
            yield _FailingBody(streamed, request.url)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _FailingBody:
    def __init__(self, streamed: Any, url: str) -> None:
        self.status, self.headers, self._url = streamed.status, streamed.headers, url

    async def iter_chunks(self, size: int = 65536) -> AsyncIterator[bytes]:
        del size
        yield b'{"P1": '
        raise errors.TransportError(f"reset while reading {self._url}")

    async def read(self) -> bytes:
        raise errors.TransportError(f"reset while reading {self._url}")


@pytest.mark.parametrize("when", ["open", "read"])
async def test_a_streamed_download_failing_in_a_callers_transport_never_quotes_the_signature(
    when: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lucidgreen")

    async def answer(request: web.Request, n: int) -> web.Response:
        del n
        if "package-uids-export" in request.path:
            file = f"{request.url.origin()}/file.json?X-Amz-Signature={SIGNATURE}"
            return web.json_response({"export_url": file})
        return web.json_response({"P1": {"C1": ["L1"]}})

    async with (
        serve(answer) as (url, _),
        retail(url, transport=_QuotingStream(when)) as client,
    ):
        export = await client.package_uids.export()
        with pytest.raises(errors.TransportError) as caught:
            async for _ in export.entries():
                pass
    assert "file.json" in str(caught.value)
    assert_no_secret(reachable_text(caught.value) + caplog.text, SIGNATURE)


# --- Spans ---------------------------------------------------------------------------------


class _Spans:
    def __init__(self) -> None:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
            InMemorySpanExporter,
        )

        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def text(self) -> str:
        spans = self.exporter.get_finished_spans()
        assert spans, "the call was traced"
        parts: list[Any] = []
        for span in spans:
            parts += [span.name, dict(span.attributes or {}), span.status.description]
            parts += [(event.name, dict(event.attributes or {})) for event in span.events]
        return repr(parts)


def _spans() -> _Spans:
    pytest.importorskip("opentelemetry.sdk")
    return _Spans()


# --- A 2xx answer repeating the token ----------------------------------------------------


def _echo_text(status: int, body: Callable[[str], str], *, request_id: bool = False) -> Any:
    """A :func:`serve` handler answering ``status`` with the text ``body(authorization)``."""

    async def handler(request: web.Request, n: int) -> web.Response:
        del n
        seen = request.headers.get("Authorization", "")
        headers = {"X-Request-ID": seen} if request_id else {}
        return web.Response(text=body(seen), status=status, headers=headers)

    return handler


async def test_a_2xx_debug_page_quoting_the_token_gives_a_decode_error_without_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 200 that is no JSON but a debug page quoting the Authorization header: the
    DecodeError keeps the page's text (to diagnose it) with the token hidden."""
    caplog.set_level(logging.DEBUG, logger="lucidgreen")
    page = _echo_text(200, lambda seen: f"<html>debug: Authorization={seen}</html>")
    async with serve(page) as (url, _), source(url) as client:
        with pytest.raises(errors.DecodeError) as caught:
            await client.products.get(LID)
    assert "<html>debug: Authorization=<hidden></html>" in caught.value.text
    assert_no_secret(reachable_text(caught.value) + str(caught.value) + repr(caught.value), TOKEN)
    assert_no_secret(caplog.text, TOKEN)


async def test_a_2xx_record_quoting_the_token_is_delivered_with_it_hidden() -> None:
    """A record whose field repeats the bearer token: the SDK never hands its credential back
    as data; the record arrives with the token hidden, and its raw response and request id
    hold none either."""
    echo = _echo(200, lambda seen: {**product_json(), "name": seen}, request_id=True)
    async with serve(echo) as (url, log), source(url) as client:
        raw = await client.with_raw_response.products.get(LID)
    assert log[0][2][0]["Authorization"] == f"Bearer {TOKEN}"  # the server did see it
    product = raw.parse()
    assert product.name == "<hidden>"
    assert raw.request_id == "<hidden>"
    assert_no_secret(repr(product) + repr(dict(raw.headers)) + repr(raw), TOKEN)
