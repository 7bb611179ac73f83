"""The extension point for tracing and metrics: what a client tells an instrumentation.

:class:`lucidgreen.Hooks` report after the fact; a span needs a start and an end. An
:class:`Instrumentation` passed to ``client.instrument(...)`` is told when a call starts, when
each attempt starts and ends, what the call waited for, and when it ends. Every callback is
synchronous and runs in the task making the call, so a tracer can make the call's span
current (attempt spans, and a token renewal started by the call, become its children).
:mod:`lucidgreen.otel` is built on this module alone.

Telemetry never changes what a call returns or raises: a callback that raises an
``Exception`` is logged once per attached instrumentation (a warning to the ``lucidgreen``
logger naming its class, the method and the exception's type) and the call carries on, and
an ``attempt_started`` answering what is no :class:`Request` sends the request it was given.
``instrument()`` refuses an async ``call_started``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

from .errors import LucidGreenError
from .transport import Request, Response

__all__ = ["CallName", "CallObserver", "Instrumentation"]


@attrs.frozen
class CallName:
    """An SDK call's name (``source.products.list``) and, for a pager's page, its number."""

    name: str
    page: int | None = None


class CallObserver(Protocol):
    """Told what one SDK call does, from its first attempt to its outcome."""

    def attempt_started(self, request: Request, attempt: int) -> Request:
        """An HTTP attempt leaves now; return the request to send (it may add headers,
        e.g. ``traceparent``). ``request`` has no ``Authorization`` header yet."""
        ...

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        """The attempt of ``request`` (as :meth:`attempt_started` returned it) ended with
        this answer, or the error it stands for (also ``CancelledError``). Attempts of
        requests sent side by side in one call may overlap."""
        ...

    def limiter_waited(self, seconds: float) -> None:
        """The call waited ``seconds`` for rate-limit budget."""
        ...

    def token_renewed(self, reason: str) -> None:
        """A token was renewed for the call: ``"initial"`` or ``"expired"`` (issued while
        it waited), ``"401"`` (dropped after its 401; the replay waits for the new one)."""
        ...

    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None:
        """The call will try again after ``delay`` seconds because of ``error``."""
        ...

    def paused(self, seconds: float) -> None:
        """A 429 paused the product's whole budget for ``seconds``."""
        ...

    def call_ended(self, error: BaseException | None) -> None:
        """The call returned (``None``) or raised ``error``."""
        ...


@runtime_checkable
class Instrumentation(Protocol):
    """What :meth:`client.instrument() <lucidgreen.SourceClient.instrument>` takes: told when
    each call of the client (and of its views) starts; it answers with the
    :class:`CallObserver` that follows that call. :func:`lucidgreen.otel.instrument` attaches
    one that feeds OpenTelemetry; here is one that counts attempts per call:

    >>> import asyncio, collections, lucidgreen
    >>> from lucidgreen.testing import MockTransport
    >>> class Counter:
    ...     def __init__(self, name, counts):
    ...         self.name, self.counts = name, counts
    ...     def attempt_started(self, request, attempt):
    ...         self.counts[self.name] += 1
    ...         return request
    ...     def attempt_ended(self, request, outcome): pass
    ...     def limiter_waited(self, seconds): pass
    ...     def token_renewed(self, reason): pass
    ...     def retry_scheduled(self, retry_number, delay, error): pass
    ...     def paused(self, seconds): pass
    ...     def call_ended(self, error): pass
    >>> class Attempts:
    ...     def __init__(self):
    ...         self.counts = collections.Counter()
    ...     def call_started(self, call, product):
    ...         return Counter(call.name, self.counts)
    >>> async def main():
    ...     answer = lucidgreen.Response(200, {"content-type": "application/json"}, b"{}")
    ...     transport = MockTransport(lambda request: answer)
    ...     async with lucidgreen.SourceClient(token="t", transport=transport) as source:
    ...         attempts = Attempts()
    ...         source.instrument(attempts)
    ...         await source.request("GET", "products/")
    ...     return dict(attempts.counts)
    >>> asyncio.run(main())
    {'source.request': 1}
    """

    def call_started(self, call: CallName, product: str) -> CallObserver:
        """The call ``call`` starts; observe it to its end."""
        ...
