"""What the send path tells an instrumentation (tracing, metrics) while it works, and the name
of the SDK call being made.

:class:`Hooks` report after the fact; a span needs a start and an end. An
:class:`Instrumentation` set on the client's exchange is told when a call starts, when each
attempt starts and ends, what the call waited for, and when it ends. Every callback is
synchronous and runs in the task making the call, so a tracer can make the call's span
current (attempt spans, and a token renewal started by the call, become its children).
With no instrumentation set the send path skips all of it: one ``is None`` test per call.

The call's name (``source.products.get``) comes from :func:`name_calls`, which wraps the
public methods of a resource class to record it in a context variable while they run, and
only while an instrumentation is set.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

import attrs

from ._http import Request, Response
from .errors import LucidGreenError

__all__ = [
    "CallName",
    "CallObserver",
    "Instrumentation",
    "call_name",
    "current_call_name",
    "name_calls",
    "page_of",
    "sends_instrumented",
]

T = TypeVar("T")


@attrs.frozen
class CallName:
    """An SDK call's name (``source.products.list``) and, for a pager's page, its number."""

    name: str
    page: int | None = None


_CALL_NAME: ContextVar[CallName | None] = ContextVar("lucidgreen_call_name", default=None)


class CallObserver(Protocol):
    """Told what one SDK call does, from its first attempt to its outcome."""

    def attempt_started(self, request: Request, attempt: int) -> Request:
        """An HTTP attempt leaves now; return the request to send (it may add headers,
        e.g. ``traceparent``). ``request`` has no ``Authorization`` header yet."""
        ...

    def attempt_ended(self, outcome: Response | BaseException) -> None:
        """The attempt's answer, or the error it stands for (also ``CancelledError``)."""
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


class Instrumentation(Protocol):
    """Set on a client's exchange (``lucidgreen.otel.instrument(client)`` does it)."""

    def call_started(self, call: CallName, product: str, request: Request) -> CallObserver:
        """The call ``call`` starts sending ``request``; observe it to its end."""
        ...


def current_call_name() -> CallName | None:
    """The name of the SDK call running in this context, if one was recorded."""
    return _CALL_NAME.get()


async def call_name(name: CallName, awaitable: Coroutine[Any, Any, T]) -> T:
    """Await ``awaitable`` with ``name`` as the current call's name (an outer name wins)."""
    if _CALL_NAME.get() is not None:
        return await awaitable
    token = _CALL_NAME.set(name)
    try:
        return await awaitable
    finally:
        _CALL_NAME.reset(token)


def page_of(path: str) -> int | None:
    """A pager page's number: its ``page`` parameter, else 1 (DRF leaves it off page 1)."""
    for key, value in parse_qsl(urlsplit(path).query):
        if key == "page":
            return int(value) if value.isdigit() else None
    return 1


Instrumented = Callable[[Any], bool]
"""Whether the object a method is called on sends through an instrumented client."""


def sends_instrumented(namespace: Any) -> bool:
    """Whether ``namespace`` (anything holding an ``Api`` as ``_api``) is instrumented."""
    return namespace._api.pipeline.exchange.instrument is not None


def name_calls(cls: type, prefix: str, instrumented: Instrumented = sends_instrumented) -> None:
    """Wrap ``cls``'s own public methods so calls record ``<prefix>.<method>`` as their name.

    A coroutine method records it while it runs; a plain method (one that returns a pager)
    while it builds its result, which keeps the name. When ``instrumented(self)`` is false
    the wrapper only forwards the call.
    """
    for attribute, method in list(vars(cls).items()):
        if (
            attribute.startswith("_")
            or not inspect.isfunction(method)
            or inspect.isasyncgenfunction(method)  # streams spend no call of their own
        ):
            continue
        name = CallName(f"{prefix}.{attribute}")
        if inspect.iscoroutinefunction(method):
            setattr(cls, attribute, _named_coroutine(method, name, instrumented))
        else:
            setattr(cls, attribute, _named_function(method, name, instrumented))


def _named_coroutine(
    method: Callable[..., Coroutine[Any, Any, T]], name: CallName, instrumented: Instrumented
) -> Callable[..., Coroutine[Any, Any, T]]:
    @functools.wraps(method)
    async def named(self: Any, *args: Any, **kwargs: Any) -> T:
        if not instrumented(self):
            return await method(self, *args, **kwargs)
        return await call_name(name, method(self, *args, **kwargs))

    return named


def _named_function(
    method: Callable[..., T], name: CallName, instrumented: Instrumented
) -> Callable[..., T]:
    @functools.wraps(method)
    def named(self: Any, *args: Any, **kwargs: Any) -> T:
        if not instrumented(self) or _CALL_NAME.get() is not None:
            return method(self, *args, **kwargs)
        token = _CALL_NAME.set(name)
        try:
            return method(self, *args, **kwargs)
        finally:
            _CALL_NAME.reset(token)

    return named
