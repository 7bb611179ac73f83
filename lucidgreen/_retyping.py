"""Errors rebuilt complete, never patched: :func:`retyped` (another class, the same
answer) and :func:`copied` (the same class, some fields changed).

Imports ``lucidgreen.errors`` for types only, so that module can re-export :func:`retyped`
(its documented home) while holding nothing but exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .errors import APIError, LucidGreenError

__all__ = ["copied", "rebuilt", "retyped"]

_E = TypeVar("_E", bound="APIError")
_L = TypeVar("_L", bound="LucidGreenError")


def rebuilt(cls: type[_L], args: tuple[Any, ...], fields: dict[str, Any]) -> _L:
    """An error of ``cls`` with ``args`` and ``fields``, made whole without its ``__init__``
    (the errors take keyword-only fields that ``BaseException``'s own copying cannot pass)."""
    error = cls.__new__(cls, *args)
    error.args = args
    vars(error).update(fields)
    return error


def copied(error: _L, /, **fields: Any) -> _L:
    """``error`` rebuilt with ``fields`` changed: its class, args and other fields kept."""
    return rebuilt(type(error), error.args, {**vars(error), **fields})


def retyped(error: APIError, cls: type[_E], /, **overrides: Any) -> _E:
    """``error`` as an instance of ``cls``, every field kept (status, body, headers, request
    id, method, URL, outcome flags and the fields of subclasses both share).

    ``overrides`` replace or add fields (``message=``, or a field only ``cls`` has). Use it to
    raise a more precise type for an answer already decoded, e.g. ``raise retyped(exc,
    ExportUnavailable) from exc``.
    """
    fields: dict[str, Any] = {
        "status": error.status,
        "body": error.body,
        "data": error.data,
        "headers": error.headers,
        "request_id": error.request_id,
        "method": error.method,
        "url": error.url,
        "prior_outcome_unknown": error.prior_outcome_unknown,
        "outcome_unknown": error.outcome_unknown,
    }
    for klass in cls.__mro__:
        for name in vars(klass).get("_fields", ()):
            if hasattr(error, name):
                fields[name] = getattr(error, name)
    fields.update(overrides)
    message = fields.pop("message", error.message)
    return cls(message, **fields)
