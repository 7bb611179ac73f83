"""OpenTelemetry traces and metrics for a client: ``pip install 'lucidgreen[otel]'``.

Turn it on with one line, before the calls you want to see::

    lucidgreen.otel.instrument(source)   # the global tracer and meter providers

It leaves ``hooks=`` alone (both work side by side) and instruments the whole client: its
``with_options`` views and its token requests too. :func:`uninstrument` turns it off.

Traces: one span per SDK call, named after the call (``source.products.get``,
``retail.transactions.complete``, ``source.products.list`` for each page of a pager with its
number in ``lucidgreen.page``, ``source.oauth.token`` for a token request), made current
while the call runs; a resource method's span ends with the error its caller gets, and
holds everything the method sent (``export()``'s polls). Under it, one ``CLIENT`` span per
HTTP attempt, named after the method, with the HTTP client semantic conventions:
``http.request.method``, ``server.address``, ``server.port``, ``url.full`` (an
unauthenticated request's query left out: a presigned URL's signature is a credential),
``http.response.status_code``, ``http.request.resend_count`` from the second attempt on,
and ``error.type`` (the status code, or the error's class when no answer came). The call
span carries events for limiter waits, 429 pauses, token renewals and retries (reason and
delay), and records the exception a failed call raises, with the SDK error class.
``propagate=True`` adds W3C ``traceparent`` to requests to the client's own origin (never
to another, such as the presigned export URL).

Metrics: ``http.client.request.duration`` (histogram, seconds, per attempt),
``lucidgreen.client.retries`` and ``lucidgreen.client.rate_limited`` (counters by
``lucidgreen.product`` and ``lucidgreen.reason``), ``lucidgreen.client.limiter.wait``
(histogram, seconds) and ``lucidgreen.client.calls.active`` (calls in flight).

No attribute or event carries a header, a body, a token, a secret or a presigned query.
This module and its helper ``_otel_metrics`` are the only ones importing ``opentelemetry`` (its API
only).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import attrs

try:
    from opentelemetry import context, propagate, trace
    from opentelemetry.metrics import Counter, MeterProvider, get_meter
    from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
except ImportError as _missing:
    raise ImportError(
        "lucidgreen.otel needs opentelemetry-api; install it with: pip install 'lucidgreen[otel]'"
    ) from _missing

from ._otel_metrics import DURATION_BUCKETS, WAIT_BUCKETS, active_calls, histogram
from ._secrets import shown_url, span_url
from ._transport import Request, Response, origin_of
from ._transport._network import origin_key
from ._version import __version__
from .errors import APIError, LucidGreenError, RateLimited
from .instrumentation import CallName, CallObserver

if TYPE_CHECKING:
    from ._client import BaseClient

__all__ = ["OpenTelemetry", "instrument", "uninstrument"]

_SCOPE: Final = "lucidgreen"
_REMEMBERED_ORIGINS: Final = 32

# OpenTelemetry's own AttributeValue, spelled here: opentelemetry-api before 1.26 ships no
# py.typed, so its alias is an unknown type to a type checker reading the SDK.
AttributeValue = (
    str | bool | int | float | Sequence[str] | Sequence[bool] | Sequence[int] | Sequence[float]
)
Attributes = dict[str, AttributeValue]


def instrument(
    client: BaseClient,
    *,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    propagate: bool = False,
) -> OpenTelemetry:
    """Trace and measure every call ``client`` makes (and its views and token requests).

    ``tracer_provider`` and ``meter_provider`` default to the global ones. ``propagate``
    adds the current propagator's headers (W3C ``traceparent`` by default) to requests to
    the client's own origin. Instrumenting again replaces the previous instrumentation.

    >>> import lucidgreen, lucidgreen.otel
    >>> source = lucidgreen.SourceClient(token="t", base_url="http://127.0.0.1:9")
    >>> instrumentation = lucidgreen.otel.instrument(source, propagate=True)
    >>> lucidgreen.otel.instrument(source) is not instrumentation  # a second one replaces it
    True
    """
    instrumentation = OpenTelemetry(
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        propagate_to=client.base_url if propagate else None,
    )
    client.instrument(instrumentation)
    return instrumentation


def uninstrument(client: BaseClient) -> None:
    """Stop tracing and measuring ``client`` (calls already running finish their spans); an
    instrumentation of the caller's that replaced :class:`OpenTelemetry` stays."""
    if isinstance(client.instrumentation, OpenTelemetry):
        client.instrument(None)


