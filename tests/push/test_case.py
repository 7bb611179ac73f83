"""Reading the Receive Case document and picking its current regulator (Metrc) IDs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

from lucidgreen.errors import DecodeError
from lucidgreen.push import (
    CaseDocument,
    CaseDocumentItem,
    CaseRegulatorID,
    current_regulator_ids,
    parse_case,
)

LUCID_A = "UNDTMBovdue9tFWfhamnDM"
LUCID_B = "Khf8UxYKJFnCC7n4UkNUQu"
LUCID_C = "3kTMd9rRvBxPWQn5aHjCyZ"


def _regulator(uuid: str, identifier: str, added_on: str | None) -> dict[str, Any]:
    return {"uuid": uuid, "identifier": identifier, "added_on": added_on}


def _item(lucid_id: str, *regulator_uuids: str) -> dict[str, Any]:
    return {"lucid_id": lucid_id, "regulator_id_uuids": list(regulator_uuids)}


# --- parse_case -------------------------------------------------------------------------------


def test_bare_string_items_become_items_without_regulator_ids() -> None:
    """receive_case.html's "list of UUIDs" reads as CaseItems with no regulator IDs."""
    case = parse_case(json.dumps({"uuid": "case-1", "items": [LUCID_A, LUCID_B]}))

    assert case.items == (CaseDocumentItem(lucid_id=LUCID_A), CaseDocumentItem(lucid_id=LUCID_B))
    assert case.lucid_ids == (LUCID_A, LUCID_B)


def test_object_items_read_by_lucid_id_or_uuid() -> None:
    """Item objects keyed by lucid_id or uuid both become CaseItems with their regulator uuids."""
    document = {
        "items": [
            {"lucid_id": LUCID_A, "regulator_id_uuids": ["r1"]},
            {"uuid": LUCID_B, "regulator_id_uuids": ["r1", "r2"]},
            {"uuid": "ignored", "lucid_id": LUCID_C, "regulator_id_uuids": None},
            LUCID_A,
        ]
    }

    case = parse_case(document)

    assert case.items == (
        CaseDocumentItem(lucid_id=LUCID_A, regulator_id_uuids=("r1",)),
        CaseDocumentItem(lucid_id=LUCID_B, regulator_id_uuids=("r1", "r2")),
        CaseDocumentItem(lucid_id=LUCID_C),
        CaseDocumentItem(lucid_id=LUCID_A),
    )


def test_full_document_with_unknown_keys_parses() -> None:
    """Known keys are typed; unknown ones are kept in raw (top level) and extras (nested)."""
    document = {
        "uuid": "case-uuid",
        "identifier": "identifier-123",
        "name": "Case 1",
        "collection_type": "case",
        "is_public": True,
        "future_field": {"nested": [1, 2]},
        "regulator_ids": [
            {**_regulator("r1", "1A4FF0100000022000000123", "2021-02-10T05:35:04.607692Z"), "x": 1}
        ],
        "items": [_item(LUCID_A, "r1")],
        "brands": [{"uuid": "brand-1", "name": "Brand"}],
        "product": {"uuid": "product-1"},
        "batches": ["batch-1"],
    }

    case = parse_case(json.dumps(document).encode())

    assert case.identifier == "identifier-123"
    assert case.collection_type == "case"
    assert case.regulator_ids == (
        CaseRegulatorID(
            uuid="r1",
            identifier="1A4FF0100000022000000123",
            added_on=datetime(2021, 2, 10, 5, 35, 4, 607692, tzinfo=UTC),
            extras={"x": 1},
        ),
    )
    assert case.brands == ({"uuid": "brand-1", "name": "Brand"},)
    assert case.products == ({"uuid": "product-1"},)
    assert case.batches == ({"uuid": "batch-1"},)
    assert case.raw["future_field"] == {"nested": [1, 2]}


def test_singular_and_plural_sections_are_gathered() -> None:
    """A section sent under both its plural and singular key keeps every entry, plural first."""
    case = parse_case({"brands": [{"uuid": "b1"}], "brand": {"uuid": "b2"}})

    assert case.brands == ({"uuid": "b1"}, {"uuid": "b2"})


def test_sub_cases_parse_recursively() -> None:
    """Contained cases are CaseDocuments themselves; a bare string is a reference by uuid."""
    document = {
        "cases": [
            {"identifier": "inner", "items": [LUCID_A], "regulator_ids": []},
            "sub-case-uuid",
        ]
    }

    case = parse_case(MappingProxyType(document))

    inner, reference = case.cases
    assert inner.identifier == "inner"
    assert inner.lucid_ids == (LUCID_A,)
    assert reference == CaseDocument(uuid="sub-case-uuid")


