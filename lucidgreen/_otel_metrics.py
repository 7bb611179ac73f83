"""The instruments behind :mod:`lucidgreen.otel` that need more than one line: the
histograms' bucket advice and the in-flight tally read when the meter collects. Imported by
``lucidgreen.otel`` only (opentelemetry's API is imported there first, with its message)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from opentelemetry.metrics import CallbackOptions, Histogram, Meter, Observation

__all__ = ["DURATION_BUCKETS", "WAIT_BUCKETS", "ActiveCalls", "active_calls", "histogram"]

# The semantic conventions' advice for http.client.request.duration.
DURATION_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip
WAIT_BUCKETS: Final = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Running(Protocol):
    """A call in flight, as the tally counts it."""

    @property
    def product(self) -> str: ...


class ActiveCalls:
    """``lucidgreen.client.calls.active``, read when the meter collects (an asynchronous
    up-down counter): a call adds itself to this tally, not through the SDK (2 x 7 us a call).

    Clients in several threads may share a meter: ``set.add`` and ``set.discard`` are each
    one step under the GIL (and locked per object without it), so a call spends no lock of
    its own (two lock round trips were ~1 us a traced page); ``observe`` copies the sets in
    one step too.
    """

    def __init__(self) -> None:
        self._running: set[Running] = set()
        self._products: set[str] = set()  # every product seen reads 0 once its calls end

    def started(self, call: Running) -> None:
        self._products.add(call.product)
        self._running.add(call)

    def ended(self, call: Running) -> None:
        self._running.discard(call)

    def observe(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        counts = dict.fromkeys(list(self._products), 0)
        for call in list(self._running):
            counts[call.product] = counts.get(call.product, 0) + 1
        return [
            Observation(calls, {"lucidgreen.product": product}) for product, calls in counts.items()
        ]


# A meter keeps the first callback of a name: every instrumentation on it shares one tally.
_TALLIES: weakref.WeakKeyDictionary[Meter, ActiveCalls] = weakref.WeakKeyDictionary()


def active_calls(meter: Meter) -> ActiveCalls:
    tally = _TALLIES.get(meter)
    if tally is None:
        tally = _TALLIES[meter] = ActiveCalls()
        meter.create_observable_up_down_counter(
            "lucidgreen.client.calls.active",
            callbacks=[tally.observe],
            unit="{call}",
            description="SDK calls in flight.",
        )
    return tally


def histogram(
    meter: Meter, name: str, *, unit: str, description: str, buckets: Sequence[float]
) -> Histogram:
    """A histogram advising ``buckets`` (seconds, not the SDK's millisecond defaults).

    An older opentelemetry-api (1.25 has none) takes no advice: there views decide.
    """
    try:
        return meter.create_histogram(
            name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets
        )
    except TypeError:
        return meter.create_histogram(name, unit=unit, description=description)
