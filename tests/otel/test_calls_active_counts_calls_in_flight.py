"""``lucidgreen.client.calls.active`` is read when the meter collects (issue #26: two
additions per call instead of two SDK measurements): it still says how many calls are in
flight, by product, across re-instrumentation and clients sharing one meter provider."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, Sum

import lucidgreen.otel
from lucidgreen import Hooks, RetailClient, SourceClient, TokenBucket
from lucidgreen.testing import FakeLucidGreen

ACTIVE = "lucidgreen.client.calls.active"


def _active(reader: InMemoryMetricReader) -> dict[str, int]:
    """The collected in-flight count of each product (and that it is a non-monotonic sum)."""
    data = reader.get_metrics_data()
    assert data is not None
    found: dict[str, int] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name != ACTIVE:
                    continue
                assert isinstance(metric.data, Sum)
                assert not metric.data.is_monotonic
                assert metric.unit == "{call}"
                for point in metric.data.data_points:
                    product = dict(point.attributes or {})["lucidgreen.product"]
                    found[str(product)] = int(point.value)
    return found


def _clients(fake: FakeLucidGreen, hooks: Hooks) -> tuple[SourceClient, RetailClient]:
    unlimited = TokenBucket(limit=1_000_000, per=60.0, burst=1000)
    source_id, source_secret = fake.source_credentials
    retail_id, retail_secret = fake.retail_credentials
    return (
        SourceClient(source_id, source_secret, base_url=fake.url, rate_limiter=unlimited),
        RetailClient(
            retail_id, retail_secret, base_url=fake.url, rate_limiter=unlimited, hooks=hooks
        ),
    )


async def test_calls_in_flight_by_product_across_reinstrumenting() -> None:
    """A Retail call in flight reads 1 for retail and 0 for source; after every call, 0 for
    both, also after instrumenting the same client again on the same meter provider (whose
    meter keeps the first callback of a name: the new instrumentation must count there)."""
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    seen: list[dict[str, int]] = []

    def during(event: Any) -> None:
        if event.url.endswith("/o/token/"):
            return
        seen.append(_active(reader))

    async with FakeLucidGreen(products=3, rate_limits=False) as fake:
        source, retail = _clients(fake, Hooks(on_request=during))
        async with source, retail:
            lucidgreen.otel.instrument(source, meter_provider=meters)
            lucidgreen.otel.instrument(retail, meter_provider=meters)
            uuid = next(iter(fake.state.products))
            await source.products.get(uuid)
            assert _active(reader) == {"source": 0}
            await retail.products.get(uuid)
            lucidgreen.otel.instrument(retail, meter_provider=meters)  # again: replaces
            await retail.products.get(uuid)
    assert seen == [{"source": 0, "retail": 1}, {"source": 0, "retail": 1}]
    assert _active(reader) == {"source": 0, "retail": 0}
    meters.shutdown()
