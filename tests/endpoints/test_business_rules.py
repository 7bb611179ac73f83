"""The documented LucidRetail business rules raise typed ``BadRequest`` subclasses.

Pure reading of each documented body first (no event loop), then the rules as the fake
raises them, then a loopback server sending the documented bodies and hostile variants
(a typed error only when its data has the documented types; otherwise a plain BadRequest).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import lucidgreen
from lucidgreen import (
    BadRequest,
    CaseAlreadyImported,
    InvalidPayload,
    LucidIDsRefused,
    NonImportedLucidIDs,
    RetailClient,
    TransactionAlreadyProcessed,
    UnknownLucidIDs,
)
from lucidgreen.ids import from_uuid
from lucidgreen.retail._rules import business_rule
from lucidgreen.testing import FakeLucidGreen
from tests.endpoints.helpers import Scripted

R = "/api/v1.2"
WHEN = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)
A = from_uuid("12345678-1234-5678-1234-567812345678")
B = from_uuid("87654321-4321-8765-4321-876543218765")
ALREADY_PROCESSED = {"message": "This transaction has already been processed."}
NON_IMPORTED = {
    "message": "This transaction contains non-imported lucid ids.",
    "non_imported_lucidids": [A, B],
    "valid_transaction": False,
}
ALREADY_IMPORTED = {"detail": f"Items in CaseID {A} are already imported into inventory PKG-001."}


def _bad_request(data: Any, **extra: Any) -> BadRequest:
    return BadRequest(
        "server message",
        status=400,
        body="raw body",
        data=data,
        headers={"x-request-id": "rid-1"},
        request_id="rid-1",
        method="POST",
        url="https://retail.lucidgreen.io/api/v1.2/transactions/complete/",
        **extra,
    )


# --- the pure reading -------------------------------------------------------------------


def test_a_duplicate_sale_body_is_transaction_already_processed_with_the_order_id() -> None:
    """The duplicate body becomes TransactionAlreadyProcessed carrying the call's order_id."""
    typed = business_rule(_bad_request(ALREADY_PROCESSED), order_id="ORD-1")
    assert isinstance(typed, TransactionAlreadyProcessed)
    assert typed.order_id == "ORD-1"


def test_the_typed_error_keeps_every_field_of_the_plain_one() -> None:
    """Status, body, data, headers, request id, method, URL and outcome flags all survive."""
    plain = _bad_request(NON_IMPORTED, prior_outcome_unknown=True)
    typed = business_rule(plain)
    assert isinstance(typed, NonImportedLucidIDs)
    kept = ("status", "body", "data", "request_id", "method", "url", "message", "detail")
    assert {name: getattr(typed, name) for name in kept} == {
        name: getattr(plain, name) for name in kept
    }
    assert dict(typed.headers) == dict(plain.headers)
    assert (typed.prior_outcome_unknown, typed.outcome_unknown) == (True, True)
    assert str(typed) == str(plain)


def test_non_imported_ids_are_a_list_of_str() -> None:
    """``non_imported_lucidids`` becomes ``.lucid_ids``: list[str], in the server's order."""
    typed = business_rule(_bad_request(NON_IMPORTED))
    assert isinstance(typed, NonImportedLucidIDs)
    assert isinstance(typed, LucidIDsRefused)
    assert typed.lucid_ids == [A, B]


def test_unknown_and_invalid_ids_are_read_apart_and_together() -> None:
    """``{"items": {"invalid", "unknown", "valid"}}``: unknown first in lucid_ids."""
    body = {"items": {"invalid": [B], "unknown": [A], "valid": ["V"]}}
    typed = business_rule(_bad_request(body))
    assert isinstance(typed, UnknownLucidIDs)
    assert (typed.unknown, typed.invalid, typed.lucid_ids) == ([A], [B], [A, B])


def test_a_format_refusal_lists_its_ids_as_invalid() -> None:
    """``{"items": {"Invalid LucidIDs": [...]}}`` is UnknownLucidIDs with those ids invalid."""
    typed = business_rule(_bad_request({"items": {"Invalid LucidIDs": ["bad-id"]}}))
    assert isinstance(typed, UnknownLucidIDs)
    assert (typed.unknown, typed.invalid, typed.lucid_ids) == ([], ["bad-id"], ["bad-id"])


