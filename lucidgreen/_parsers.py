"""The pure wire parsers: one JSON value in, one Python value (or ``None``) out.

Each takes the JSON value (and the target type, unused, so it can serve as a cattrs hook)
and returns the parsed value or ``None``, or raises ``ValueError``/``TypeError`` with a
message quoting the offending value. No cattrs, no I/O: the rules are tested on plain values.
:mod:`lucidgreen._converter` registers them as the converter's scalar hooks.

Leniency, because the documented formats and the real payloads disagree:

- datetimes: ISO-8601 with ``Z``, ``±HH:MM`` or no offset, any fraction, a bare date,
  ``MM/DD/YYYY``; ``""`` and ``null`` are ``None``; always timezone-aware: a value without
  an offset is read in ``naive_timezone`` (UTC unless told otherwise);
- dates: an ISO date, ``MM/DD/YYYY`` or a datetime (its date); ``""`` is ``None``;
- decimals from strings (``"40.0000"``), ints or floats; ``""`` is ``None``;
- floats (``size_bytes``) from numbers or numeric strings; ``""`` is ``None``;
- strings from JSON numbers (``upc``, ``sku``); booleans from ``0``/``1``/``"true"``.

>>> to_decimal("40.0000")
Decimal('40.0000')
>>> to_date("11/19/2018")
datetime.date(2018, 11, 19)
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "require_array",
    "require_object",
    "require_timezone",
    "to_bool",
    "to_date",
    "to_datetime",
    "to_decimal",
    "to_float",
    "to_optional_str",
    "to_str",
]


def _bad(kind: str, value: object) -> ValueError:
    return ValueError(f"not {kind}: {value!r:.80}")


def _us_date(text: str) -> date | None:
    """``MM/DD/YYYY`` (LucidRetail's product dates), or None if the text has another shape."""
    parts = text.split("/")
    if len(parts) == 3 and len(parts[2]) == 4 and all(part.isdigit() for part in parts):
        month, day, year = (int(part) for part in parts)
        return date(year, month, day)  # ValueError for 13/45/2020
    return None


def to_datetime(value: Any, _: Any = None, *, naive_timezone: tzinfo = UTC) -> datetime | None:
    """An aware datetime; one written without an offset is read in ``naive_timezone``.

    >>> to_datetime("2024-01-02T03:04:05")
    datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    """
    parsed = _naive_or_aware(value)
    if parsed is not None and parsed.tzinfo is None:
        return parsed.replace(tzinfo=naive_timezone)
    return parsed


def _naive_or_aware(value: Any) -> datetime | None:
    if type(value) is str:
        if value and "/" not in value:
            try:
                # Fast path: Python 3.11 reads Z, offsets, any fraction and bare dates.
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        text = value.strip()
        if not text:
            return None
        try:
            us = _us_date(text)
            if us is not None:
                return datetime(us.year, us.month, us.day)  # noqa: DTZ001 - zoned by to_datetime
            return datetime.fromisoformat(text)
        except ValueError:
            raise _bad("a date-time", value) from None
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - zoned by to_datetime
    raise _bad("a date-time", value)


def to_date(value: Any, _: Any = None) -> date | None:
    if type(value) is date:
        return value
    try:
        # Every string form a datetime takes is a date too; a datetime keeps the calendar
        # date it was written with.
        parsed = _naive_or_aware(value)
    except ValueError:
        raise _bad("a date", value) from None
    return None if parsed is None else parsed.date()


def to_decimal(value: Any, _: Any = None) -> Decimal | None:
    if type(value) is str:
        text = value.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _bad("a decimal number", value) from None
    elif type(value) is int:
        return Decimal(value)
    elif type(value) is float:
        # Through str so 0.1 becomes Decimal("0.1"), not its binary expansion.
        number = Decimal(str(value))
    elif value is None or isinstance(value, Decimal):
        return value
    else:
        raise _bad("a decimal number", value)
    if not number.is_finite():
        raise _bad("a finite decimal number", value)
    return number


def to_float(value: Any, _: Any = None) -> float | None:
    if type(value) is float or type(value) is int:
        number = float(value)
    elif type(value) is str:
        text = value.strip()
        if not text:  # size_bytes is "" in the brand_video example
            return None
        try:
            number = float(text)
        except ValueError:
            raise _bad("a number", value) from None
    elif value is None:
        return None
    else:
        raise _bad("a number", value)
    if not math.isfinite(number):
        raise _bad("a finite number", value)
    return number


def to_str(value: Any, _: Any = None) -> str:
    if type(value) is str:
        return value
    # Codes such as upc or sku may arrive as JSON numbers; their text is what callers want.
    if type(value) is int or type(value) is float:
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}: {value!r:.80}")


def to_optional_str(value: Any, _: Any = None) -> str | None:
    if value is None or type(value) is str:  # the common case, without a second call
        return value
    return to_str(value)


_BOOL_WORDS = {"true": True, "false": False}


def to_bool(value: Any, _: Any = None) -> bool | None:
    if value is None or type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if type(value) is str and value.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.strip().lower()]
    raise TypeError(f"expected a boolean, got {type(value).__name__}: {value!r:.80}")


def require_array(value: Any) -> None:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a JSON array, got {type(value).__name__}: {value!r:.80}")


def require_timezone(zone: object) -> None:
    if not isinstance(zone, tzinfo):
        raise TypeError(
            "naive_timezone must be a datetime.tzinfo (datetime.UTC, a zoneinfo.ZoneInfo), "
            f"not {type(zone).__name__}"
        )


def require_object(value: Any) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, got {type(value).__name__}: {value!r:.80}")
