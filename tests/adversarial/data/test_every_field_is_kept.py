"""Unknown fields are kept at every level and in ``to_dict``/``to_json``, whatever their
names (the datetime spellings are ``test_no_naive_datetime.py``'s)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import lucidgreen
from lucidgreen._converter import structure
from lucidgreen.source.models import Product, ProductSummary


def holds(data: Any, wire: dict[str, Any]) -> bool:
    """Every key of ``wire`` is in ``data`` with an equal value (known fields left out of the
    wire may appear as defaults)."""
    return isinstance(data, dict) and all(k in data and data[k] == v for k, v in wire.items())


ODD_KEYS: dict[str, Any] = {
    "class": "A",
    "extras": {"nested": [1, {"x": None}]},
    "__init__": True,
    "__class__": "evil",
    "__dict__": {"a": 1},
    "to_dict": 3.5,
    "": "empty key",
    "uuid ": "trailing space",
    "UUID": "upper",
}


def test_colliding_keys_stay_keys_in_extras_and_in_to_dict() -> None:
    wire = {"uuid": "p1", "name": "N", **ODD_KEYS}
    model = structure(wire, ProductSummary)
    assert model.uuid == "p1"
    assert dict(model.extras) == ODD_KEYS
    assert holds(lucidgreen.to_dict(model), wire)
    assert holds(json.loads(lucidgreen.to_json(model)), wire)


def test_unknown_fields_in_a_nested_model_survive_to_dict() -> None:
    wire = {
        "uuid": "p1",
        "brand": {"uuid": "b1", "name": "B", "extras": [1], "class": {"deep": [True]}},
        "new_top": None,
    }
    model = structure(wire, Product)
    assert model.brand is not None
    assert dict(model.brand.extras) == {"extras": [1], "class": {"deep": [True]}}
    data = lucidgreen.to_dict(model)
    assert data["brand"]["extras"] == [1]
    assert data["brand"]["class"] == {"deep": [True]}
    assert data["new_top"] is None


def test_to_dict_round_trips_through_the_converter_with_odd_keys() -> None:
    model = structure({"uuid": "p1", **ODD_KEYS}, ProductSummary)
    assert structure(lucidgreen.to_dict(model), ProductSummary) == model


def test_extras_cannot_be_mutated_by_the_caller() -> None:
    model = structure({"uuid": "p1", "x": [1]}, ProductSummary)
    with pytest.raises(TypeError):
        model.extras["y"] = 2  # type: ignore[index]


def test_extras_in_a_list_field_item_survive_to_dict() -> None:
    wire: list[dict[str, Any]] = [{"uuid": "p1", "k": {"a": [1, 2]}}, {"uuid": "p2", "class": 1}]
    items = [structure(w, ProductSummary) for w in wire]
    data: Any = lucidgreen.to_dict(items)
    assert len(data) == 2
    assert all(holds(d, w) for d, w in zip(data, wire, strict=False))
