"""The POS side of LucidRetail's Retail Transactions query, without I/O.

LucidRetail asks the POS for its sales between ``start_date`` and ``end_date`` (both
inclusive). When a bound is absent the docs fix a default: the previous UTC day, from
midnight to midnight. Throughout, a datetime without a timezone is read as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .models import PosTransaction

__all__ = ["build_transactions_response", "parse_transactions_query", "transactions_window"]

# The documented example URL spells the end bound ``end_datetime``.
_END_NAMES = ("end_date", "end_datetime")
# A ``+HH:MM`` offset sent unencoded in a query string arrives with the ``+`` read as a space.
_SPACE_FOR_PLUS = re.compile(r"^(\S+[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")
_SHOWN = 80  # characters of a refused value quoted in an error message


def transactions_window(
    *,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The inclusive ``(start, end)`` the query covers, in UTC, with the documented defaults.

    Without ``start_date``: midnight UTC at the start of the previous day; without
    ``end_date``: midnight UTC at the start of the current day. ``now`` (default: the
    current time) only decides what "current day" means, for tests.

    Raises :class:`ValueError` when the start comes after the end.
    """
    today = _as_utc(now if now is not None else datetime.now(UTC)).date()
    midnight = datetime.combine(today, time(), tzinfo=UTC)
    start = _as_utc(start_date) if start_date is not None else midnight - timedelta(days=1)
    end = _as_utc(end_date) if end_date is not None else midnight
    if start > end:
        raise ValueError(
            f"start_date {_utc_text(start)} is after end_date {_utc_text(end)} "
            "(an absent bound defaults to midnight UTC: yesterday's for the start, "
            "today's for the end)"
        )
    return start, end


def parse_transactions_query(
    query: Mapping[str, str], *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The inclusive UTC window of a Retail Transactions query string.

    Reads ``start_date`` and the end bound under either name the docs use, ``end_date`` or
    ``end_datetime``. Values are ISO-8601 (``2021-03-11T12:00:00Z``, an offset, a bare date
    for its midnight, or no timezone for UTC); an empty value counts as absent. Raises
    :class:`ValueError` with a message fit for a 400 answer for an unreadable value, two
    different end bounds, or a start after the end.
    """
    start = _parse_bound("start_date", query.get("start_date"))
    ends = {name: _parse_bound(name, query.get(name)) for name in _END_NAMES}
    given = {name: value for name, value in ends.items() if value is not None}
    if len(set(given.values())) > 1:
        raise ValueError("end_date and end_datetime name the same bound but differ; send one")
    end = next(iter(given.values()), None)
    return transactions_window(start_date=start, end_date=end, now=now)


def build_transactions_response(
    transactions: Iterable[PosTransaction],
    *,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The JSON list answering a Retail Transactions query, oldest sale first.

    Keeps the transactions with ``start <= transaction_date <= end`` (the window of
    :func:`transactions_window`) and at least one LucidID, as the docs allow leaving the
    others out. Datetimes are written ISO-8601 in UTC with a ``Z``.
    """
    start, end = transactions_window(start_date=start_date, end_date=end_date, now=now)
    selected = [
        transaction
        for transaction in transactions
        if transaction.items and start <= _as_utc(transaction.transaction_date) <= end
    ]
    selected.sort(key=lambda transaction: _as_utc(transaction.transaction_date))
    return [_serialize(transaction) for transaction in selected]


def _serialize(transaction: PosTransaction) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transaction_id": transaction.transaction_id,
        "transaction_date": _utc_text(transaction.transaction_date),
        "items": list(transaction.items),
        "total_items_count": transaction.total_items_count,
    }
    # PosTransaction refuses extra keys that would overwrite the four above.
    body.update((key, _json_ready(value)) for key, value in transaction.extra_fields.items())
    return body


def _json_ready(value: Any) -> Any:
    """``extra_fields`` values with datetimes, dates and decimals written as JSON text."""
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


def _parse_bound(name: str, value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", value.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{name} is not an ISO-8601 date-time such as 2021-03-11T12:00:00Z: {value[:_SHOWN]!r}"
        ) from None
    try:
        # An offset can carry a moment past year 1 or 9999 once it is moved to UTC.
        return _as_utc(moment)
    except OverflowError:
        raise ValueError(
            f"{name} is out of range (years 1 to 9999 in UTC): {value[:_SHOWN]!r}"
        ) from None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _utc_text(moment: datetime) -> str:
    return _as_utc(moment).isoformat().replace("+00:00", "Z")
