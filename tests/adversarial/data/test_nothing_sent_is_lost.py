"""Unknown fields of every JSON type, at every level, survive structuring and to_dict()."""

from __future__ import annotations

import json
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lucidgreen
from lucidgreen._common_models import Model
from lucidgreen._converter import structure
from lucidgreen.push import models as push_models
from lucidgreen.retail import models as retail_models
from lucidgreen.source import models as source_models

MODELS: list[type[Model]] = sorted(
    {
        obj
        for module in (source_models, retail_models, push_models)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model
    },
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)
RESERVED = ["class", "extras", "__init__", "_wire", "__class__", "items", "def"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def _known(cls: type[Any]) -> set[str]:
    return {f.name for f in attrs.fields(cls)} - {"extras", "_wire"}


def _minimal(cls: type[Any]) -> dict[str, Any]:
    """The required fields of ``cls`` with a plain string each."""
    return {f.name: "x" for f in attrs.fields(cls) if f.default is attrs.NOTHING and f.init}


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__qualname__)
@settings(max_examples=25, deadline=None)
@given(extra=st.dictionaries(st.text() | st.sampled_from(RESERVED), json_values, max_size=5))
def test_to_dict_holds_every_unknown_key_with_its_value(
    cls: type[Model], extra: dict[str, Any]
) -> None:
    """to_dict(structure(wire)) holds every key of wire; unknown fields come back equal."""
    unknown = {key: value for key, value in extra.items() if key not in _known(cls)}
    wire = {**unknown, **_minimal(cls)}
    model = structure(wire, cls)
    out = lucidgreen.to_dict(model)
    assert set(wire) <= set(out)
    for key, value in unknown.items():
        assert out[key] == value
    assert dict(model.extras) == unknown
    assert structure(json.loads(lucidgreen.to_json(model)), cls) == model


NESTED = {
    "uuid": "p1",
    "updated_on": "2024-01-02T03:04:05",
    "published_on": "",
    "special_diet": None,
    "brand": {"uuid": "b1", "class": {"x": [1]}, "images": {"thumbnail": {"new": True}}},
    "package_size": {"value": "40.0000", "unit": "g", "__init__": None},
    "future": [{"deep": [{"deeper": 1.5}]}],
}


def test_nested_unknown_fields_come_back_exactly_as_sent() -> None:
    """Unknown keys at every depth, and the raw strings behind converted fields, come back."""
    product = structure(NESTED, source_models.Product)
    out = lucidgreen.to_dict(product)
    for key, value in NESTED.items():
        if key not in ("brand", "package_size"):
            assert out[key] == value
    assert out["brand"]["class"] == {"x": [1]}
    assert out["brand"]["images"]["thumbnail"]["new"] is True
    assert out["package_size"]["__init__"] is None
    assert out["package_size"]["value"] == "40.0000"


def test_extras_are_read_only_and_keys_never_become_attributes() -> None:
    """A wire key named like an attribute stays a key; extras cannot be changed in place."""
    model = structure({"uuid": "a", "extras": 1, "class": 2, "__init__": 3}, source_models.Asset)
    assert model.extras == {"extras": 1, "class": 2, "__init__": 3}
    with pytest.raises(TypeError):
        model.extras["x"] = 1  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        model.extras = {}  # type: ignore[misc,assignment]


def test_a_changed_unknown_field_makes_records_unequal_and_survives_pickle() -> None:
    """Two records differing only in a new field are not equal; pickling keeps the extras."""
    first = structure({"uuid": "a", "new": 1}, source_models.ProductSummary)
    second = structure({"uuid": "a", "new": 2}, source_models.ProductSummary)
    assert first != second
    assert hash(first) == hash(second)
    copy = pickle.loads(pickle.dumps(first))
    assert copy == first
    assert lucidgreen.to_dict(copy)["new"] == 1


def test_to_dict_of_pages_and_lists_and_refusals() -> None:
    """A page gives the DRF envelope, a list a list; anything else is a TypeError."""
    item = structure({"uuid": "a", "z": [1]}, source_models.ProductSummary)
    page = lucidgreen.Page(items=[item], count=1, next_url=None, previous_url=None, cursor="c")
    assert lucidgreen.to_dict(page)["results"][0]["z"] == [1]
    assert lucidgreen.to_dict([item, item])[1]["z"] == [1]
    with pytest.raises(TypeError):
        lucidgreen.to_dict(object())


def test_deeply_nested_unknown_values_copy_without_recursion() -> None:
    """An unknown value nested deeper than the recursion limit still comes back."""
    deep: Any = None
    for _ in range(5000):
        deep = [deep]
    model = structure({"uuid": "a", "deep": deep}, source_models.ProductSummary)
    out = lucidgreen.to_dict(model)
    walked = out["deep"]
    for _ in range(5000):
        walked = walked[0]
    assert walked is None
