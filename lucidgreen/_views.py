"""What a ``with_options`` view hands to the constructor it is built by.

A view is built by calling the client's class again with the arguments the client was built
with, so a subclass's own ``__init__`` (its required arguments, the state it sets) runs for
the view as for the client. What the SDK built (session, budget, token, stats) must be shared,
not built again: the view's :class:`ClientParts` wait in a context variable while the class
is called, and the instance made first by that call takes them (``BaseClient.__new__``), so a
client a subclass builds in its ``__init__`` before its own is never mistaken for the view.
A keyword argument could not do this: a subclass with its own signature need not pass
unknown keywords on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, Self, TypeVar

import attrs

from ._api import Api
from ._headers import user_agent_with
from ._transport import Timeout
from .auth import Auth, Secret
from .retry import RetryPolicy

__all__ = ["Arguments", "BuiltAgain", "ClientParts", "building", "handing_over", "take"]

T = TypeVar("T")


@attrs.frozen
class ClientParts:
    """Everything a client is made of once built: set by ``BaseClient._assemble``."""

    api: Api
    auth: Auth
    user_agent: str
    """The ``User-Agent`` API requests carry: a view's ``headers=`` append to it."""
    owns_resources: bool
    """Closing it closes the transport, the token and (with ``owns_limiter``) the budget;
    never so for a view, which shares them."""
    owns_limiter: bool

    def narrowed(
        self, *, retry: RetryPolicy | None, timeout: Timeout | None, headers: dict[str, str]
    ) -> ClientParts:
        """A view's parts: these with another retry policy or timeout and more ``headers``
        (checked already), owning nothing."""
        user_agent, others = user_agent_with(self.user_agent, headers)
        if user_agent != self.user_agent:
            others["User-Agent"] = user_agent
        pipeline = self.api.pipeline.with_options(retry_policy=retry, timeout=timeout)
        api = self.api.using(pipeline, headers=others)
        return ClientParts(api, self.auth, user_agent, owns_resources=False, owns_limiter=False)


class Arguments(Generic[T]):
    """What a client's class was called with, to call it again for a view.

    One holder rather than a closure over ``args``/``kwargs``, so that what a deep walk of
    the client can reach is known: once the client has its credentials, every argument equal
    to one is a :class:`~lucidgreen.auth.Secret` here, and no repr of the tuple or dict shows it.
    """

    __slots__ = ("_args", "_kwargs", "_make")

    def __init__(self, make: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]):
        self._make = make
        self._args = args
        self._kwargs = kwargs

    def withhold(self, *credentials: str | None) -> None:
        """Replace each top-level argument equal to one of ``credentials`` by a ``Secret``
        (only top-level: a credential inside an argument's own object is the caller's)."""
        hidden = {credential for credential in credentials if credential}

        def veiled(value: object) -> object:
            return Secret(value) if isinstance(value, str) and value in hidden else value

        self._args = tuple(map(veiled, self._args))
        self._kwargs = {name: veiled(value) for name, value in self._kwargs.items()}

    def construct(self) -> T:
        """Call the class again, with the arguments as held (credentials withheld)."""
        return self._make(*self._args, **self._kwargs)

    def __repr__(self) -> str:
        return f"Arguments(<{len(self._args)} positional, {len(self._kwargs)} keyword>)"


_PENDING: ContextVar[ClientParts | None] = ContextVar("lucidgreen_view_parts", default=None)
# The parts of the view whose class is being called in this context, until the call returns
# (``_PENDING`` is emptied as soon as the view has taken them).
_BUILDING: ContextVar[ClientParts | None] = ContextVar("lucidgreen_view_built", default=None)


@contextmanager
def handing_over(parts: ClientParts) -> Iterator[None]:
    """While the view's class is called: the next client made in this context takes ``parts``."""
    pending = _PENDING.set(parts)
    built = _BUILDING.set(parts)
    try:
        yield
    finally:
        _BUILDING.reset(built)
        _PENDING.reset(pending)


def take() -> ClientParts | None:
    """The parts a view being built waits for (once: a later client builds its own)."""
    parts = _PENDING.get()
    if parts is not None:
        _PENDING.set(None)
    return parts


def building(parts: ClientParts) -> bool:
    """Whether the view holding ``parts`` is still inside the class call building it (its
    ``__init__`` is running): a view made of it now must not call the class again."""
    return _BUILDING.get() is parts


class BuiltAgain:
    """The base of a client whose views are made by calling its class again
    (``BaseClient``): it keeps what the class was called with, and hands a view its parts."""

    _arguments: Arguments[Self]
    _view_parts: ClientParts | None
    """The parts this instance was made to take, if it is a view (else it builds its own)."""
    _parts: ClientParts
    """What this instance is made of, set by ``_assemble``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        client = super().__new__(cls)
        # A subclass's own arguments too; the client's __init__ withholds its credentials.
        client._arguments = Arguments(cls, args, kwargs)
        client._view_parts = take()
        return client

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__new__" in vars(cls):  # its super().__new__(cls) passes BuiltAgain none of them
            cls.__new__ = _keeping_arguments(vars(cls)["__new__"])  # type: ignore[method-assign]

    def _assemble(self, parts: ClientParts) -> None:
        raise NotImplementedError

    def _view(self, parts: ClientParts) -> Self:
        """The view of this instance made of ``parts``, built by calling its class, except
        while this instance is itself a view whose ``__init__`` runs (that would recurse):
        then from ``parts`` and the attributes set so far, without ``__init__``."""
        if not building(self._parts):
            with handing_over(parts):
                return self._arguments.construct()
        view = object.__new__(type(self))
        view.__dict__.update(vars(self))
        view._assemble(parts)
        return view

    @staticmethod
    def _called_with(client: BuiltAgain, arguments: Arguments[Any]) -> None:
        if "_arguments" not in vars(client):
            raise TypeError(
                f"{type(client).__qualname__}.__new__ must make its instance with "
                "super().__new__(cls): BaseClient.__new__ keeps what with_options views are "
                "built from"
            )
        client._arguments = arguments


def _keeping_arguments(new: Any) -> staticmethod[..., Any]:
    """A subclass's own ``__new__``, keeping the arguments its class was called with."""
    original = new.__func__ if isinstance(new, staticmethod) else new

    @functools.wraps(original)
    def keeping_new(cls: type[BuiltAgain], *args: Any, **kwargs: Any) -> Any:
        client = original(cls, *args, **kwargs)
        # Not an instance of cls: type() calls no __init__ either, and no view is made of it.
        # The outermost __new__ returns last: the class call's own arguments are kept.
        if isinstance(client, cls):
            BuiltAgain._called_with(client, Arguments(cls, args, kwargs))
        return client

    return staticmethod(keeping_new)
