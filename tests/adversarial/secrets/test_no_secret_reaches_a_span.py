"""No secret reaches OpenTelemetry: not a span's name, attributes or events (an exception
event holds the error's message and stack trace), not a metric's attributes.

The run renews tokens with client credentials, meets a 401 after expiry, a server that
echoes the bearer token in an error body and header, a refused client secret, a presigned
download whose CDN error page quotes the signature, and a proxy (with a password) that
refuses ``CONNECT``; every span and metric point it produced is searched for each secret.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("opentelemetry.sdk")

from aiohttp import web
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import lucidgreen
import lucidgreen.otel
from lucidgreen.ratelimit import Unlimited
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen
from tests.adversarial.support import serve, tcp_server

PROXY_PASSWORD = "PROXYspanPASSWORD77"
ECHOED_TOKEN = "ECHOEDbearerTOKEN5566"


class _Telemetry:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def attach(self, client: lucidgreen.SourceClient | lucidgreen.RetailClient) -> None:
        lucidgreen.otel.instrument(
            client,
            tracer_provider=self.tracer_provider,
            meter_provider=self.meter_provider,
            propagate=True,
        )

    def texts(self) -> list[str]:
        out = [_span_text(span) for span in self.spans.get_finished_spans()]
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    out += [repr(dict(p.attributes or {})) for p in metric.data.data_points]
        return out


def _span_text(span: ReadableSpan) -> str:
    parts: list[Any] = [span.name, dict(span.attributes or {}), span.status.description]
    parts += [(event.name, dict(event.attributes or {})) for event in span.events]
    return repr(parts)


async def _fake_run(telemetry: _Telemetry) -> set[str]:
    """Credentials, renewals, a refused secret and a presigned download whose error page
    quotes its signature; the secrets this run used."""
    async with FakeLucidGreen(products=5, rate_limits=False, seed=21) as fake:
        uuid = next(iter(fake.state.products))
        source = fake.source_client(retry=lucidgreen.RetryPolicy(max_retries=1))
        retail = fake.retail_client()
        telemetry.attach(source)
        telemetry.attach(retail)
        wrong = "wrong-client-secret-" + "w" * 30
        stranger = lucidgreen.SourceClient(
            fake.source_credentials.client_id, wrong, base_url=fake.url
        )
        telemetry.attach(stranger)
        with without_sleeping():
            async with source, retail, stranger:
                await source.products.get(uuid)
                fake.expire_tokens()
                await source.products.get(uuid)
                with pytest.raises(lucidgreen.AuthenticationError):
                    await stranger.products.get(uuid)
                export = await retail.package_uids.export()
                signature = parse_qs(urlsplit(export.url).query)["X-Amz-Signature"][0]
                page = f"<Error><Code>AccessDenied</Code><URL>{export.url}</URL></Error>"
                fake.faults.script("/exports/", [(403, page)])
                with pytest.raises(lucidgreen.LucidGreenError):
                    await export.download()
        tokens = {
            r.authorization.removeprefix("Bearer ")
            for r in fake.requests
            if r.authorization and r.authorization.startswith("Bearer ")
        }
        secrets = {fake.source_credentials.client_secret, fake.retail_credentials.client_secret}
    return {*secrets, wrong, signature, *tokens}


async def _echoing_run(telemetry: _Telemetry) -> None:
    """A server that repeats the bearer token in a 400's body and in a header."""

    async def echo(request: web.Request, n: int) -> web.Response:
        del n
        seen = request.headers.get("Authorization", "")
        return web.json_response(
            {"detail": f"bad request with {seen}"}, status=400, headers={"X-Echo": seen}
        )

    async with serve(echo) as (url, _):
        client = lucidgreen.RetailClient(token=ECHOED_TOKEN, base_url=url, rate_limiter=Unlimited())
        telemetry.attach(client)
        async with client:
            with pytest.raises(lucidgreen.BadRequest):
                await client.operations.request("PUT", "/api/v1/x/", json={})


async def _refusing_proxy_run(telemetry: _Telemetry) -> None:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    async with tcp_server(refuse) as proxy_url:
        proxy = proxy_url.replace("http://", f"http://user:{PROXY_PASSWORD}@")
        client = lucidgreen.RetailClient(
            token="proxied-token-0123456789",
            base_url="https://api.lucidgreen.test",
            proxy=proxy,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=0),
        )
        telemetry.attach(client)
        async with client:
            with pytest.raises(lucidgreen.TransportError):
                await client.products.get("UNDTMBovdue9tFWfhamnDM")


async def test_no_secret_reaches_a_span_event_or_metric() -> None:
    telemetry = _Telemetry()
    secrets = await _fake_run(telemetry)
    await _echoing_run(telemetry)
    await _refusing_proxy_run(telemetry)
    secrets |= {ECHOED_TOKEN, PROXY_PASSWORD}
    texts = telemetry.texts()
    assert len(texts) > 10  # the run was traced and measured
    assert any("exception" in text for text in texts)  # errors were recorded on spans
    assert any("/exports/" in text and "403" in text for text in texts)  # the CDN refusal
    assert any("api.lucidgreen.test" in text for text in texts)  # the proxied attempt
    leaks = sorted({t[:300] for t in texts for secret in secrets if secret in t})
    assert leaks == []
    telemetry.tracer_provider.shutdown()
    telemetry.meter_provider.shutdown()
