"""The escape hatch's rules, without a loop or a server: which verbs and arguments go
together, how query values are written, and which query names belong to the pager."""

from __future__ import annotations

import math

import pytest

from lucidgreen._escape_hatch import verb_of
from lucidgreen._query import PAGER_OWNED, query


@pytest.mark.parametrize("method", ["get", "GET", "Post", "put", "PATCH", "delete"])
def test_every_documented_verb_is_accepted_in_any_case(method: str) -> None:
    assert verb_of(method, params=None, json=None) == method.upper()


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "CONNECT", "", "G ET", 3])
def test_any_other_verb_is_refused_before_sending(method: object) -> None:
    with pytest.raises(ValueError, match="cannot send"):
        verb_of(method, params=None, json=None)


def test_a_body_on_a_get_is_refused_rather_than_dropped() -> None:
    with pytest.raises(ValueError, match="GET sends none"):
        verb_of("GET", params=None, json={"a": 1})


def test_params_on_a_write_are_refused_rather_than_dropped() -> None:
    with pytest.raises(ValueError, match="apply to GET only"):
        verb_of("POST", params={"a": 1}, json=None)


def test_an_empty_body_is_still_a_body_on_a_write() -> None:
    assert verb_of("POST", params=None, json={}) == "POST"


def test_query_values_are_written_the_way_drf_filters_read_them() -> None:
    pairs = query({"active": True, "deleted": False, "n": 3, "x": 1.5, "s": "a b", "none": None})
    assert pairs == [
        ("active", "true"),
        ("deleted", "false"),
        ("n", "3"),
        ("x", "1.5"),
        ("s", "a b"),
    ]


def test_a_list_value_repeats_its_key_in_order() -> None:
    assert query({"id": ["b", "a", 3]}) == [("id", "b"), ("id", "a"), ("id", "3")]


@pytest.mark.parametrize("value", [math.nan, math.inf, {"a": 1}, b"bytes", object()])
def test_a_value_with_no_query_spelling_is_a_type_error_naming_it(value: object) -> None:
    with pytest.raises(TypeError, match="'key'"):
        query({"key": value})


@pytest.mark.parametrize("key", ["", 3, None])
def test_a_name_that_is_not_a_non_empty_string_is_refused(key: object) -> None:
    with pytest.raises(TypeError, match="name"):
        query({key: "v"})


def test_a_mapping_is_required() -> None:
    with pytest.raises(TypeError, match="mapping"):
        query([("a", "b")])  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(PAGER_OWNED))
def test_names_the_pager_writes_are_refused_when_reserved(key: str) -> None:
    with pytest.raises(ValueError, match="resume_from"):
        query({key: 2}, reserved=PAGER_OWNED)
    assert query({key: 2}) == [(key, "2")]  # not reserved: sent as given
