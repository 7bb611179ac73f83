"""lucidgreen.otel: spans and metrics of real calls against the loopback fake, read back with
opentelemetry-sdk's in-memory span exporter and metric reader."""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import lucidgreen.otel
from lucidgreen import (
    BadRequest,
    ExportUnavailable,
    Hooks,
    RateLimited,
    RetailClient,
    RetryPolicy,
    ServerError,
    SourceClient,
    TokenBucket,
    _otel_metrics,
)
from lucidgreen._instrument import current_observer
from lucidgreen._secrets import span_url
from lucidgreen._transport import Request
from lucidgreen.errors import TransportError
from lucidgreen.retry import without_sleeping
from lucidgreen.source.products import Products
from lucidgreen.testing import FakeLucidGreen

PRODUCTS = "/api/v1.5/products/"
WHEN = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@attrs.define
class Telemetry:
    """In-memory OpenTelemetry providers, and what they collected."""

    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def instrument(self, client: SourceClient | RetailClient, **options: Any) -> None:
        lucidgreen.otel.instrument(
            client,
            tracer_provider=self.tracer_provider,
            meter_provider=self.meter_provider,
            **options,
        )

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def calls(self, name: str | None = None) -> list[ReadableSpan]:
        return [
            s
            for s in self.spans()
            if s.kind is SpanKind.INTERNAL and (name is None or s.name == name)
        ]

    def attempts_of(self, call: ReadableSpan) -> list[ReadableSpan]:
        assert call.context is not None
        return [
            s
            for s in self.spans()
            if s.kind is SpanKind.CLIENT
            and s.parent is not None
            and s.parent.span_id == call.context.span_id
        ]

    def points(self, metric: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        assert data is not None
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for m in scope.metrics
            if m.name == metric
            for point in m.data.data_points
        ]


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Telemetry(exporter, reader, tracer_provider, meter_provider)
    tracer_provider.shutdown()
    meter_provider.shutdown()


def _unlimited() -> TokenBucket:
    return TokenBucket(limit=1_000_000, per=60.0, burst=1000)


def _source(fake: FakeLucidGreen, **options: Any) -> SourceClient:
    options.setdefault("rate_limiter", _unlimited())
    client_id, secret = fake.source_credentials
    return SourceClient(client_id, secret, base_url=fake.url, **options)


def _retail(fake: FakeLucidGreen, **options: Any) -> RetailClient:
    options.setdefault("rate_limiter", _unlimited())
    client_id, secret = fake.retail_credentials
    return RetailClient(client_id, secret, base_url=fake.url, **options)


def _events(span: ReadableSpan, name: str) -> list[dict[str, Any]]:
    return [dict(e.attributes or {}) for e in span.events if e.name == name]


