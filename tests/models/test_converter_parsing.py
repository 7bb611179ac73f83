"""Table-driven checks of the converter's lenient scalar rules, through real model fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from lucidgreen._common_models import Image, Measure
from lucidgreen._converter import structure
from lucidgreen.errors import DecodeError
from lucidgreen.source.models import BatchSummary, DigitalCOA, Product, ProductSummary

PLUS_ONE = timezone(timedelta(hours=1))
MINUS_EIGHT = timezone(timedelta(hours=-8))


def product_with(**fields: Any) -> Product:
    return structure({"uuid": "JK6RuXsSo8ssWd4LmbCMYw", **fields}, Product)


DATETIMES: list[tuple[Any, datetime | None]] = [
    ("2016-10-03T12:34:56+01:00", datetime(2016, 10, 3, 12, 34, 56, tzinfo=PLUS_ONE)),
    ("2021-02-10T05:35:04.607692Z", datetime(2021, 2, 10, 5, 35, 4, 607692, tzinfo=UTC)),
    ("2021-02-10T05:35:04Z", datetime(2021, 2, 10, 5, 35, 4, tzinfo=UTC)),
    (
        "2025-11-24T05:11:10.710679-08:00",
        datetime(2025, 11, 24, 5, 11, 10, 710679, tzinfo=MINUS_EIGHT),
    ),
    ("2016-10-03T12:34:56.123", datetime(2016, 10, 3, 12, 34, 56, 123000, tzinfo=UTC)),
    ("2016-10-03T12:34:56.123+01:00", datetime(2016, 10, 3, 12, 34, 56, 123000, tzinfo=PLUS_ONE)),
    ("2016-10-03T12:34:56", datetime(2016, 10, 3, 12, 34, 56, tzinfo=UTC)),
    ("2016-10-03T12:34", datetime(2016, 10, 3, 12, 34, tzinfo=UTC)),
    ("2016-10-03", datetime(2016, 10, 3, tzinfo=UTC)),
    ("11/19/2018", datetime(2018, 11, 19, tzinfo=UTC)),
    (" 2016-10-03T12:34:56Z ", datetime(2016, 10, 3, 12, 34, 56, tzinfo=UTC)),
    ("", None),
    ("   ", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DATETIMES)
def test_datetime_variants(raw: Any, expected: datetime | None) -> None:
    """Every datetime spelling the docs show parses, keeping its offset (none: UTC); "" and null
    are None."""
    parsed = product_with(updated_on=raw).updated_on
    assert parsed == expected
    if expected is not None:
        assert parsed is not None
        assert parsed.utcoffset() == expected.utcoffset()


DATES: list[tuple[Any, date | None]] = [
    ("2020-06-18", date(2020, 6, 18)),
    ("11/19/2018", date(2018, 11, 19)),
    ("06/11/2020", date(2020, 6, 11)),
    ("2021-02-10T05:35:04.607692Z", date(2021, 2, 10)),
    ("2021-02-10T23:30:00-08:00", date(2021, 2, 10)),
    (" 2020-06-18 ", date(2020, 6, 18)),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_date_variants(raw: Any, expected: date | None) -> None:
    """Date fields take ISO dates, MM/DD/YYYY, or a datetime's calendar date; "" is None."""
    parsed = product_with(published_on=raw).published_on
    assert parsed == expected
    assert parsed is None or type(parsed) is date


DECIMALS: list[tuple[Any, Decimal | None]] = [
    ("1.5000", Decimal("1.5000")),
    ("40.0000", Decimal("40.0000")),
    ("8.0000000", Decimal("8.0000000")),
    (" 2.50 ", Decimal("2.50")),
    ("-0.5", Decimal("-0.5")),
    ("1E+2", Decimal("1E+2")),
    (365, Decimal(365)),
    (0.1, Decimal("0.1")),
    (24.31, Decimal("24.31")),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DECIMALS)
def test_decimal_variants(raw: Any, expected: Decimal | None) -> None:
    """Decimals come from strings (precision kept), ints and floats (via str); "" is None."""
    parsed = structure({"value": raw}, Measure).value
    assert parsed == expected
    # Same digits, not just the same number: "1.5000" stays "1.5000".
    assert str(parsed) == str(expected)


FLOATS: list[tuple[Any, float | None]] = [
    (8919.0, 8919.0),
    (8919, 8919.0),
    ("8919.5", 8919.5),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), FLOATS)
