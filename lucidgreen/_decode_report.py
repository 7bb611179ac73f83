"""How a structuring failure is told: the problems in words, the input as text, type names.

Used by :class:`lucidgreen._converter.ModelConverter` to build its
:class:`~lucidgreen.errors.DecodeError`; kept apart so the converter module stays small.
"""

from __future__ import annotations

import json
from typing import Any, get_args, get_origin

from cattrs.errors import ForbiddenExtraKeysError
from cattrs.v import format_exception

__all__ = ["describe", "raw_text", "type_name"]


def describe(exc: BaseException, type_: type | None) -> str:
    """One problem in words; our parsers' messages already quote the offending value."""
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s) {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, ValueError | TypeError) and exc.args:
        return str(exc)
    return format_exception(exc, type_)


def raw_text(data: Any) -> str:
    """The input as JSON text for :attr:`DecodeError.text`, whatever it holds."""
    try:
        return json.dumps(data, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):
        return "<input that cannot be shown as JSON>"


def type_name(type_: Any) -> str:
    """``Product``, or ``list[Product]`` for a list target."""
    args = get_args(type_)
    if args:
        inner = ", ".join(type_name(arg) for arg in args)
        return f"{type_name(get_origin(type_))}[{inner}]"
    return getattr(type_, "__name__", None) or repr(type_)