async def test_a_call_with_two_retries_is_one_call_span_with_three_attempt_spans(
    telemetry: Telemetry,
) -> None:
    """Two 503s then a 200: one ``source.products.get`` span, three CLIENT children with the
    HTTP semantic conventions and resend counts, and two retry events with reason and delay."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        url = fake.url
        async with _source(fake) as source:
            telemetry.instrument(source)
            await source.products.get(uuid)  # the token is fetched here, outside the script
            telemetry.exporter.clear()
            fake.faults.script(f"{PRODUCTS}{uuid}/", [(503, {"detail": "x"})] * 2)
            with without_sleeping():
                await source.products.get(uuid)

    [call] = telemetry.calls()
    assert call.name == "source.products.get"
    assert call.status.status_code is StatusCode.UNSET
    assert call.attributes is not None
    assert call.attributes["lucidgreen.product"] == "source"
    assert call.attributes["lucidgreen.attempts"] == 3
    attempts = sorted(telemetry.attempts_of(call), key=lambda s: s.start_time or 0)
    assert len(attempts) == 3
    host, port = urlsplit(url).hostname, urlsplit(url).port
    for number, (attempt, status) in enumerate(zip(attempts, [503, 503, 200], strict=True)):
        attributes = dict(attempt.attributes or {})
        assert attempt.name == "GET"
        assert attributes["http.request.method"] == "GET"
        assert attributes["server.address"] == host
        assert attributes["server.port"] == port
        assert attributes["url.full"] == f"{url}{PRODUCTS}{uuid}/"
        assert attributes["http.response.status_code"] == status
        assert attributes.get("http.request.resend_count") == (number or None)
        assert attributes.get("error.type") == ("503" if status == 503 else None)
        assert attempt.status.status_code is (
            StatusCode.ERROR if status == 503 else StatusCode.UNSET
        )
    retries = _events(call, "lucidgreen.retry")
    assert [r["lucidgreen.retry.number"] for r in retries] == [1, 2]
    assert [r["lucidgreen.reason"] for r in retries] == ["503", "503"]
    assert [r["error.type"] for r in retries] == ["ServerError", "ServerError"]
    delays = [r["lucidgreen.retry.delay"] for r in retries]
    assert len(delays) == 2
    for delay, documented in zip(delays, (1.0, 2.0), strict=True):  # jittered upward only
        assert isinstance(delay, float)
        assert documented <= delay <= documented * 1.25
    # The call's span was current only while the call ran.
    assert trace.get_current_span() is trace.INVALID_SPAN

    retried = telemetry.points("lucidgreen.client.retries")
    assert [(dict(p.attributes), p.value) for p in retried] == [
        ({"lucidgreen.product": "source", "lucidgreen.reason": "503"}, 2)
    ]
    durations = {
        (p.attributes["http.request.method"], p.attributes["http.response.status_code"]): p.count
        for p in telemetry.points("http.client.request.duration")
    }
    assert durations == {("POST", 200): 1, ("GET", 200): 2, ("GET", 503): 2}
    [active] = telemetry.points("lucidgreen.client.calls.active")
    assert active.value == 0


async def test_a_pager_walk_gives_one_numbered_span_per_page(telemetry: Telemetry) -> None:
    """25 products in pages of 10: three ``source.products.list`` spans, pages 1, 2 and 3."""
    async with (
        FakeLucidGreen(products=25, page_size=10, rate_limits=False) as fake,
        _source(fake) as source,
    ):
        telemetry.instrument(source)
        pages = [page async for page in source.products.list().pages()]
        assert len(pages) == 3
        prefetched = [page async for page in source.products.list(prefetch=2).pages()]
        assert len(prefetched) == 3

    walks = telemetry.calls("source.products.list")
    numbers = [dict(span.attributes or {})["lucidgreen.page"] for span in walks]
    assert sorted(numbers) == [1, 1, 2, 2, 3, 3]  # type: ignore[type-var]
    assert all(len(telemetry.attempts_of(span)) == 1 for span in walks)
    [token] = telemetry.calls("source.oauth.token")
    assert token.attributes is not None
    assert "lucidgreen.page" not in token.attributes


async def test_the_token_request_is_a_child_of_the_call_that_needed_it(
    telemetry: Telemetry,
) -> None:
    """The first call's span holds the ``source.oauth.token`` span and a renewal event."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake, _source(fake) as source:
        telemetry.instrument(source)
        await source.products.get(next(iter(fake.state.products)))
        url = fake.url

    [call] = telemetry.calls("source.products.get")
    [token] = telemetry.calls("source.oauth.token")
    assert call.context is not None
    assert token.parent is not None
    assert token.parent.span_id == call.context.span_id
    [attempt] = telemetry.attempts_of(token)
    assert dict(attempt.attributes or {})["url.full"] == f"{url}/o/token/"
    assert _events(call, "lucidgreen.token.renewal") == [{"lucidgreen.reason": "initial"}]