def test_already_imported_names_the_case_and_the_package_uid() -> None:
    """The newer page's already-imported detail gives ``case_uuid`` and ``package_uid``."""
    typed = business_rule(_bad_request(ALREADY_IMPORTED))
    assert isinstance(typed, CaseAlreadyImported)
    assert (typed.case_uuid, typed.package_uid) == (A, "PKG-001")


@pytest.mark.parametrize(
    "data",
    [
        {"detail": "This case has already been scanned for another dispensary."},
        {"case_uuid": ["This field is required."]},
        ["items should be specified when transaction type is complete or return."],
        {"message": "This transaction has already been processed"},  # not the exact text
        {"message": "This transaction contains non-imported lucid ids."},  # no ids at all
        {"non_imported_lucidids": A},  # a string would be read as 22 one-letter ids
        {"non_imported_lucidids": [A, 5]},
        {"non_imported_lucidids": []},
        {"items": {"unknown": A, "invalid": []}},
        {"items": {"unknown": [], "invalid": []}},
        {"items": {"unknown": [{"id": A}]}},
        {"items": {"Invalid LucidIDs": "bad"}},
        {"items": ["Unknown LucidID(s)."]},
        {"detail": f"Items in CaseID {A} are already imported into inventory"},
        None,
        "a string body",
    ],
)
def test_bodies_without_the_documented_shape_stay_plain(data: Any) -> None:
    """Other rules, near misses and malformed data are not typed (no typed error with
    untyped data): the plain BadRequest stands, body on ``data``."""
    assert business_rule(_bad_request(data), order_id="O") is None


def test_invalid_payload_and_other_statuses_are_left_alone() -> None:
    """An InvalidPayload (its refusal names no ids) and a non-400 are not retyped."""
    payload = InvalidPayload("m", status=400, data={**NON_IMPORTED, "reason": {}})
    assert business_rule(payload) is None
    forbidden = BadRequest("m", status=403, data=NON_IMPORTED)
    assert business_rule(forbidden) is None


def test_the_classes_are_exported_and_drawn_in_the_error_tree() -> None:
    """Each business-rule class is a top-level export, a BadRequest, and in the tree."""
    tree = lucidgreen.errors.__doc__ or ""
    for cls in (TransactionAlreadyProcessed, CaseAlreadyImported, LucidIDsRefused):
        assert issubclass(cls, BadRequest)
        assert getattr(lucidgreen, cls.__name__) is cls
        assert cls.__name__ in tree
    for sub in (UnknownLucidIDs, NonImportedLucidIDs):
        assert issubclass(sub, LucidIDsRefused)
        assert sub.__name__ in tree


# --- against the fake -------------------------------------------------------------------


def _importable(fake: FakeLucidGreen) -> dict[str, Any]:
    """import_case arguments for a case of this dispensary's reach, less its package UID."""
    state = fake.state
    case = next(
        c
        for c in state.cases.values()
        if c.uuid not in state.cases_scanned_elsewhere and c.current_ids()
    )
    packaged = state.items[case.current_ids()[0]].packaged_product_uuid
    return {
        "case_uuid": case.uuid,
        "packaged_product_uuid": packaged,
        "pos_product_id": "P",
        "pos_inventory_id": "I",
    }


async def _imported_lucid_id(retail: RetailClient, fake: FakeLucidGreen) -> str:
    """Import a case batch; one of its (now sellable) LucidIDs."""
    await retail.caseids.import_case(**_importable(fake), package_uid="PKG-FIRST")
    return fake.state.imports[0].lucid_ids[0]