class OpenTelemetry:
    """The :class:`~lucidgreen.Instrumentation` that feeds OpenTelemetry."""

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        propagate_to: str | None = None,
    ) -> None:
        self.tracer: Final = trace.get_tracer(_SCOPE, __version__, tracer_provider)
        meter = get_meter(_SCOPE, __version__, meter_provider)
        self.duration: Final = histogram(
            meter,
            "http.client.request.duration",
            unit="s",
            description="Duration of one HTTP attempt, from sending to the whole answer.",
            buckets=DURATION_BUCKETS,
        )
        self.retries: Final[Counter] = meter.create_counter(
            "lucidgreen.client.retries",
            unit="{retry}",
            description="Retries scheduled, by product and reason (status code or error).",
        )
        self.rate_limited: Final[Counter] = meter.create_counter(
            "lucidgreen.client.rate_limited",
            unit="{response}",
            description="429 answers, by product and whether they said how long to wait.",
        )
        self.limiter_wait: Final = histogram(
            meter,
            "lucidgreen.client.limiter.wait",
            unit="s",
            description="Time a call waited for the product's rate-limit budget.",
            buckets=WAIT_BUCKETS,
        )
        self.active: Final = active_calls(meter)
        self.propagate_to: Final = None if propagate_to is None else origin_of(propagate_to)

        self._targets: dict[str, _Target] = {}

    def call_started(self, call: CallName, product: str) -> CallObserver:
        return _Call(self, call, product)

    def target_of(self, url: str) -> _Target:
        """What an attempt's span says of where ``url`` goes: parsed once per origin."""
        key = origin_key(url)
        target = None if key is None else self._targets.get(key)
        if target is None:
            target = _Target.of(url)
            if key is not None:
                if len(self._targets) >= _REMEMBERED_ORIGINS:
                    self._targets.clear()
                self._targets[key] = target
        return target


@attrs.frozen
class _Target:
    """An origin as spans show it: ``server.address`` and ``server.port``, and whether its
    URLs are shown as they are (no user or password to take out)."""

    origin: tuple[str, str, int | None]
    server: Attributes
    plain_url: bool

    @classmethod
    def of(cls, url: str) -> _Target:
        origin = origin_of(url)
        _scheme, host, port = origin
        server: Attributes = {"server.address": host}
        if port is not None:
            server["server.port"] = port
        plain = "@" not in (origin_key(url) or "@")  # no '@' before the path: no user
        return cls(origin, server, plain)


class _Attempt:
    """An attempt in flight: its span, or (not propagated) what its span will be made of."""

    __slots__ = ("attributes", "metric", "span", "started", "started_ns")

    def __init__(self, span: trace.Span | None, attributes: Attributes, metric: Attributes) -> None:
        self.span, self.attributes, self.metric = span, attributes, metric
        self.started, self.started_ns = time.perf_counter(), time.time_ns()