def test_size_bytes_variants(raw: Any, expected: float | None) -> None:
    """size_bytes is a float from a number or numeric string, and None from ""."""
    assert structure({"size_bytes": raw}, Image).size_bytes == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("true", True), ("False", False), (1, True), (0, False)],
)
def test_bool_variants(raw: Any, expected: bool) -> None:
    """Booleans also come from "true"/"false" and 0/1."""
    summary = structure({"uuid": "JK6RuXsSo8ssWd4LmbCMYw", "is_published": raw}, ProductSummary)
    assert summary.is_published is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("850012345678", "850012345678"), (850012345678, "850012345678"), (1.5, "1.5")],
)
def test_string_fields_accept_numbers(raw: Any, expected: str) -> None:
    """A code sent as a JSON number (upc, sku) is kept as its text."""
    assert product_with(upc=raw).upc == expected


def test_null_lists_and_mappings_are_empty() -> None:
    """null where a list or mapping belongs gives an empty tuple or mapping, never a crash."""
    batch = structure({"uuid": "C5rHeEVHXfBvdewo5oPEQh", "digital_coa_uuids": None}, BatchSummary)
    assert batch.digital_coa_uuids == ()
    coa = structure({"uuid": "AyTg7B6HYbaaP2Xr8gFS5J", "totals": None}, DigitalCOA)
    assert coa.totals == {}


BAD_VALUES: list[tuple[str, dict[str, Any], type[Any], str]] = [
    ("datetime garbage", {"updated_on": "garbage"}, Product, "$.updated_on"),
    ("datetime impossible US date", {"updated_on": "13/45/2020"}, Product, "$.updated_on"),
    ("datetime time only", {"updated_on": "12:34:56"}, Product, "$.updated_on"),
    ("datetime epoch number", {"updated_on": 1612935304}, Product, "$.updated_on"),
    ("datetime boolean", {"updated_on": True}, Product, "$.updated_on"),
    ("date impossible", {"published_on": "2020-02-30"}, Product, "$.published_on"),
    ("date list", {"published_on": []}, Product, "$.published_on"),
    ("decimal word", {"package_size": {"value": "abc"}}, Product, "$.package_size.value"),
    ("decimal NaN", {"package_size": {"value": "NaN"}}, Product, "$.package_size.value"),
    ("decimal infinity", {"servings": "Infinity"}, Product, "$.servings"),
    ("decimal float inf", {"servings": float("inf")}, Product, "$.servings"),
    ("decimal boolean", {"servings": True}, Product, "$.servings"),
    ("float word", {"images": {"primary": {"size_bytes": "big"}}}, Product, "size_bytes"),
    ("float nan", {"images": {"primary": {"size_bytes": "nan"}}}, Product, "size_bytes"),
    ("string object", {"upc": {"code": 1}}, Product, "$.upc"),
    ("string boolean", {"upc": False}, Product, "$.upc"),
    ("bool word", {"is_published": "yes"}, ProductSummary, "$.is_published"),
    ("bool two", {"is_published": 2}, ProductSummary, "$.is_published"),
    ("list from string", {"special_diet": "Vegan"}, Product, "$.special_diet"),
    ("list from object", {"special_diet": {"a": 1}}, Product, "$.special_diet"),
    ("typed list from string", {"digital_coa_uuids": "abc"}, BatchSummary, "$.digital_coa_uuids"),
    ("mapping from list", {"tests_performed": ["pass"]}, DigitalCOA, "$.tests_performed"),
    ("object from string", {"package_size": "3.5 g"}, Product, "$.package_size"),
    ("object from list", {"brand": ["x"]}, Product, "$.brand"),
]


@pytest.mark.parametrize(
    ("data", "cls", "path"), [case[1:] for case in BAD_VALUES], ids=[case[0] for case in BAD_VALUES]
)
def test_unparseable_values_raise_decode_error(
    data: dict[str, Any], cls: type[Any], path: str
) -> None:
    """A value that cannot be read raises DecodeError naming the field path and the raw text."""
    with pytest.raises(DecodeError) as caught:
        structure({"uuid": "JK6RuXsSo8ssWd4LmbCMYw", **data}, cls)
    assert path in str(caught.value)
    assert '"uuid": "JK6RuXsSo8ssWd4LmbCMYw"' in caught.value.text