async def test_a_failing_call_records_the_sdk_error_on_its_span(telemetry: Telemetry) -> None:
    """A refused ``retail.transactions.complete`` and a ``get`` that runs out of retries each
    end with an ERROR span holding an exception event of the SDK error class."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        async with _retail(fake) as retail, _source(fake, retry=RetryPolicy(max_retries=1)) as s:
            telemetry.instrument(retail)
            telemetry.instrument(s)
            with pytest.raises(BadRequest) as refused:
                await retail.transactions.complete(
                    order_id="ORD-X", items=["UNDTMBovdue9tFWfhamnDM"], performed_at=WHEN
                )
            fake.faults.script(f"{PRODUCTS}{uuid}/", [(500, {"detail": "x"})] * 2)
            with without_sleeping(), pytest.raises(ServerError):
                await s.products.get(uuid)

    for name, error in [
        ("retail.transactions.complete", type(refused.value)),
        ("source.products.get", ServerError),
    ]:
        [call] = telemetry.calls(name)
        qualified = f"{error.__module__}.{error.__qualname__}"  # type: ignore[attr-defined]
        assert call.status.status_code is StatusCode.ERROR
        assert call.status.description == error.__name__  # type: ignore[attr-defined]
        assert dict(call.attributes or {})["error.type"] == qualified
        [exception] = _events(call, "exception")
        assert exception["exception.type"] == qualified
    [complete] = telemetry.calls("retail.transactions.complete")
    [attempt] = telemetry.attempts_of(complete)
    assert dict(attempt.attributes or {})["http.request.method"] == "POST"
    assert dict(attempt.attributes or {})["error.type"] == "400"


async def test_limiter_waits_429_pauses_and_401_renewals_are_events_and_metrics(
    telemetry: Telemetry,
) -> None:
    """A 429 with Retry-After, a 401 on an expired token and a wait for budget each leave an
    event on the call span, and feed the 429 counter and the limiter wait histogram."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        # 2 per 0.3 s: the third call waits for budget.
        async with _source(fake, rate_limiter=TokenBucket(limit=2, per=0.3, burst=2)) as source:
            telemetry.instrument(source)
            await source.products.get(uuid)
            fake.faults.script(
                f"{PRODUCTS}{uuid}/", [(429, {"detail": "slow down"}, {"Retry-After": "3"})]
            )
            with without_sleeping():
                await source.products.get(uuid)
            fake.expire_tokens()
            await source.products.get(uuid)

    first, limited, renewed = sorted(telemetry.calls("source.products.get"), key=_start)
    assert _events(limited, "lucidgreen.rate_limit.pause") == [{"lucidgreen.pause.seconds": 3.0}]
    assert [e["lucidgreen.reason"] for e in _events(limited, "lucidgreen.retry")] == ["429"]
    assert _events(renewed, "lucidgreen.token.renewal") == [{"lucidgreen.reason": "401"}]
    statuses = [
        dict(a.attributes or {})["http.response.status_code"]
        for a in sorted(telemetry.attempts_of(renewed), key=_start)
    ]
    assert statuses == [401, 200]
    waits = [
        e for span in (first, limited, renewed) for e in _events(span, "lucidgreen.limiter.wait")
    ]
    assert waits
    assert all(e["lucidgreen.wait.seconds"] > 0 for e in waits)
    [histogram] = telemetry.points("lucidgreen.client.limiter.wait")
    assert histogram.count == len(waits)
    [limits] = telemetry.points("lucidgreen.client.rate_limited")
    assert (dict(limits.attributes), limits.value) == (
        {"lucidgreen.product": "source", "lucidgreen.reason": "retry-after"},
        1,
    )


def _start(span: ReadableSpan) -> int:
    return span.start_time or 0


async def test_traceparent_goes_only_to_the_api_origin_and_only_when_asked(
    telemetry: Telemetry,
) -> None:
    """``propagate=True`` sends the attempt span's ``traceparent`` to the API; never to the
    presigned export URL on another origin, and never without ``propagate``."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        async with _retail(fake) as retail:
            telemetry.instrument(retail)
            await retail.products.get(uuid)
            quiet = list(fake.requests)
            telemetry.instrument(retail, propagate=True)
            await retail.products.get(uuid)
            export = await retail.package_uids.export()
            await export.download()
        requests = list(fake.requests)[len(quiet) :]

    assert all("traceparent" not in {k.lower() for k in r.headers} for r in quiet)
    sent = {
        (r.site, r.path): {k.lower(): v for k, v in r.headers.items()}.get("traceparent")
        for r in requests
    }
    api = [value for (site, _), value in sent.items() if site == "api"]
    assert api
    assert all(value is not None for value in api)
    assert [value for (site, _), value in sent.items() if site == "cdn"] == [None]
    [get] = [
        s
        for s in telemetry.calls("retail.products.get")
        if s.start_time and s.start_time > min(_start(x) for x in telemetry.calls())
    ][-1:]
    [attempt] = telemetry.attempts_of(get)
    assert attempt.context is not None
    trace_id = f"{attempt.context.trace_id:032x}"
    span_id = f"{attempt.context.span_id:016x}"
    # Version 00, the attempt's ids, sampled (the flags may add W3C level 2's random bit).
    assert any(
        value.startswith(f"00-{trace_id}-{span_id}-") and int(value.rsplit("-", 1)[1], 16) & 1  # type: ignore[union-attr]
        for value in api
    )
    assert len(telemetry.calls("retail.package_uids.export")) == 1
    assert len(telemetry.calls("retail.package_uids.download")) == 1


async def test_hooks_keep_firing_beside_the_instrumentation_and_uninstrument_stops_it(
    telemetry: Telemetry,
) -> None:
    """A client's own ``hooks=`` see every exchange while traced; after ``uninstrument`` no
    span is made and the hooks still fire."""
    seen: list[Any] = []
    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        async with _source(fake, hooks=Hooks(on_request=seen.append)) as source:
            telemetry.instrument(source)
            await source.with_options(timeout=5).products.get(uuid)
            traced = len(telemetry.spans())
            lucidgreen.otel.uninstrument(source)
            await source.products.get(uuid)

    assert len(seen) == 3  # the token request and two gets
    assert traced == 4  # the views share the instrumentation: get, token, two attempts
    assert len(telemetry.spans()) == traced


async def test_an_attempt_without_an_answer_is_an_error_of_the_transport_class(
    telemetry: Telemetry,
) -> None:
    """An attempt with no answer has no status code; ``error.type`` is the transport error's
    class, and the call span records the same error."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        url, uuid = fake.url, next(iter(fake.state.products))
    # The fake is gone: nothing listens on its port any more.
    policy = RetryPolicy(max_retries=0)
    async with SourceClient(token="t" * 20, base_url=url, retry=policy) as source:
        telemetry.instrument(source)
        with pytest.raises(TransportError) as lost:
            await source.products.get(uuid)
    [call] = telemetry.calls()
    [attempt] = telemetry.attempts_of(call)
    attributes = dict(attempt.attributes or {})
    assert attributes["error.type"] == type(lost.value).__name__
    assert dict(call.attributes or {})["error.type"].endswith(type(lost.value).__name__)  # type: ignore[union-attr]
    assert "http.response.status_code" not in attributes
    assert attributes["url.full"].startswith(url)  # type: ignore[union-attr]


