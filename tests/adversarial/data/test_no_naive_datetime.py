"""Every datetime a model returns is timezone-aware, whatever the wire spelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, get_args

import attrs
import pytest

from lucidgreen import to_dict
from lucidgreen._converter import ModelConverter, structure
from lucidgreen.errors import DecodeError
from lucidgreen.source.models import Product

from .test_nothing_sent_is_lost import MODELS, _minimal

SPELLINGS = [
    "2024-01-02T03:04:05",
    "2024-01-02 03:04:05",
    "2024-01-02T03:04:05.123456789",
    "2024-01-02T03:04:05.1",
    "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05+0000",
    "2024-01-02T03:04:05-00:00",
    "2024-01-02T03:04:05.5-08:00",
    "2024-01-02T03:04",
    "2024-01-02T03",
    "2024-01-02",
    "20240102T030405",
    "2024-W01-2T03:04:05",
    "01/02/2024",
    " 2024-01-02T03:04 ",
]


def _datetime_fields(cls: type[Any]) -> list[str]:
    attrs.resolve_types(cls)
    return [f.name for f in attrs.fields(cls) if datetime in (f.type, *get_args(f.type))]


CASES = [(cls, name) for cls in MODELS for name in _datetime_fields(cls)]


@pytest.mark.parametrize(("cls", "name"), CASES, ids=lambda v: getattr(v, "__qualname__", v))
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_model_field_returns_a_naive_datetime(cls: type[Any], name: str, spelling: str) -> None:
    """Each datetime field of each model is aware for every spelling; offset-less is UTC."""
    value = getattr(structure({**_minimal(cls), name: spelling}, cls), name)
    assert isinstance(value, datetime)
    assert value.tzinfo is not None
    if spelling.strip()[-6:-5] not in "+-" and not spelling.endswith("Z"):
        assert value.utcoffset() == timedelta(0)


def test_two_fields_of_one_record_always_compare() -> None:
    """A naive and an aware spelling in one record compare instead of raising TypeError."""
    product = structure(
        {"uuid": "p", "updated_on": "2024-01-02T03:04:05", "brand": {"uuid": "b",
         "updated_on": "2024-01-02T03:04:06Z"}},
        Product,
    )  # fmt: skip
    assert product.brand is not None
    assert product.brand.updated_on is not None
    assert product.updated_on is not None
    assert product.updated_on < product.brand.updated_on


def test_offset_less_values_read_in_the_converters_zone() -> None:
    """naive_timezone picks the zone of offset-less values; offsets sent are kept."""
    zone = timezone(timedelta(hours=-7))
    converter = ModelConverter(naive_timezone=zone)
    product = converter.structure({"uuid": "p", "updated_on": "2024-01-02T03:04:05"}, Product)
    assert product.updated_on == datetime(2024, 1, 2, 3, 4, 5, tzinfo=zone)
    kept = converter.structure({"uuid": "p", "updated_on": "2024-01-02T03:04:05Z"}, Product)
    assert kept.updated_on is not None
    assert kept.updated_on.tzinfo is UTC
    with pytest.raises(TypeError, match="naive_timezone"):
        ModelConverter(naive_timezone="UTC")  # type: ignore[arg-type]


INVALID: list[object] = [
    "2024-01-02T03:04:05+24:00",
    "2024-13-01T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-01-02T03:04:05z",  # refused today; accepting it as UTC would do too (then: SPELLINGS)
    "soon",
    17,
    True,
]


@pytest.mark.parametrize("bad", INVALID)
def test_invalid_datetimes_are_a_clear_decode_error(bad: object) -> None:
    """+24:00, month 13, 30 February, words and non-strings are refused with the field
    path."""
    with pytest.raises(DecodeError, match=r"updated_on"):
        structure({"uuid": "p", "updated_on": bad}, Product)


def test_dates_stay_dates_and_the_raw_string_stays_available() -> None:
    """A date field gives a date; to_dict gives back the exact wire strings."""

    wire = {"uuid": "p", "published_on": "2024-01-02T23:30:00-08:00", "updated_on": "2024-01-02"}
    product = structure(wire, Product)
    assert type(product.published_on) is date
    assert product.published_on == date(2024, 1, 2)
    out = to_dict(product)
    assert out["published_on"] == wire["published_on"]
    assert out["updated_on"] == wire["updated_on"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_to_dict_gives_back_the_exact_wire_string_of_a_datetime(spelling: str) -> None:
    product = structure({"uuid": "p", "updated_on": spelling}, Product)
    assert to_dict(product)["updated_on"] == spelling
