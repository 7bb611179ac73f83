"""``lucidgreen.to_dict`` / ``lucidgreen.to_json``: models, pages and lists as JSON data.

What comes out is what the server sent: every known field under its wire name, every
unknown one (``model.extras``) as it was, and, for a model the SDK structured, the exact JSON
value behind each field the converter changed (a datetime's string, ``""`` for a missing
date, ``null`` for an empty list). A model built in code gives its values in the converter's
formats (ISO-8601 datetimes with their offset, decimal strings, enum values). Either way the
result structures back into an equal model.

>>> from lucidgreen.source.models import ProductSummary
>>> from lucidgreen._converter import structure
>>> to_dict(structure({"uuid": "p1", "new_field": [1, {"x": None}]}, ProductSummary))["new_field"]
[1, {'x': None}]
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, overload

import attrs

from ._common_models import Model
from ._pager import Page

__all__ = ["to_dict", "to_json"]

_SCALARS = (str, int, float, bool, type(None))
_SURROGATE = re.compile("[\ud800-\udfff]")
_PRIVATE = frozenset({"extras", "_wire"})
_fields_of: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _fields_of.get(cls)
    if names is None:
        names = tuple(f.name for f in attrs.fields(cls) if f.name not in _PRIVATE)
        _fields_of[cls] = names
    return names


def _copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON, without recursion (the API may nest it deep)."""
    if isinstance(value, _SCALARS):
        return value
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, key, item = stack.pop()
        if isinstance(item, Mapping):
            copied: Any = {}
            stack.extend((copied, str(k), v) for k, v in item.items())
        elif isinstance(item, list | tuple):
            copied = [None] * len(item)
            stack.extend((copied, index, v) for index, v in enumerate(item))
        else:
            copied = _plain(item)
        parent[key] = copied
    return root[0]


def _plain(value: Any) -> Any:
    """One value as JSON data, in the converter's formats."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if attrs.has(type(value)):
        return _object(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"cannot turn a {type(value).__name__} into JSON data")


def _object(obj: Any) -> dict[str, Any]:
    """An attrs object's fields; a model's unknown fields and wire values too."""
    if isinstance(obj, Page):
        return {
            "count": obj.count,
            "next": obj.next_url,
            "previous": obj.previous_url,
            "results": [_plain(item) for item in obj.items],
        }
    if not isinstance(obj, Model):
        return {name: _plain(getattr(obj, name)) for name in _field_names(type(obj))}
    out: dict[str, Any] = {key: _copy_json(item) for key, item in obj.extras.items()}
    wire = obj._wire
    for name in _field_names(type(obj)):
        # Known fields win over an extra of the same name (only a model built in code has one).
        out[name] = wire[name] if name in wire else _plain(getattr(obj, name))
    return out


@overload
def to_dict(obj: Sequence[Any]) -> list[Any]: ...
@overload
def to_dict(obj: Any) -> dict[str, Any]: ...
def to_dict(obj: Any) -> dict[str, Any] | list[Any]:
    """JSON-safe data for a model, a :class:`~lucidgreen.Page` or a list of either.

    A model gives an object with every field the server sent, unknown ones included; a page
    gives the list envelope (``count``, ``next``, ``previous``, ``results``); a list or tuple
    gives a list. ``json.dumps`` takes the result as it is, and
    ``structure(to_dict(model), type(model)) == model``. Anything else is a ``TypeError``.
    """
    if isinstance(obj, list | tuple):
        return [_plain(item) for item in obj]
    if not attrs.has(type(obj)):
        raise TypeError(
            f"to_dict() takes a lucidgreen model, a Page or a list of them, "
            f"not {type(obj).__name__}"
        )
    return _object(obj)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def encodable_json(text: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` that UTF-8 can always carry.

    A string from JSON may hold a surrogate code point (``"caf\\ud800"`` is valid JSON), which
    UTF-8 cannot encode. Each one becomes its ``\\uXXXX`` escape, as ``ensure_ascii=True``
    writes it; every other character stays as it is. Outside strings ``json.dumps`` writes
    ASCII only, and inside them every escape it writes is complete, so an escape put in
    here always reads back as the code point it replaced (but a high and a low surrogate
    side by side read back as the one character they spell: JSON cannot tell them apart).
    """
    try:
        text.encode()  # C speed; a search for surrogates only when there is one
    except UnicodeEncodeError:
        return _SURROGATE.sub(_escape, text)
    return text


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """:func:`to_dict` as JSON text (UTF-8 characters kept as they are, not ``\\u`` escaped).

    A surrogate code point, which UTF-8 cannot carry, is the one exception: it is written
    as its ``\\uXXXX`` escape, so the text always encodes to UTF-8 and reads back the same.
    """
    return encodable_json(json.dumps(to_dict(obj), ensure_ascii=False, indent=indent))