def test_empty_added_on_and_nulls_are_tolerated() -> None:
    """An "" added_on is None and null lists are empty, as elsewhere in the SDK."""
    case = parse_case({"regulator_ids": [_regulator("r1", "M1", "")], "items": None, "cases": None})

    assert case.regulator_ids[0].added_on is None
    assert case.items == ()
    assert case.cases == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object at $"),
        ("null", "expected a JSON object at $"),
        ('{"items": "abc"}', "expected a JSON array at $.items"),
        ('{"items": [42]}', "$.items[0]"),
        ('{"items": [{"regulator_id_uuids": []}]}', "neither lucid_id nor uuid"),
        ('{"regulator_ids": [{"uuid": "r1"}]}', "identifier"),
        ('{"regulator_ids": [{"identifier": "M", "added_on": "yesterday"}]}', "added_on"),
        ('{"cases": [{"items": [[]]}]}', "$.cases[0].items[0]"),
        ('{"brands": [1]}', "$.brands"),
    ],
)
def test_garbage_raises_decode_error_with_raw_text(body: bytes | str, message: str) -> None:
    """Anything no documented variant allows raises DecodeError naming the problem and raw text."""
    with pytest.raises(DecodeError, match=message.replace("$", r"\$").replace("[", r"\[")) as info:
        parse_case(body)

    expected_text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    assert info.value.text == expected_text


@pytest.mark.parametrize("depth", [300, 5000])
def test_absurdly_nested_sub_cases_raise_decode_error(depth: int) -> None:
    """Sub-cases nested hundreds deep are refused with DecodeError, never a RecursionError."""
    document = '{"cases": [' * depth + "{}" + "]}" * depth

    with pytest.raises(DecodeError):
        parse_case(document)


# --- current_regulator_ids --------------------------------------------------------------------


def test_single_regulator_id_is_the_answer() -> None:
    """With exactly one regulator_ids entry its identifier is the answer, whatever items say."""
    case = parse_case(
        {
            "regulator_ids": [_regulator("r1", "METRC-1", "2021-01-01T00:00:00Z")],
            "items": [LUCID_A, _item(LUCID_B, "unknown")],
        }
    )

    assert current_regulator_ids(case) == {"METRC-1"}


def test_retagged_items_take_the_newest_tag() -> None:
    """Each item contributes its newest tag, and items tagged differently give the set."""
    case = parse_case(
        {
            "regulator_ids": [
                _regulator("old", "METRC-OLD", "2021-01-01T00:00:00Z"),
                _regulator("new", "METRC-NEW", "2021-03-01T00:00:00-08:00"),
                _regulator("lot", "METRC-SUBLOT", "2021-02-01T00:00:00Z"),
            ],
            "items": [
                _item(LUCID_A, "new", "old"),
                _item(LUCID_B, "old", "lot"),
                _item(LUCID_C, "old"),
            ],
        }
    )

    assert current_regulator_ids(case) == {"METRC-NEW", "METRC-SUBLOT", "METRC-OLD"}


def test_retagging_moves_every_item_to_the_new_tag() -> None:
    """When all items were re-tagged, only the new tag remains."""
    case = parse_case(
        {
            "regulator_ids": [
                _regulator("old", "METRC-OLD", "2021-01-01T00:00:00Z"),
                _regulator("new", "METRC-NEW", "2021-03-01T00:00:00Z"),
            ],
            "items": [_item(LUCID_A, "old", "new"), _item(LUCID_B, "new", "old")],
        }
    )

    assert current_regulator_ids(case) == {"METRC-NEW"}


def test_naive_added_on_counts_as_utc() -> None:
    """A naive added_on is compared as UTC against offset-aware ones, without a TypeError."""
    case = parse_case(
        {
            "regulator_ids": [
                _regulator("naive", "NAIVE", "2021-03-01T12:00:00"),
                _regulator("aware", "AWARE", "2021-03-01T13:00:00+02:00"),
            ],
            "items": [_item(LUCID_A, "naive", "aware")],
        }
    )

    assert current_regulator_ids(case) == {"NAIVE"}


def test_ties_and_missing_dates() -> None:
    """On equal added_on the later entry wins; a missing added_on is the oldest."""
    case = parse_case(
        {
            "regulator_ids": [
                _regulator("first", "FIRST", "2021-03-01T00:00:00Z"),
                _regulator("second", "SECOND", "2021-03-01T00:00:00Z"),
                _regulator("undated", "UNDATED", None),
            ],
            "items": [_item(LUCID_A, "second", "first"), _item(LUCID_B, "undated", "first")],
        }
    )

    assert current_regulator_ids(case) == {"SECOND", "FIRST"}


def test_untagged_and_unknown_references_contribute_nothing() -> None:
    """Items without regulator uuids, or naming unknown ones, are skipped without error."""
    case = parse_case(
        {
            "regulator_ids": [
                _regulator("r1", "M1", "2021-01-01T00:00:00Z"),
                _regulator("r2", "M2", "2021-01-02T00:00:00Z"),
            ],
            "items": [LUCID_A, _item(LUCID_B, "missing"), _item(LUCID_C, "missing", "r1")],
        }
    )

    assert current_regulator_ids(case) == {"M1"}


def test_no_regulator_ids_gives_an_empty_set() -> None:
    """A case without regulator IDs, or with only an empty identifier, yields nothing."""
    assert current_regulator_ids(parse_case({"items": [_item(LUCID_A, "r1")]})) == frozenset()
    assert current_regulator_ids(parse_case({"regulator_ids": [{"identifier": ""}]})) == set()