def _texts(values: Sequence[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, tuple | list):
            yield from _texts(value)
        else:
            yield str(value)


async def test_no_token_secret_or_presigned_query_in_any_attribute(telemetry: Telemetry) -> None:
    """After token requests, a 401 renewal, retries, a failing call and a presigned export
    download, no span attribute, event attribute, span name or metric attribute holds a
    client secret, a bearer token or the presigned URL's signature."""
    async with FakeLucidGreen(products=25, page_size=10, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        async with _source(fake) as source, _retail(fake) as retail:
            telemetry.instrument(source, propagate=True)
            telemetry.instrument(retail, propagate=True)
            with without_sleeping():
                [p async for p in source.products.list()]
                fake.faults.script(f"{PRODUCTS}{uuid}/", [(503, None), (429, None)])
                await source.products.get(uuid)
                fake.expire_tokens()  # the next call of each client meets a 401 and renews
                await source.products.get(uuid)
                await retail.products.get(uuid)
                fake.faults.script(f"{PRODUCTS}{uuid}/", [(429, None)] * 6)
                with pytest.raises(RateLimited):
                    await source.products.get(uuid)
                export = await retail.package_uids.export()
                signature = parse_qs(urlsplit(export.url).query)["X-Amz-Signature"][0]
                await export.download()
        requests = list(fake.requests)
        secrets = {
            fake.source_credentials.client_secret,
            fake.retail_credentials.client_secret,
            signature,
            urlsplit(export.url).query,
        }
    tokens = {
        r.authorization.removeprefix("Bearer ")
        for r in requests
        if r.authorization and r.authorization.startswith("Bearer ")
    }
    assert len(tokens) == 3  # source, its renewal after the 401, retail
    assert len(signature) == 64
    secrets |= tokens

    spans = telemetry.spans()
    texts = [span.name for span in spans]
    for span in spans:
        texts += _texts(list((span.attributes or {}).items()))
        for event in span.events:
            texts += [event.name, *_texts(list((event.attributes or {}).items()))]
        texts.append(str(span.status.description))
    data = telemetry.reader.get_metrics_data()
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    texts += _texts(list(point.attributes.items()))  # type: ignore[union-attr]
    names = {span.name for span in spans}
    assert {"source.oauth.token", "retail.oauth.token", "retail.package_uids.download"} <= names
    assert any("exception.stacktrace" in t for t in texts)  # the failure was recorded
    download = [
        dict(a.attributes or {})["url.full"]
        for s in telemetry.calls("retail.package_uids.download")
        for a in telemetry.attempts_of(s)
    ]
    assert download == [export.url.split("?", 1)[0]]
    leaks = sorted({t[:200] for t in texts for secret in secrets if secret in t})
    assert leaks == []


def test_url_full_drops_user_and_password_and_an_unauthenticated_query() -> None:
    """``url.full`` never carries userinfo, nor the query of an unauthenticated request."""

    def shown(request: Request) -> str:
        return span_url(request.url, authenticated=request.authenticated)

    assert shown(Request("GET", "https://u:p@api.example:8443/x/?a=1")) == (
        "https://api.example:8443/x/?a=1"
    )
    assert shown(
        Request("GET", "https://cdn.example/f?X-Amz-Signature=s", authenticated=False)
    ) == ("https://cdn.example/f")
    assert shown(Request("GET", "https://api.example/x/?page=2")) == "https://api.example/x/?page=2"


async def test_call_names_are_recorded_only_while_the_client_is_instrumented(
    telemetry: Telemetry,
) -> None:
    """Without instrumentation a resource method only forwards (no call observed in the
    context); with it, the call is observed while it runs and counts as in flight. The
    wrapped methods stay coroutine functions with their signature and docstring."""
    observed: list[bool] = []
    in_flight: list[int] = []

    def seen(event: Any) -> None:
        observed.append(current_observer() is not None)
        if source._pipeline.reporter.instrumented:
            [active] = telemetry.points("lucidgreen.client.calls.active")
            in_flight.append(active.value)

    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        uuid = next(iter(fake.state.products))
        async with _source(fake, hooks=Hooks(on_request=seen)) as source:
            await source.products.get(uuid)  # the token request, then the get
            telemetry.instrument(source)
            await source.products.get(uuid)

    assert observed == [False, False, True]
    assert in_flight == [1]
    assert inspect.iscoroutinefunction(Products.get)
    assert list(inspect.signature(Products.get).parameters) == ["self", "uuid"]
    assert Products.get.__doc__ == "One product with its nested brand (products_get)."


def test_only_lucidgreen_otel_imports_opentelemetry() -> None:
    """``import lucidgreen`` and a client leave opentelemetry unimported (one home for it)."""
    code = (
        "import sys, lucidgreen, lucidgreen.testing;"
        "lucidgreen.SourceClient(token='t', base_url='http://127.0.0.1:1');"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_without_the_extra_the_import_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With opentelemetry missing, ``import lucidgreen.otel`` names ``lucidgreen[otel]``."""
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.delitem(sys.modules, "lucidgreen.otel")
    with pytest.raises(ImportError, match=r"pip install 'lucidgreen\[otel\]'"):
        importlib.import_module("lucidgreen.otel")


async def test_a_polling_export_is_one_call_and_records_the_error_its_caller_sees(
    telemetry: Telemetry,
) -> None:
    """``export()`` polling two 202s is one ``retail.package_uids.export`` span over three
    attempts; a 404 it retypes records ``ExportUnavailable``, the class the caller gets."""
    async with FakeLucidGreen(products=3, rate_limits=False) as fake, _retail(fake) as retail:
        telemetry.instrument(retail)
        fake.export.pending_polls = 2
        with without_sleeping():
            await retail.package_uids.export(poll_interval=0.01)
        fake.export.missing_dates.add(datetime.now(UTC).date() - timedelta(days=1))
        with pytest.raises(ExportUnavailable):
            await retail.package_uids.export(datetime.now(UTC).date() - timedelta(days=1))

    polled, missing = sorted(telemetry.calls("retail.package_uids.export"), key=_start)
    statuses = [
        dict(a.attributes or {})["http.response.status_code"]
        for a in sorted(telemetry.attempts_of(polled), key=_start)
    ]
    assert statuses == [202, 202, 200]
    assert polled.status.status_code is StatusCode.UNSET
    [exception] = _events(missing, "exception")
    assert exception["exception.type"] == "lucidgreen.errors.ExportUnavailable"
    assert dict(missing.attributes or {})["error.type"] == "lucidgreen.errors.ExportUnavailable"
    [attempt] = telemetry.attempts_of(missing)
    assert dict(attempt.attributes or {})["error.type"] == "404"


def test_histograms_work_with_an_api_that_takes_no_bucket_advice() -> None:
    """On an opentelemetry-api without ``explicit_bucket_boundaries_advisory`` (1.25,
    which the extra allows) the histogram is made without the advice."""
    made: list[dict[str, Any]] = []

    class OldMeter:
        def create_histogram(self, name: str, unit: str = "", description: str = "") -> str:
            made.append({"name": name, "unit": unit})
            return "histogram"

    old = _otel_metrics.histogram(
        OldMeter(),  # type: ignore[arg-type]
        "x.duration",
        unit="s",
        description="d",
        buckets=(0.1, 1.0),
    )
    assert old == "histogram"  # type: ignore[comparison-overlap]
    assert made == [{"name": "x.duration", "unit": "s"}]  # type: ignore[unreachable]
