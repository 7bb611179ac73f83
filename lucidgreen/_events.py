"""What the send path reports as it works: hook events, the hooks themselves, running totals.

Plain values with no behaviour, so every layer (exchange, retries, token renewal, the CLI's
progress line, OpenTelemetry) can import them without importing the send path.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

__all__ = ["Hooks", "LimiterWait", "RequestSent", "RetryScheduled", "Stats"]


@attrs.frozen
class RequestSent:
    """One HTTP exchange finished, or failed without an answer (``status`` is None).

    ``request_id`` is the server's ``X-Request-ID`` when it sent one, else the id the SDK
    sent, so a success is as traceable as a failure.
    """

    product: str
    method: str
    url: str
    status: int | None
    elapsed: float
    attempt: int
    request_id: str | None = None


@attrs.frozen
class RetryScheduled:
    """A request will be sent again after ``delay`` seconds.

    ``status`` is the HTTP status that caused the retry (None when no answer arrived);
    ``error_type`` the SDK error's class name; ``reason`` a short human text of both.
    """

    product: str
    method: str
    url: str
    retry_number: int
    delay: float
    reason: str
    status: int | None = None
    error_type: str = ""
    max_retries: int | None = None


@attrs.frozen
class LimiterWait:
    """A request waited ``seconds`` for the product's rate-limit budget."""

    product: str
    seconds: float


@attrs.frozen
class Hooks:
    """Callbacks for observability, passed as ``hooks=`` to a client.

    Each is called synchronously from the task making the call; keep them quick.
    ``on_request`` sees every HTTP exchange (token requests included), ``on_retry`` every
    retry decision, ``on_limiter_wait`` every wait for rate-limit budget.

    >>> from lucidgreen import Hooks, RequestSent
    >>> slow = []
    >>> hooks = Hooks(on_request=lambda sent: slow.append(sent) if sent.elapsed > 1 else None)
    >>> hooks.on_request(RequestSent("source", "GET", "/api/v1.5/products/", 200, 2.5, 1))
    >>> [(sent.url, sent.status) for sent in slow]
    [('/api/v1.5/products/', 200)]

    Then ``SourceClient(..., hooks=hooks)``.
    """

    on_request: Callable[[RequestSent], None] | None = None
    on_retry: Callable[[RetryScheduled], None] | None = None
    on_limiter_wait: Callable[[LimiterWait], None] | None = None


@attrs.define
class Stats:
    """Running totals for one client and its ``with_options`` views (read them any time).

    ``requests`` counts HTTP exchanges, token requests included. ``replays_after_401``
    counts calls replayed with a renewed token; the renewals themselves are far fewer, since
    one renewal serves every call its expiry caught. ``limiter_wait_seconds`` is the sum of
    every call's own wait for rate-limit budget: with many calls waiting side by side it
    grows faster than the clock (ten calls each waiting 5 s add 50 s), so divide it by
    ``limiter_waits`` for the mean wait of a call that waited.
    """

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    replays_after_401: int = 0
    limiter_waits: int = 0
    limiter_wait_seconds: float = 0.0
