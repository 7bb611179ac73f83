"""How a structuring failure is told: the problems in words, the input as text, type names.

Used by :class:`lucidgreen._converter.ModelConverter` to build its
:class:`~lucidgreen.errors.DecodeError`; kept apart so the converter module stays small.
:func:`decode_records` tells the bad records of a list page apart from the good ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, get_args, get_origin

from cattrs.errors import ForbiddenExtraKeysError
from cattrs.v import format_exception

from .errors import DecodeError, SkippedRecord

__all__ = ["decode_records", "describe", "raw_text", "type_name"]

T = TypeVar("T")

# "response does not match list[Product]: <problems>", each problem ending "@ $[0].name".
_LIST_PREFIX = re.compile(r"^response does not match [^:]*: ")
_FIRST_ITEM = re.compile(r"@ \$\[0\]")


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


def decode_records(
    decode: Callable[[list[Any]], Sequence[T]], results: list[Any], *, page: str, first: int = 0
) -> tuple[list[T], tuple[SkippedRecord, ...]]:
    """The records of ``results`` that decode, and a :class:`SkippedRecord` for each other.

    The whole list is decoded at once (the fast path); only when that fails is each record
    decoded on its own, so one bad record costs the good ones nothing. ``first`` is the index
    of ``results[0]`` in its page.
    """
    try:
        return list(decode(results)), ()
    except DecodeError:
        pass
    items: list[T] = []
    skipped: list[SkippedRecord] = []
    for index, record in enumerate(results, start=first):
        try:
            items.extend(decode([record]))
        except DecodeError as exc:
            reason = _FIRST_ITEM.sub("@ $", _LIST_PREFIX.sub("", str(exc)))
            skipped.append(SkippedRecord(index, raw_text(record), reason, page))
    return items, tuple(skipped)
