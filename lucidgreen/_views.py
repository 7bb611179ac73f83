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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import attrs

from ._api import Api
from .auth import Auth

__all__ = ["ClientParts", "handing_over", "take"]


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


_PENDING: ContextVar[ClientParts | None] = ContextVar("lucidgreen_view_parts", default=None)


@contextmanager
def handing_over(parts: ClientParts) -> Iterator[None]:
    """While the view's class is called: the next client made in this context takes ``parts``."""
    token = _PENDING.set(parts)
    try:
        yield
    finally:
        _PENDING.reset(token)


def take() -> ClientParts | None:
    """The parts a view being built waits for (once: a later client builds its own)."""
    parts = _PENDING.get()
    if parts is not None:
        _PENDING.set(None)
    return parts
