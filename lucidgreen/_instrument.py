"""The name of the SDK call being made, and the observer of the call running in this context:
how a resource method reaches the client's instrumentation (its protocols are public, in
:mod:`lucidgreen.instrumentation`).

With no instrumentation set the send path skips all of it: one ``is None`` test per call.

:func:`sdk_call` declares a public method of a resource namespace one SDK call where the
method is defined: an instrumented client's coroutine method is one observed call
(``source.products.get``) from its start to what the caller gets, whatever it sends
(``export()`` polls); every ``Pipeline.send`` inside reports its attempts and waits to it.
A send outside any method (a pager's page, named after the ``list`` method that made the
pager, or a token request) is a call of its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlsplit

from ._cursors import plain_page_number
from .instrumentation import CallName, CallObserver, Instrumentation

__all__ = [
    "CallName",
    "CallObserver",
    "Instrumentation",
    "call_name_of",
    "current_call_name",
    "current_observer",
    "page_of",
    "sdk_call",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


_CALL_NAME: ContextVar[CallName | None] = ContextVar("lucidgreen_call_name", default=None)
_OBSERVER: ContextVar[CallObserver | None] = ContextVar("lucidgreen_call", default=None)


def current_call_name() -> CallName | None:
    """The name of the SDK call running in this context, if one was recorded."""
    return _CALL_NAME.get()


def current_observer() -> CallObserver | None:
    """The observer of the resource method running in this context, if one is observed."""
    return _OBSERVER.get()


def page_of(path: str) -> int | None:
    """A pager page's number: its ``page`` parameter, else 1 (DRF leaves it off page 1)."""
    # Asked once per traced page, each a new path: a plain ``/path?page=N`` is read by one
    # regular expression (no cache to miss); others are parsed, and short ones remembered.
    plain = plain_page_number(path)
    if plain is not None:
        return plain
    return _page_of(path) if len(path) > _REMEMBERED_PATH_CHARS else _remembered_page_of(path)


_REMEMBERED_PATH_CHARS = 2048


def _page_of(path: str) -> int | None:
    for key, value in parse_qsl(urlsplit(path).query):
        if key == "page":
            # ASCII only: '²'.isdigit() holds, but int('²') raises.
            return int(value) if value.isascii() and value.isdigit() else None
    return 1


_remembered_page_of = functools.lru_cache(maxsize=64)(_page_of)


def sdk_call(method: F) -> F:
    """Declare ``method``, a public method of a resource namespace, one SDK call.

    Its name is where the client mounts it, ``<product>.<namespace>.<method>``
    (``source.products.get``): the namespace's ``Api`` carries the namespace
    (:meth:`Api.serving <lucidgreen._api.Api.serving>`). A coroutine method is one observed
    call from its start to what it returns or raises (the error the caller sees, after any
    retyping), whatever it sends; a plain method (one that returns a pager) records the name
    while it builds the pager, which keeps it for its pages. When the client is not
    instrumented the wrapper only forwards the call. An async generator (a stream) spends no
    call of its own: leave it undecorated.
    """
    if inspect.iscoroutinefunction(method):
        return cast(F, _observed_coroutine(method))
    return cast(F, _named_function(method))


def call_name_of(api: Any, method: Callable[..., Any]) -> CallName | None:
    """The call name of ``method`` on ``api``'s namespace (None: the Api serves none)."""
    namespace: str | None = api.namespace
    if namespace is None:
        return None
    return CallName(f"{api.pipeline.reporter.product}.{namespace}.{method.__name__}")


def _observed_coroutine(
    method: Callable[..., Coroutine[Any, Any, T]],
) -> Callable[..., Coroutine[Any, Any, T]]:
    @functools.wraps(method)
    async def observed(self: Any, *args: Any, **kwargs: Any) -> T:
        # ``self`` holds the Api of its namespace as ``_api`` (a Resource, a PackageExport).
        api = self._api
        reporter = api.pipeline.reporter
        # Not instrumented, or inside an observed call (part of it): forward only.
        if not reporter.instrumented or _OBSERVER.get() is not None:
            return await method(self, *args, **kwargs)
        name = call_name_of(api, method)
        observer = None if name is None else reporter.call_started(name)
        if observer is None:
            return await method(self, *args, **kwargs)
        token = _OBSERVER.set(observer)
        try:
            result = await method(self, *args, **kwargs)
        except BaseException as exc:
            _OBSERVER.reset(token)
            observer.call_ended(exc)
            raise
        _OBSERVER.reset(token)
        observer.call_ended(None)
        return result

    return observed


def _named_function(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def named(self: Any, *args: Any, **kwargs: Any) -> T:
        api = self._api
        if not api.pipeline.reporter.instrumented or _CALL_NAME.get() is not None:
            return method(self, *args, **kwargs)
        name = call_name_of(api, method)
        if name is None:
            return method(self, *args, **kwargs)
        token = _CALL_NAME.set(name)
        try:
            return method(self, *args, **kwargs)
        finally:
            _CALL_NAME.reset(token)

    return named
