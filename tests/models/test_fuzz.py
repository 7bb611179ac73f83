"""Property tests: whatever JSON arrives, decoding a model raises DecodeError or nothing."""

from __future__ import annotations

import contextlib
import json
import typing
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen._converter import ModelConverter, make_strict_converter, structure_list
from lucidgreen.errors import DecodeError
from lucidgreen.retail import models as retail
from lucidgreen.source import models as source

# What the endpoints return; the nested value objects are reached through them.
RESPONSE_MODELS: list[type[Any]] = [
    source.BrandSummary,
    source.Brand,
    source.ProductSummary,
    source.Product,
    source.BatchSummary,
    source.Batch,
    source.Item,
    source.Collection,
    source.Case,
    source.DigitalCOA,
    source.Asset,
    retail.Product,
    retail.Batch,
    retail.CaseImportResult,
    retail.InventoryCollection,
    retail.PackageUIDExport,
]

# Leaves the API really sends, so the parsers' edge cases are reached often, not by luck.
WIRE_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "2020-06-18",
        "11/19/2018",
        "13/45/2020",
        "2021-02-10T05:35:04.607692Z",
        "2016-10-03T12:34:56.123",
        "40.0000",
        "NaN",
        "-Infinity",
        "1e999",
        "true",
        "UNDTMBovdue9tFWfhamnDM",
    ]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    WIRE_STRINGS,
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=8,
)


PRODUCTION = ModelConverter()
STRICT = make_strict_converter()


_FIELD_DICTS: dict[type[Any], st.SearchStrategy[dict[str, Any]]] = {}


def field_dicts(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects keyed by the model's own field names (plus a stray key) with arbitrary values.

    A field holding a nested model (``brand``, ``images``, ``packaged_products``) also gets
    objects, or arrays of objects, keyed by that model's field names, so the nested value
    objects see plausible input as well as noise.
    """
    if cls in _FIELD_DICTS:
        return _FIELD_DICTS[cls]
    hints = typing.get_type_hints(cls)
    values: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        nested = [arg for arg in _type_parts(hints[field.name]) if attrs.has(arg)]
        if nested:
            inner = _deferred_field_dicts(nested[0])
            values[field.name] = st.one_of(JSON_VALUES, inner, st.lists(inner, max_size=2))
        else:
            values[field.name] = JSON_VALUES
    values["unexpected"] = JSON_VALUES
    # A few keys per object: drawing all forty fields of a product makes Hypothesis slow.
    strategy = st.lists(st.sampled_from(sorted(values)), max_size=6, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: values[key] for key in keys})
    )
    _FIELD_DICTS[cls] = strategy  # built once per model: Hypothesis draws from it per example
    return strategy


def _deferred_field_dicts(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    # Deferred so that building a model's strategy does not build its nested ones eagerly.
    return st.deferred(lambda: field_dicts(cls))


def _type_parts(hint: Any) -> list[Any]:
    """``hint`` and every type inside it: ``tuple[Image, ...] | None`` -> ``[..., Image, ...]``."""
    parts = [hint]
    for arg in typing.get_args(hint):
        parts.extend(_type_parts(arg))
    return parts


def decode_error_of(converter: ModelConverter, data: Any, cls: type[Any]) -> DecodeError | None:
    """The DecodeError decoding raised, or None; any other exception fails the test."""
    try:
        converter.structure(data, cls)
    except DecodeError as error:
        return error
    return None


def assert_only_decode_errors(data: Any, cls: type[Any]) -> None:
    error = decode_error_of(PRODUCTION, data, cls)
    if error is not None:
        assert str(error).startswith(f"response does not match {cls.__name__}: ")
        assert isinstance(error.text, str)
    decode_error_of(STRICT, data, cls)


@pytest.mark.parametrize("cls", RESPONSE_MODELS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
@settings(max_examples=200, deadline=None, database=None)
@given(data=st.data())
def test_arbitrary_json_never_raises_anything_but_decode_error(
    cls: type[Any], data: st.DataObject
) -> None:
    """Random JSON, or random values under the model's field names, decode or raise DecodeError."""
    payload = data.draw(st.one_of(JSON_VALUES, field_dicts(cls)))
    assert_only_decode_errors(payload, cls)


@settings(max_examples=200, deadline=None, database=None)
@given(payload=JSON_VALUES)
def test_structure_list_never_raises_anything_but_decode_error(payload: Any) -> None:
    """structure_list on random JSON returns a list or raises DecodeError."""
    with contextlib.suppress(DecodeError):
        assert isinstance(structure_list(payload, source.BrandSummary), list)


@settings(max_examples=100, deadline=None, database=None)
@given(payload=field_dicts(source.Product))
def test_decoded_text_is_the_input_as_json(payload: dict[str, Any]) -> None:
    """When decoding fails, DecodeError.text is the input serialised as JSON."""
    error = decode_error_of(PRODUCTION, payload, source.Product)
    if error is not None:
        assert error.text == json.dumps(payload, ensure_ascii=False, default=repr)