class _Call:
    """One call's span, made current until the call ends, and its attempts' spans."""

    __slots__ = ("_attempts", "_context", "_context_token", "_open", "_otel", "_span", "product")

    def __init__(self, otel: OpenTelemetry, call: CallName, product: str) -> None:
        self._otel = otel
        self.product = product
        attributes: Attributes = {"lucidgreen.product": product}
        if call.page is not None:
            attributes["lucidgreen.page"] = call.page
        self._span = otel.tracer.start_span(
            call.name, kind=SpanKind.INTERNAL, attributes=attributes
        )
        # Attempt spans, and a token renewal this call starts, become its children.
        self._context = trace.set_span_in_context(self._span)
        self._context_token = context.attach(self._context)
        self._open: dict[str, _Attempt] = {}  # by X-Request-ID: one per send at a time
        self._attempts = 0
        otel.active.started(self)

    def attempt_started(self, request: Request, attempt: int) -> Request:
        target = self._otel.target_of(request.url)
        metric: Attributes = {
            "http.request.method": request.method,
            **target.server,
            "lucidgreen.product": self.product,
        }
        url = (
            shown_url(request.url, authenticated=request.authenticated)
            if target.plain_url
            else span_url(request.url, authenticated=request.authenticated)
        )
        attributes: Attributes = {**metric, "url.full": url}
        if attempt > 1:
            attributes["http.request.resend_count"] = attempt - 1
        request_id = request.headers.get("X-Request-ID", "")
        if request_id:
            attributes["lucidgreen.request_id"] = request_id
        self._attempts += 1
        if self._otel.propagate_to != target.origin:
            # Nothing reads this span before it ends: it is made then, with its start time
            # and every attribute in one dict (one cleaning pass, no set_attribute; a sampler
            # sees the answer's attributes too). The same exported span, ~5 us cheaper.
            self._open[request_id] = _Attempt(None, attributes, metric)
            return request
        span = self._otel.tracer.start_span(
            request.method, context=self._context, kind=SpanKind.CLIENT, attributes=attributes
        )
        self._open[request_id] = _Attempt(span, attributes, metric)
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        return request.with_headers(carrier)

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        attempt = self._open.pop(request.headers.get("X-Request-ID", ""), None)
        if attempt is not None:
            self._end_attempt(attempt, outcome)

    def _end_attempt(self, attempt: _Attempt, outcome: Response | BaseException) -> None:
        elapsed = time.perf_counter() - attempt.started
        ended_ns = time.time_ns()
        metric, answered = attempt.metric, attempt.attributes
        status = _status_of(outcome)
        if status is not None:
            answered["http.response.status_code"] = metric["http.response.status_code"] = status
        error_type = _error_type(outcome, status)
        if error_type is not None:
            answered["error.type"] = metric["error.type"] = error_type
        span = attempt.span
        if span is None:
            span = self._otel.tracer.start_span(
                str(metric["http.request.method"]),
                context=self._context,
                kind=SpanKind.CLIENT,
                attributes=answered,
                start_time=attempt.started_ns,
            )
        else:
            span.set_attributes({k: answered[k] for k in _ANSWER_KEYS if k in answered})
        if error_type is not None:
            span.set_status(Status(StatusCode.ERROR))
        if status == 429:
            said = isinstance(outcome, RateLimited) and outcome.retry_after is not None
            self._otel.rate_limited.add(
                1,
                {
                    "lucidgreen.product": self.product,
                    "lucidgreen.reason": "retry-after" if said else "no-wait",
                },
            )
        self._otel.duration.record(elapsed, metric)
        span.end(ended_ns)

    def limiter_waited(self, seconds: float) -> None:
        self._span.add_event("lucidgreen.limiter.wait", {"lucidgreen.wait.seconds": seconds})
        self._otel.limiter_wait.record(seconds, {"lucidgreen.product": self.product})

    def token_renewed(self, reason: str) -> None:
        self._span.add_event("lucidgreen.token.renewal", {"lucidgreen.reason": reason})

    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None:
        status = error.status if isinstance(error, APIError) else None
        reason = str(status) if status is not None else type(error).__name__
        attributes: Attributes = {
            "lucidgreen.retry.number": retry_number,
            "lucidgreen.retry.delay": delay,
            "lucidgreen.reason": reason,
            "error.type": type(error).__name__,
        }
        if status is not None:
            attributes["http.response.status_code"] = status
        self._span.add_event("lucidgreen.retry", attributes)
        self._otel.retries.add(1, {"lucidgreen.product": self.product, "lucidgreen.reason": reason})

    def paused(self, seconds: float) -> None:
        self._span.add_event("lucidgreen.rate_limit.pause", {"lucidgreen.pause.seconds": seconds})

    def call_ended(self, error: BaseException | None) -> None:
        for attempt in self._open.values():  # attempts cut short by what ended the call
            self._end_attempt(attempt, error or asyncio.CancelledError())
        self._open.clear()
        span = self._span
        span.set_attribute("lucidgreen.attempts", self._attempts)
        if isinstance(error, asyncio.CancelledError):
            span.set_attribute("lucidgreen.cancelled", True)
        elif error is not None:
            span.record_exception(error)
            span.set_attribute("error.type", _qualified(error))
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()
        context.detach(self._context_token)
        self._otel.active.ended(self)


_ANSWER_KEYS: Final = ("http.response.status_code", "error.type")


def _status_of(outcome: Response | BaseException) -> int | None:
    if isinstance(outcome, Response | APIError):
        return outcome.status
    return None


def _error_type(outcome: Response | BaseException, status: int | None) -> str | None:
    """The semantic conventions' ``error.type``: an error status, else the error's class."""
    if status is not None and status >= 400:
        return str(status)
    if isinstance(outcome, BaseException):
        return type(outcome).__name__
    return None


def _qualified(error: BaseException) -> str:
    kind = type(error)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
