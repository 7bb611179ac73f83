"""A record holding exactly its model's keys takes the generated function's short path (every
value read up front, no key test per field); these prove it reads such a record as the
general path reads any other, and hands every other record to that general path."""

from __future__ import annotations

from decimal import Decimal

import pytest

import lucidgreen
from lucidgreen._common_models import Measure
from lucidgreen._converter import structure
from lucidgreen.errors import DecodeError
from lucidgreen.source.models import ProductSummary

SUMMARY = {
    "uuid": "UNDTMBovdue9tFWfhamnDM",
    "name": "Wedding Cake Gummy",
    "sku": "GRE-GUM-00001",
    "product_type": "GUMMY",
    "is_published": True,
    "brand_uuid": "dhvJzSCKexZs62xsp6hRkf",
}


def test_a_record_with_every_field_and_no_other_key_has_its_values_and_no_extras() -> None:
    product = structure(dict(SUMMARY), ProductSummary)
    assert product == ProductSummary(**SUMMARY)  # type: ignore[arg-type]
    assert product.extras == {}
    assert lucidgreen.to_dict(product) == SUMMARY


def test_as_many_keys_as_fields_but_one_unknown_gives_the_default_and_the_extra() -> None:
    record = {key: value for key, value in SUMMARY.items() if key != "sku"} | {"new": [1]}
    product = structure(record, ProductSummary)
    assert product.sku is None
    assert product.extras == {"new": [1]}
    assert lucidgreen.to_dict(product) == {**record, "sku": None}


def test_a_complete_record_keeps_the_wire_value_behind_a_converted_field() -> None:
    measure = structure({"name": "Weight", "value": "40.0000", "unit": "g"}, Measure)
    assert measure.value == Decimal("40.0000")
    assert lucidgreen.to_dict(measure) == {"name": "Weight", "value": "40.0000", "unit": "g"}


@pytest.mark.parametrize(
    "record",
    [
        {**SUMMARY, "is_published": "maybe"},  # complete: the short path
        {"uuid": "u", "is_published": "maybe"},  # fields missing: the general path
    ],
)
def test_a_bad_value_fails_alike_whether_the_record_is_complete_or_not(
    record: dict[str, object],
) -> None:
    with pytest.raises(DecodeError, match="is_published"):
        structure(record, ProductSummary)


def test_a_record_missing_its_required_key_fails_even_with_as_many_keys_as_fields() -> None:
    record = {key: value for key, value in SUMMARY.items() if key != "uuid"} | {"id": "x"}
    with pytest.raises(DecodeError, match="uuid"):
        structure(record, ProductSummary)
