"""Unknown keys, the shape of DecodeError, list decoding and request-body unstructuring."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from lucidgreen._common_models import Measure
from lucidgreen._converter import (
    ModelConverter,
    make_strict_converter,
    structure,
    structure_list,
    unstructure,
)
from lucidgreen.errors import DecodeError
from lucidgreen.retail.models import CaseImportRemoval, CompletedTransaction, InventoryItemsAddition
from lucidgreen.source.models import BrandSummary, NewAsset, Product, TextAssetUsage

PRODUCT_WITH_EXTRAS: dict[str, Any] = {
    "uuid": "JK6RuXsSo8ssWd4LmbCMYw",
    "name": "Blue Dream 3.5g",
    "new_top_level_field": {"anything": [1, 2]},
    "brand": {"uuid": "Mhxk4LWefDxqQFpC7rnJvz", "logo_v2": "https://x"},
    "package_size": {"name": "Net Weight", "value": "3.5", "unit": "g", "precision": 4},
}


def test_production_converter_keeps_unknown_fields_in_extras() -> None:
    """Fields the API adds later, at any depth, land in each model's extras, never a failure."""
    product = structure(PRODUCT_WITH_EXTRAS, Product)
    assert product.name == "Blue Dream 3.5g"
    assert product.brand is not None
    assert product.brand.uuid == "Mhxk4LWefDxqQFpC7rnJvz"
    assert product.package_size == Measure(
        name="Net Weight", value=Decimal("3.5"), unit="g", extras={"precision": 4}
    )
    assert product.extras == {"new_top_level_field": {"anything": [1, 2]}}
    assert product.brand.extras == {"logo_v2": "https://x"}


def test_strict_converter_refuses_unknown_fields() -> None:
    """The strict converter names every unknown field with its path, so model drift fails tests."""
    with pytest.raises(DecodeError) as caught:
        make_strict_converter().structure(PRODUCT_WITH_EXTRAS, Product)
    message = str(caught.value)
    assert "new_top_level_field @ $" in message
    assert "logo_v2 @ $.brand" in message
    assert "precision @ $.package_size" in message


def test_decode_error_carries_raw_text_status_and_cause() -> None:
    """DecodeError keeps the caller's raw body and status and chains the underlying error."""
    body = '{"uuid": "JK6RuXsSo8ssWd4LmbCMYw", "published_on": "not a date"}'
    with pytest.raises(DecodeError) as caught:
        structure(json.loads(body), Product, text=body, status=200)
    error = caught.value
    assert error.text == body
    assert error.status == 200
    assert error.__cause__ is not None
    assert str(error) == (
        "response does not match Product: not a date: 'not a date' @ $.published_on"
    )


def test_decode_error_serialises_parsed_input_when_no_text_is_given() -> None:
    """Without a raw body, the error's text is the parsed input written back as JSON."""
    data = {"uuid": 7.5, "published_on": "x"}
    with pytest.raises(DecodeError) as caught:
        structure(data, Product)
    assert json.loads(caught.value.text) == data


def test_missing_required_field_is_reported() -> None:
    """A missing identity field is a DecodeError saying which field is missing."""
    with pytest.raises(DecodeError, match=r"required field missing @ \$\.uuid"):
        structure({"name": "no id"}, Product)


@pytest.mark.parametrize("data", [None, "text", 42, 1.5, True, ["a"], [{"uuid": "x"}]])
def test_non_object_input_is_a_decode_error(data: Any) -> None:
    """Anything but a JSON object where a model belongs is refused, never half-decoded."""
    with pytest.raises(DecodeError, match="expected a JSON object"):
        structure(data, Measure)  # every Measure field is optional: still refused


def test_many_problems_are_summarised() -> None:
    """A message quotes the first five problems and counts the rest."""
    data: dict[str, Any] = dict.fromkeys(("published_on", "available_on", "discontinued_on"), "bad")
    data |= {"updated_on": "bad", "servings": "bad"}
    data |= {"package_size": 1, "serving_size": 2}
    with pytest.raises(DecodeError) as caught:
        structure({"uuid": "JK6RuXsSo8ssWd4LmbCMYw", **data}, Product)
    assert str(caught.value).endswith("; and 2 more")


def test_structure_list_decodes_bare_arrays() -> None:
    """A bare JSON array (brands_list) becomes a list of models in order."""
    brands = structure_list(
        [{"uuid": "Mhxk4LWefDxqQFpC7rnJvz", "state": "CA"}, {"uuid": "Ykkc7E3CuxQKiRKQeEFgaz"}],
        BrandSummary,
    )
    assert [brand.uuid for brand in brands] == ["Mhxk4LWefDxqQFpC7rnJvz", "Ykkc7E3CuxQKiRKQeEFgaz"]
    assert structure_list([], BrandSummary) == []


def test_structure_list_names_the_failing_index() -> None:
    """A bad element is reported with its index in the array."""
    with pytest.raises(DecodeError) as caught:
        structure_list([{"uuid": "a"}, {"name": "no id"}], BrandSummary)
    assert str(caught.value) == (
        "response does not match list[BrandSummary]: required field missing @ $[1].uuid"
    )


@pytest.mark.parametrize("data", [None, {"uuid": "a"}, "uuids", 3])
def test_structure_list_refuses_non_arrays(data: Any) -> None:
    """structure_list wants a JSON array; an object or scalar is a DecodeError."""
    with pytest.raises(DecodeError, match="expected a JSON array"):
        structure_list(data, BrandSummary)


def test_unstructure_request_bodies() -> None:
    """Request bodies: ISO datetimes, lists for sequences, no None fields."""
    body = unstructure(
        CompletedTransaction(
            performed_at=datetime(2021, 3, 11, 12, 0, tzinfo=UTC),
            items=("bugKMTvoffi5sA2L6UZ3zA", "dH47VmtcG7JGfzAHannzu5"),
            order_id="ORD-1",
        )
    )
    assert body == {
        "performed_at": "2021-03-11T12:00:00+00:00",
        "items": ["bugKMTvoffi5sA2L6UZ3zA", "dH47VmtcG7JGfzAHannzu5"],
        "order_id": "ORD-1",
    }
    assert unstructure(
        CaseImportRemoval(case_uuid="mYSgoJrY7F3fz7QEG7UR4k", package_uid="PKG-001")
    ) == {"case_uuid": "mYSgoJrY7F3fz7QEG7UR4k", "package_uid": "PKG-001"}
    addition = unstructure(InventoryItemsAddition(case_uuid="c", lucid_ids=["a"], hostname="pos"))
    assert addition == {"case_uuid": "c", "lucid_ids": ["a"], "hostname": "pos"}


def test_unstructure_enums_decimals_and_dates() -> None:
    """Enums become their plain values, Decimals their exact text, dates ISO strings."""
    asset = unstructure(NewAsset(name="n", content="c", usage=TextAssetUsage.DESCRIPTION))
    assert asset == {"name": "n", "content": "c", "usage": "description"}
    assert type(asset["usage"]) is str
    assert unstructure(Measure(value=Decimal("1.50"), unit="g")) == {"value": "1.50", "unit": "g"}
    converter = ModelConverter()
    assert converter.unstructure(date(2020, 6, 18)) == "2020-06-18"
    assert json.dumps(asset)  # JSON-ready as is
