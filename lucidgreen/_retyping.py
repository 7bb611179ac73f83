"""Errors rebuilt complete, never patched: :func:`retyped` (another class of the same
family, the same answer) and :func:`copied` (the same class, some fields changed).

Imports ``lucidgreen.errors`` for types only, so that module can re-export :func:`retyped`
(its documented home) while holding nothing but exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .errors import APIError, LucidGreenError

__all__ = ["copied", "rebuilt", "retyped"]

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


def retyped(error: LucidGreenError, cls: type[_L], /, **overrides: Any) -> _L:
    """``error`` as an instance of ``cls``, every field kept.

    ``cls`` must be of the error's own family, the branch of the tree under
    ``LucidGreenError`` both belong to (``APIError``, ``TransportError``, ``DecodeError``,
    ``RateLimiterUnavailable``, ``InvalidLucidID``, ``NaiveDatetimeError``): an error keeps
    what it reports, so a ``TransportError`` cannot become a ``NotFound`` (it has no
    status), nor a ``NotFound`` a ``TransportError``. Crossing families is a ``TypeError``
    naming this rule.

    An answered error (``APIError``) goes through ``cls``'s own constructor with its status,
    body, headers, request id, method, URL, outcome flags and the fields of subclasses both
    share. Any other error is rebuilt with every field it has (as pickling does) and, for
    the fields only ``cls`` has, ``cls``'s defaults.

    ``overrides`` replace or add fields (``message=``, or a field only ``cls`` has). Use it to
    raise a more precise type for an answer already decoded, e.g. ``raise retyped(exc,
    ExportUnavailable) from exc``, or ``retyped(exc, DeadlineExceeded, retry_after=2.0)``.
    """
    root, into = _root(type(error)), cast(object, cls)  # a caller's: checked, not trusted
    if root is None or not isinstance(into, type) or not issubclass(into, root):
        raise TypeError(
            "retyped() rebuilds a LucidGreenError as another LucidGreenError class, "
            f"not {type(error).__name__} as {getattr(cls, '__name__', cls)!r}"
        )
    answered, into_answered = _declares_fields(type(error)), _declares_fields(cls)
    if (into_answered and not answered) or not _family(type(error), root) & _family(cls, root):
        raise TypeError(
            f"retyped() keeps an error in the same family: a {type(error).__name__} cannot "
            f"become a {cls.__name__} ({_family_names(type(error), root)} vs "
            f"{_family_names(cls, root)})"
        )
    if into_answered:
        return _answered_as(cast("APIError", error), cls, overrides)
    message = overrides.pop("message", None)
    args = error.args if message is None else (message,)
    probe: LucidGreenError = cls(args[0] if args else "")  # cls's own defaults
    fields = dict(vars(error))
    fields.update({k: v for k, v in vars(probe).items() if k not in fields})
    unknown = set(overrides) - set(fields) - {"outcome_unknown"}
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
    return rebuilt(cls, args, {**fields, **overrides})


def _answered_as(error: APIError, cls: type[_L], overrides: dict[str, Any]) -> _L:
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


# The tree is known here by what its classes declare, not by importing it (lucidgreen.errors
# imports this module): LucidGreenError alone gives ``outcome_unknown`` a default, and every
# answered error (APIError) declares the ``_fields`` its constructor adds.


def _root(cls: type) -> type | None:
    """``LucidGreenError`` among ``cls``'s classes; None when ``cls`` is no SDK error."""
    declaring = [klass for klass in cls.__mro__ if "outcome_unknown" in vars(klass)]
    return declaring[-1] if declaring else None


def _declares_fields(cls: type) -> bool:
    """Whether ``cls`` is an answered error (an ``APIError``), built by its constructor."""
    return any("_fields" in vars(klass) for klass in cls.__mro__)


def _family(cls: type, root: type) -> set[type]:
    """The branches right under ``root`` that ``cls`` belongs to (two for an
    ``*OutcomeUnknown`` type: its own and ``TransportError``'s)."""
    return {klass for klass in cls.__mro__ if root in klass.__bases__}


def _family_names(cls: type, root: type) -> str:
    return " and ".join(sorted(klass.__name__ for klass in _family(cls, root))) or "none"
