"""Errors of writes whose outcome is unclear: each its own type *and* a ``WriteOutcomeUnknown``.

A write may end in doubt many ways: its answer lost, a 5xx, a deadline after it was sent,
a 2xx whose body cannot be read, or a refusal of its resend after an earlier attempt that
may have applied (a 503, then a 400). The caller asks one question, ``except
lucidgreen.WriteOutcomeUnknown``, whatever the way; and keeps the precise type for the rest
(``except lucidgreen.BadRequest`` still sees the 400's body). So an unclear error of class
``C`` is raised as ``COutcomeUnknown(C, WriteOutcomeUnknown)``, made once per class on
first use. :class:`~lucidgreen.ServerErrorOutcomeUnknown` is the one declared by name, for
the common case.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from ._retyping import rebuilt
from .errors import (
    LucidGreenError,
    ServerError,
    ServerErrorOutcomeUnknown,
    TransportError,
    WriteOutcomeUnknown,
)

__all__ = ["as_unclear", "plain_type", "unclear_type"]

_E = TypeVar("_E", bound=LucidGreenError)

_lock = threading.Lock()
_unclear_of: dict[type[LucidGreenError], type[LucidGreenError]] = {
    TransportError: WriteOutcomeUnknown,
    ServerError: ServerErrorOutcomeUnknown,
}
_plain_of: dict[type[LucidGreenError], type[LucidGreenError]] = {
    unclear: plain for plain, unclear in _unclear_of.items()
}


def unclear_type(cls: type[_E]) -> type[_E]:
    """``cls`` as a :class:`WriteOutcomeUnknown` too (``cls`` itself when it is one)."""
    if issubclass(cls, WriteOutcomeUnknown):
        return cls
    with _lock:
        made = _unclear_of.get(cls)
        if made is None:
            made = _unclear_of[cls] = _make(cls)
            _plain_of[made] = cls
    return made  # type: ignore[return-value]  # made from cls, so a subclass of it


def plain_type(cls: type[LucidGreenError]) -> type[LucidGreenError]:
    """The class an unclear type was made from; any other class as it is."""
    return _plain_of.get(cls, cls)


def as_unclear(error: _E) -> _E:
    """``error`` rebuilt as its unclear type, every field kept; ``error`` itself when its
    outcome is not in doubt or it already is a ``WriteOutcomeUnknown``."""
    if not error.outcome_unknown or isinstance(error, WriteOutcomeUnknown):
        return error
    fields = {**vars(error), "outcome_unknown": True}
    fields.setdefault("request_sent", True)  # an answer (or a deadline after it) came
    return rebuilt(unclear_type(type(error)), error.args, fields)


def _make(cls: type[_E]) -> type[_E]:
    def reduce(self: LucidGreenError) -> tuple[Any, ...]:
        # By the class it was made from: pickle could not find a made class by its name.
        return _rebuild_unclear, (cls, self.args, dict(vars(self)))

    name = f"{cls.__name__}OutcomeUnknown"
    body = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"A {cls.__name__} ending a write that may have applied.",
        "__reduce__": reduce,
    }
    return type(name, (cls, WriteOutcomeUnknown), body)


def _rebuild_unclear(
    plain: type[LucidGreenError], args: tuple[Any, ...], fields: dict[str, Any]
) -> LucidGreenError:
    """Unpickling: the unclear type of ``plain``, made again in this process if need be."""
    return rebuilt(unclear_type(plain), args, fields)
