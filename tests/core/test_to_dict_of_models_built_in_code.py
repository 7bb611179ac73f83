"""``to_dict`` of a model built in code: the converter's formats, and back to an equal model.

A structured model replays the server's own JSON (tests/adversarial/data covers that); a model
a caller builds has no wire values, so each field is written in the format the converter reads.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lucidgreen import to_dict, to_json
from lucidgreen._common_models import Measure
from lucidgreen._converter import structure
from lucidgreen.source.models import NewAsset, Product, TextAssetUsage


def _product() -> Product:
    return Product(
        uuid="p1",
        published_on=date(2026, 1, 2),
        updated_on=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        servings=Decimal("10.50"),
        package_size=Measure(name="Weight", value=Decimal("3.5"), unit="g"),
    )


def test_dates_decimals_and_nested_models_take_the_converters_formats() -> None:
    data = to_dict(_product())
    assert data["published_on"] == "2026-01-02"
    assert data["updated_on"] == "2026-01-02T03:04:05+00:00"
    assert data["servings"] == "10.50"  # a decimal string: no float rounding
    assert data["package_size"] == {"name": "Weight", "value": "3.5", "unit": "g"}
    assert data["discontinued_on"] is None


def test_a_model_built_in_code_structures_back_into_an_equal_model() -> None:
    product = _product()
    assert structure(json.loads(to_json(product)), Product) == product


def test_an_enum_member_is_written_as_its_value() -> None:
    """A request body (not a :class:`Model`) gives its fields too; an enum as its string."""
    data = to_dict(NewAsset(name="Dosing", content="Start low.", usage=TextAssetUsage.DESCRIPTION))
    assert data == {
        "name": "Dosing",
        "content": "Start low.",
        "description": None,
        "usage": "description",
    }
    assert type(data["usage"]) is str


def test_a_value_json_cannot_hold_is_a_type_error_naming_its_type() -> None:
    """attrs does not check types, so a caller can put anything in a field: it is refused."""
    odd = Product(uuid="p1", servings={1, 2})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot turn a set into JSON data"):
        to_dict(odd)


@pytest.mark.parametrize("value", [{"uuid": "p1"}, "p1", 3])
def test_anything_but_a_model_page_or_list_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="takes a lucidgreen model"):
        to_dict(value)
