"""The Retail Transactions window, query parsing and response body, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from lucidgreen.push import (
    PosTransaction,
    build_transactions_response,
    parse_transactions_query,
    transactions_window,
)

NOW = datetime(2024, 5, 3, 15, 30, tzinfo=UTC)
YESTERDAY = datetime(2024, 5, 2, tzinfo=UTC)
TODAY = datetime(2024, 5, 3, tzinfo=UTC)


def _sale(
    transaction_id: str, when: datetime, items: tuple[str, ...] = ("L1",), total: int = 1
) -> PosTransaction:
    return PosTransaction(
        transaction_id=transaction_id,
        transaction_date=when,
        items=items,
        total_items_count=max(total, len(items)),
    )


def test_default_window_is_the_previous_utc_day() -> None:
    """Without bounds the window runs from yesterday's to today's midnight UTC."""
    assert transactions_window(now=NOW) == (YESTERDAY, TODAY)


def test_default_window_uses_the_utc_day_of_an_offset_now() -> None:
    """A 'now' given in another timezone still picks the UTC calendar day."""
    late_evening_pacific = datetime(2024, 5, 2, 20, 0, tzinfo=timezone(timedelta(hours=-8)))

    assert transactions_window(now=late_evening_pacific) == (YESTERDAY, TODAY)


def test_query_reads_both_end_parameter_names() -> None:
    """end_date and the documented typo end_datetime are the same bound."""
    expected = (datetime(2021, 3, 11, 12, tzinfo=UTC), datetime(2021, 4, 11, 12, tzinfo=UTC))
    for name in ("end_date", "end_datetime"):
        query = {"start_date": "2021-03-11T12:00:00Z", name: "2021-04-11T12:00:00Z"}

        assert parse_transactions_query(query, now=NOW) == expected


def test_query_defaults_and_formats() -> None:
    """Absent or empty bounds default; offsets, naive values and bare dates are read as UTC."""
    assert parse_transactions_query({}, now=NOW) == (YESTERDAY, TODAY)
    assert parse_transactions_query({"start_date": "", "end_date": " "}, now=NOW) == (
        YESTERDAY,
        TODAY,
    )
    start, end = parse_transactions_query(
        {"start_date": "2024-05-01", "end_date": "2024-05-02T10:00:00+02:00"}, now=NOW
    )
    assert start == datetime(2024, 5, 1, tzinfo=UTC)
    assert end == datetime(2024, 5, 2, 8, tzinfo=UTC)


def test_query_offset_with_plus_decoded_as_space() -> None:
    """An unencoded '+HH:MM' offset that arrived as a space is still read as an offset."""
    start, _ = parse_transactions_query({"start_date": "2024-05-01T12:00:00 02:00"}, now=NOW)

    assert start == datetime(2024, 5, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start_date": "yesterday"}, "start_date is not an ISO-8601"),
        ({"end_datetime": "2024-13-01"}, "end_datetime is not an ISO-8601"),
        ({"end_date": "2024-05-01", "end_datetime": "2024-05-02"}, "differ"),
        ({"start_date": "2024-05-03T12:00:00Z"}, "is after end_date"),
    ],
)
def test_query_refuses_bad_values(query: dict[str, str], message: str) -> None:
    """Unreadable dates, conflicting end bounds and a reversed window raise ValueError."""
    with pytest.raises(ValueError, match=message):
        parse_transactions_query(query, now=NOW)


def test_identical_end_bounds_under_both_names_are_accepted() -> None:
    """Sending end_date and end_datetime with the same value is not a conflict."""
    query = {"end_date": "2024-05-02T00:00:00Z", "end_datetime": "2024-05-02T00:00:00+00:00"}

    assert parse_transactions_query(query, now=NOW)[1] == YESTERDAY


def test_builder_filters_the_window_inclusively() -> None:
    """Sales exactly on either bound are kept, those outside are dropped."""
    sales = [
        _sale("before", YESTERDAY - timedelta(microseconds=1)),
        _sale("at-start", YESTERDAY),
        _sale("middle", YESTERDAY + timedelta(hours=12)),
        _sale("at-end", TODAY),
        _sale("after", TODAY + timedelta(seconds=1)),
    ]

    body = build_transactions_response(sales, now=NOW)

    assert [sale["transaction_id"] for sale in body] == ["at-start", "middle", "at-end"]


def test_builder_drops_sales_without_lucid_ids_and_sorts() -> None:
    """Sales with no LucidID are left out and the rest come oldest first."""
    sales = [
        _sale("late", YESTERDAY + timedelta(hours=20)),
        _sale("untagged", YESTERDAY + timedelta(hours=1), items=(), total=4),
        _sale("early", YESTERDAY + timedelta(hours=2)),
    ]

    body = build_transactions_response(sales, now=NOW)

    assert [sale["transaction_id"] for sale in body] == ["early", "late"]


def test_builder_explicit_window_and_serialisation() -> None:
    """Explicit bounds win over defaults and datetimes are ISO-8601 UTC with a Z."""
    pacific = timezone(timedelta(hours=-8))
    sale = PosTransaction(
        transaction_id="T-1",
        transaction_date=datetime(2021, 3, 12, 4, 0, 0, 250000, tzinfo=pacific),
        items=["L1", "L2", "L3"],
        total_items_count=5,
        extra_fields={
            "receipt": "R-9",
            "closed_on": datetime(2021, 3, 12, 13),
            "day": date(2021, 3, 12),
            "total": Decimal("12.50"),
        },
    )

    body = build_transactions_response(
        [sale],
        start_date=datetime(2021, 3, 11, 12, tzinfo=UTC),
        end_date=datetime(2021, 4, 11, 12),
        now=NOW,
    )

    assert body == [
        {
            "transaction_id": "T-1",
            "transaction_date": "2021-03-12T12:00:00.250000Z",
            "items": ["L1", "L2", "L3"],
            "total_items_count": 5,
            "receipt": "R-9",
            "closed_on": "2021-03-12T13:00:00Z",
            "day": "2021-03-12",
            "total": "12.50",
        }
    ]


def test_transaction_model_refuses_inconsistent_values() -> None:
    """A count below the tagged items, a lone string of items or a clashing extra key fails."""
    when = NOW
    with pytest.raises(ValueError, match="total_items_count"):
        PosTransaction(
            transaction_id="t", transaction_date=when, items=["a", "b"], total_items_count=1
        )
    with pytest.raises(TypeError, match="not one string"):
        PosTransaction(transaction_id="t", transaction_date=when, items="abc", total_items_count=3)
    with pytest.raises(ValueError, match="items"):
        PosTransaction(
            transaction_id="t",
            transaction_date=when,
            items=["a"],
            total_items_count=1,
            extra_fields={"items": []},
        )
