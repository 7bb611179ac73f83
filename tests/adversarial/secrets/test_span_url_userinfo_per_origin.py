"""``url.full`` never shows a user or password, even when the same host was first seen
without one: what an attempt's span says of its origin is remembered per origin, and an
origin holding userinfo is a different origin."""

from __future__ import annotations

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from lucidgreen._instrument import CallName
from lucidgreen._transport import Request, Response
from lucidgreen.otel import OpenTelemetry


def _one_attempt(otel: OpenTelemetry, request: Request) -> None:
    call = otel.call_started(CallName("source.products.get"), "source")
    sent = call.attempt_started(request, 1)
    call.attempt_ended(sent, Response(200, {}, b"{}"))
    call.call_ended(None)


def test_userinfo_never_reaches_url_full_after_a_plain_url_of_that_host() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    otel = OpenTelemetry(tracer_provider=provider)
    urls = [
        "https://api.example/api/v1.5/products/?page=2",
        "https://user:s3cr3t@api.example/api/v1.5/products/?page=3",
        "https://api.example:8443/x",
        "https://user:s3cr3t@api.example/api/v1.5/products/?page=4",
    ]
    for url in urls:
        _one_attempt(otel, Request("GET", url, headers={"X-Request-ID": "r"}))
    attempts = [span for span in exporter.get_finished_spans() if span.name == "GET"]
    shown = [span.attributes["url.full"] for span in attempts if span.attributes]
    assert shown == [
        "https://api.example/api/v1.5/products/?page=2",
        "https://api.example/api/v1.5/products/?page=3",
        "https://api.example:8443/x",
        "https://api.example/api/v1.5/products/?page=4",
    ]
    ports = [span.attributes["server.port"] for span in attempts if span.attributes]
    assert ports == [443, 443, 8443, 443]
