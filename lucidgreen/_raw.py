"""``client.with_raw_response``: the HTTP response behind a call, next to what it returns.

The pipeline tells :func:`record` about every call that succeeds; a :func:`recording` block
(one context variable) keeps the latest. ``with_raw_response.<namespace>.<method>(...)``
runs the plain method inside one and hands back a :class:`RawResponse`; a pager records
each page it fetches the same way (``page.response``). Nothing else is sent or kept.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._headers import ResponseHeaders
from .errors import DecodeError

if TYPE_CHECKING:
    from ._pager import AsyncPager, Page
    from ._resource import Resource
    from ._transport import Response

__all__ = ["RawResponse", "WithRawResponse", "record", "recording"]

T = TypeVar("T")
U = TypeVar("U")


def _unparsed() -> Any:
    raise RuntimeError("this response has no parsed value yet")


@attrs.frozen(eq=False)
class RawResponse(Generic[T]):
    """The HTTP response behind one call, and what the plain call returns (:meth:`parse`).

    Given by ``client.with_raw_response.<namespace>.<method>(...)`` and as ``page.response``::

        raw = await source.with_raw_response.products.get(uuid)
        raw.status_code, raw.headers["x-request-id"], raw.attempts
        product = raw.parse()

    ``headers`` are looked up in any case. ``request_id`` is the server's ``X-Request-ID``,
    else the one the SDK sent. ``elapsed`` is the seconds of the whole call, its retries
    and waits included; ``attempts`` the HTTP exchanges it made (each retry, a replay after
    a 401 renewal). For a call sending several requests (``package_uids.export()`` polls)
    they describe its last one.
    """

    status_code: int
    headers: ResponseHeaders
    request_id: str | None
    elapsed: float
    attempts: int
    _parsed: Callable[[], T] = attrs.field(default=_unparsed, alias="parsed", repr=False)

    def parse(self) -> T:
        """What the plain call returns; a body that does not decode raises
        :class:`~lucidgreen.DecodeError` here, not in the raw call."""
        return self._parsed()

    def parsed_as(self, parsed: Callable[[], U]) -> RawResponse[U]:
        """This response with another :meth:`parse`."""
        return RawResponse(
            self.status_code,
            self.headers,
            self.request_id,
            self.elapsed,
            self.attempts,
            parsed=parsed,
        )


@attrs.define
class _Recorder:
    """The latest call that succeeded inside one :func:`recording` block (and its parents')."""

    parent: _Recorder | None
    latest: RawResponse[Any] | None = None


_RECORDING: ContextVar[_Recorder | None] = ContextVar("lucidgreen_raw_response", default=None)


@contextmanager
def recording() -> Iterator[_Recorder]:
    """Keep the latest response :func:`record` is told about in this block (also given to
    an enclosing block: a raw ``list()`` sees the page its pager records)."""
    recorder = _Recorder(_RECORDING.get())
    reset = _RECORDING.set(recorder)
    try:
        yield recorder
    finally:
        _RECORDING.reset(reset)


def record(response: Response, *, request_id: str | None, elapsed: float, attempts: int) -> None:
    """A call ended with ``response`` after ``attempts`` exchanges (the pipeline says so)."""
    recorder = _RECORDING.get()
    if recorder is None:
        return
    raw: RawResponse[Any] = RawResponse(
        response.status,
        ResponseHeaders(response.headers),
        response.request_id or request_id,
        elapsed,
        attempts,
    )
    while recorder is not None:
        recorder.latest = raw
        recorder = recorder.parent


def _raising(error: DecodeError) -> Callable[[], Any]:
    def parse() -> Any:
        raise error

    return parse


async def _answer(awaitable: Awaitable[T]) -> RawResponse[T]:
    """``awaitable``'s response, parsed as what it returns or raising its DecodeError."""
    with recording() as recorder:
        try:
            value = await awaitable
        except DecodeError as exc:
            if recorder.latest is None:
                raise  # no answer arrived (a body over the size cap): nothing to show
            return recorder.latest.parsed_as(_raising(exc))
    if recorder.latest is None:
        raise RuntimeError("the call sent no request")
    return recorder.latest.parsed_as(lambda: value)


async def _first_page(pager: AsyncPager[T]) -> Page[T]:
    async with aclosing(pager.pages()) as pages:
        async for page in pages:
            return page
    raise ValueError("the list fetched no page (limit=0, or a cursor of a finished list)")


async def _first_page_response(pager: AsyncPager[T]) -> RawResponse[Page[T]]:
    first = await _answer(_first_page(pager))
    try:
        page = first.parse()
    except DecodeError:
        return first
    return page.response or first


class _RawNamespace:
    """One namespace whose methods return :class:`RawResponse` instead of their result."""

    def __init__(self, resource: Resource) -> None:
        self._resource = resource

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._resource, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(f"{type(self._resource).__name__} has no method {name!r}")

        def raw(*args: Any, **kwargs: Any) -> Awaitable[RawResponse[Any]]:
            result = method(*args, **kwargs)
            if inspect.isawaitable(result):
                return _answer(result)
            return _first_page_response(result)  # a list method's pager: its first page

        raw.__name__ = raw.__qualname__ = name
        raw.__doc__ = method.__doc__
        return raw

    def __dir__(self) -> list[str]:
        return [name for name in dir(self._resource) if not name.startswith("_")]

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._resource!r}>"


class WithRawResponse:
    """``client.with_raw_response``: the client's namespaces, each method answering a
    :class:`RawResponse` (``await source.with_raw_response.products.get(uuid)``).

    A list method's raw call is awaited for its first page's response (``parse()`` gives
    that :class:`~lucidgreen.Page`). HTTP errors raise exactly as from the plain call.
    """

    def __init__(self, namespaces: Mapping[str, Resource]) -> None:
        self._namespaces = dict(namespaces)

    def __getattr__(self, name: str) -> _RawNamespace:
        try:
            return _RawNamespace(self._namespaces[name])
        except KeyError:
            raise AttributeError(f"the client has no namespace {name!r}") from None

    def __dir__(self) -> list[str]:
        return sorted(self._namespaces)