async def test_fake_duplicate_sale_and_double_void_raise_typed_with_order_id(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A second sale with the same order_id, and a second void, raise
    TransactionAlreadyProcessed carrying that order_id (no outcome doubt: not replayed)."""
    sold = await _imported_lucid_id(retail, lucidgreen_fake)
    await retail.transactions.complete(order_id="ORD-7", items=[sold], performed_at=WHEN)
    with pytest.raises(TransactionAlreadyProcessed) as again:
        await retail.transactions.complete(order_id="ORD-7", items=[sold], performed_at=WHEN)
    assert (again.value.order_id, again.value.prior_outcome_unknown) == ("ORD-7", False)
    await retail.transactions.void(order_id="ORD-7", performed_at=WHEN)
    with pytest.raises(TransactionAlreadyProcessed) as twice:
        await retail.transactions.void(order_id="ORD-7", performed_at=WHEN)
    assert twice.value.order_id == "ORD-7"


async def test_fake_unknown_and_non_imported_ids_raise_typed_with_the_ids(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Unknown LucidIDs raise UnknownLucidIDs and non-imported ones NonImportedLucidIDs,
    each with ``.lucid_ids`` naming exactly the refused ids."""
    sold = await _imported_lucid_id(retail, lucidgreen_fake)
    stranger = from_uuid("00000000-0000-4000-8000-00000000beef")
    assert stranger not in lucidgreen_fake.state.items
    with pytest.raises(UnknownLucidIDs) as unknown:
        await retail.transactions.complete(
            order_id="ORD-U", items=[sold, stranger], performed_at=WHEN
        )
    assert (unknown.value.lucid_ids, unknown.value.unknown) == ([stranger], [stranger])
    state = lucidgreen_fake.state
    foreign = {
        lid
        for uid in state.cases_scanned_elsewhere
        if uid in state.collections
        for lid in state.collections[uid].current_ids()
    }
    missing = next(lid for lid in state.items if not state.in_inventory(lid) and lid not in foreign)
    with pytest.raises(NonImportedLucidIDs) as non_imported:
        await retail.transactions.complete(
            order_id="ORD-N", items=[sold, missing], performed_at=WHEN
        )
    assert non_imported.value.lucid_ids == [missing]


async def test_fake_case_imported_twice_raises_case_already_imported(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Importing the same case batch twice raises CaseAlreadyImported naming the package
    UID of the first import."""
    arguments = _importable(lucidgreen_fake)
    await retail.caseids.import_case(**arguments, package_uid="PKG-FIRST")
    with pytest.raises(CaseAlreadyImported) as again:
        await retail.caseids.import_case(**arguments, package_uid="PKG-SECOND")
    assert (again.value.case_uuid, again.value.package_uid) == (arguments["case_uuid"], "PKG-FIRST")


# --- against a loopback server sending the bodies ----------------------------------------


async def test_loopback_documented_bodies_raise_typed_errors(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """The documented bodies from a plain server: each call raises its typed subclass."""
    complete, imports = f"{R}/transactions/complete/", f"{R}/caseids/import/"
    scripted.answer("POST", complete, 400, NON_IMPORTED)
    with pytest.raises(NonImportedLucidIDs) as caught:
        await scripted_retail.transactions.complete(order_id="O", items=[A], performed_at=WHEN)
    assert caught.value.lucid_ids == [A, B]
    scripted.answer("POST", complete, 400, ALREADY_PROCESSED)
    with pytest.raises(TransactionAlreadyProcessed) as duplicate:
        await scripted_retail.transactions.complete(order_id="O-9", items=[A], performed_at=WHEN)
    assert duplicate.value.order_id == "O-9"
    scripted.answer("POST", imports, 400, ALREADY_IMPORTED)
    with pytest.raises(CaseAlreadyImported) as imported:
        await scripted_retail.caseids.import_case(
            case_uuid=A, packaged_product_uuid=B, pos_product_id="P", pos_inventory_id="I",
            package_uid="X",
        )  # fmt: skip
    assert imported.value.package_uid == "PKG-001"
    scripted.answer("POST", f"{R}/lucid-ids/validate/", 400, {"items": {"unknown": [B]}})
    with pytest.raises(UnknownLucidIDs) as validated:
        await scripted_retail.operations.validate_lucid_ids([A, B])
    assert validated.value.lucid_ids == [B]
    assert len(scripted.requests) == 4  # 400s are never retried


@pytest.mark.parametrize(
    "body",
    [
        {
            "message": "This transaction contains non-imported lucid ids.",
            "non_imported_lucidids": 7,
        },
        {"items": {"unknown": [1, 2], "invalid": [], "valid": []}},
        {"items": {"unknown": "ABC", "invalid": []}},
    ],
)
async def test_loopback_rule_bodies_with_wrong_types_stay_plain_bad_request(
    scripted: Scripted, scripted_retail: RetailClient, body: Any
) -> None:
    """A hostile body naming a rule with ids of the wrong type raises the plain BadRequest
    (raw body on ``data``), never a typed error with made-up ids or a crash."""
    scripted.answer("POST", f"{R}/transactions/complete/", 400, body)
    with pytest.raises(BadRequest) as caught:
        await scripted_retail.transactions.complete(order_id="O", items=[A], performed_at=WHEN)
    assert type(caught.value) is BadRequest
    assert caught.value.data == body
