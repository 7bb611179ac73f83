"""LucidRetail endpoints under aioresponses: exact requests, documented bodies, and every
documented error body mapped to its exception."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from aioresponses import aioresponses

from lucidgreen import (
    BadRequest,
    InvalidPayload,
    NotFound,
    PermissionDenied,
    RetailClient,
)
from lucidgreen.retail.models import (
    Batch,
    CaseImportResult,
    InventoryCollection,
    OperationResult,
    Product,
)
from tests.endpoints.helpers import check_headers, the_request

HOST = "https://retail.lucidgreen.io"
P = "/api/v1.2"
U1 = "UNDTMBovdue9tFWfhamnDM"
U2 = "Khf8UxYKJFnCC7n4UkNUQu"
U3 = "VCtgBNDuuCWJrYqjEd7s97"
WHEN = datetime(2021, 3, 11, 12, 0, tzinfo=UTC)
TOKEN = "retail-token"
#: The import both import_case tests send.
CASE_IMPORT = {
    "case_uuid": U1,
    "packaged_product_uuid": U2,
    "pos_product_id": "P1",
    "pos_inventory_id": "I1",
    "package_uid": "PKG-001",
}


async def test_product_detail_request_and_documented_example(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """products.get GETs products/<uuid>/ and reads the documented MM/DD/YYYY example."""
    mocked.get(
        f"{HOST}{P}/products/{U1}/",
        payload={
            "uuid": U1,
            "brand_uuid": U2,
            "published_on": "11/19/2018",
            "available_on": "06/11/2020",
            "added_on": None,
            "updated_on": "2025-11-24T05:11:10.710679-08:00",
            "product_type": "Chocolate",
            "package_size": {"name": "Package Size", "value": "40.0000", "unit": "g"},
            "servings": "8.0000000",
            "shelf_life": {"value": 365, "unit": "days"},
            "expected_total_thc": {"name": "THC", "value": "100.0000", "unit": "mg"},
            "images": {"thumbnail": None, "supplemental": None},
        },
    )
    product = await retail_unit.products.get(U1)
    assert isinstance(product, Product)
    assert (product.published_on, product.available_on) == (date(2018, 11, 19), date(2020, 6, 11))
    assert product.added_on is None
    assert product.updated_on == datetime(
        2025, 11, 24, 5, 11, 10, 710679, tzinfo=timezone(timedelta(hours=-8))
    )
    assert product.servings == Decimal("8.0000000")
    assert product.package_size is not None
    assert product.package_size.value == Decimal("40.0000")
    assert product.shelf_life is not None
    assert product.shelf_life.value == Decimal(365)
    assert product.expected_total_thc is not None
    assert product.expected_total_thc.value == Decimal("100.0000")
    the_request(sent(), "GET", f"{P}/products/{U1}/", token=TOKEN, host=HOST)


async def test_batch_and_brand_detail_requests(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """batches.get returns a Batch; brands.get (inferred path) a Brand, unknown keys ignored."""
    mocked.get(
        f"{HOST}{P}/batches/{U1}/",
        payload={
            "uuid": U1,
            "updated_on": "2025-11-24T05:11:10.710679-08:00",
            "produced_on": "2016-10-03T12:34:56",
            "testing_laboratories": [{"uuid": U3, "name": "Lab", "postal_code": "60601"}],
        },
    )
    mocked.get(f"{HOST}{P}/brands/{U2}/", payload={"uuid": U2, "novel": [1, 2]})
    batch = await retail_unit.batches.get(U1)
    assert isinstance(batch, Batch)
    assert batch.produced_on == datetime(2016, 10, 3, 12, 34, 56, tzinfo=UTC)
    assert batch.testing_laboratories[0].uuid == U3
    brand = await retail_unit.brands.get(U2)
    assert brand.uuid == U2
    assert brand.extras == {"novel": [1, 2]}  # a field the model does not know is kept
    assert sorted((r.method, r.raw_path) for r in sent()) == [
        ("GET", f"{P}/batches/{U1}/"),
        ("GET", f"{P}/brands/{U2}/"),
    ]


async def test_import_case_request_and_result(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """caseids.import_case POSTs the typed body (no sku when omitted) and reads the result."""
    mocked.post(
        f"{HOST}{P}/caseids/import/",
        payload={"case_uuid": U1, "packaged_product_uuid": U2, "package_uid": "PKG-001"},
    )
    result = await retail_unit.caseids.import_case(**CASE_IMPORT)
    assert result == CaseImportResult(case_uuid=U1, packaged_product_uuid=U2, package_uid="PKG-001")
    # the body is the arguments, key for key: no sku key at all when none was given
    the_request(sent(), "POST", f"{P}/caseids/import/", token=TOKEN, body=CASE_IMPORT)


IMPORT_400 = [
    {"detail": "This case has already been scanned for another dispensary."},
    {"detail": f"Items in CaseID {U1} are already imported into inventory PKG-001."},
    {"case_uuid": ["This field is required."], "pos_product_id": ["This field is required."]},
]


@pytest.mark.parametrize("body", IMPORT_400)
async def test_import_case_documented_400_bodies(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any, body: dict[str, Any]
) -> None:
    """Each documented caseids/import 400 raises BadRequest: detail, or fields in .data."""
    mocked.post(f"{HOST}{P}/caseids/import/", status=400, payload=body)
    with pytest.raises(BadRequest) as caught:
        await retail_unit.caseids.import_case(**CASE_IMPORT)
    error = caught.value
    assert not isinstance(error, InvalidPayload)
    assert (error.status, error.data) == (400, body)
    if "detail" in body:
        assert error.detail == error.message == body["detail"]
    else:
        assert error.message == (
            "case_uuid: This field is required.; pos_product_id: This field is required."
        )
    assert len(sent()) == 1  # a 400 is never retried


async def test_remove_import_request_and_400(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """caseids.remove_import POSTs its body, returns None on 200, and maps the 400 detail."""
    url = f"{HOST}{P}/caseids/import/remove/"
    mocked.post(url, payload={"status": "success", "request_id": "r1"})
    detail = "POS Package UID not found for package_uid=PKG-001."
    mocked.post(url, status=400, payload={"detail": detail})
    assert (
        await retail_unit.caseids.remove_import(  # type: ignore[func-returns-value]
            case_uuid=U1, package_uid="PKG-001", packaged_product_uuid=U2
        )
        is None
    )
    with pytest.raises(BadRequest) as caught:
        await retail_unit.caseids.remove_import(case_uuid=U1, package_uid="PKG-001")
    assert caught.value.detail == detail
    assert [r.body for r in sent()] == [
        {"case_uuid": U1, "package_uid": "PKG-001", "packaged_product_uuid": U2},
        {"case_uuid": U1, "package_uid": "PKG-001"},
    ]


async def test_complete_request_and_result(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """transactions.complete POSTs performed_at as ISO-8601 and the LucidIDs as a list."""
    mocked.post(
        f"{HOST}{P}/transactions/complete/", payload={"status": "success", "request_id": "r"}
    )
    result = await retail_unit.transactions.complete(
        order_id="ORD-1", items=(U1, U2), performed_at=WHEN, budtender_id="B"
    )
    assert (result.order_id, result.replayed, result.data) == (
        "ORD-1",
        False,
        {"status": "success", "request_id": "r"},
    )
    body = {
        "performed_at": "2021-03-11T12:00:00+00:00",
        "items": [U1, U2],
        "order_id": "ORD-1",
        "budtender_id": "B",
    }
    the_request(sent(), "POST", f"{P}/transactions/complete/", token=TOKEN, body=body)


COMPLETE_400: list[tuple[Any, str]] = [
    ({"items": {"Invalid LucidIDs": ["invalid_lucid_id_format"]}}, "invalid_lucid_id_format"),
    ({"items": {"invalid": [], "unknown": [U2], "valid": []}}, f"unknown: {U2}"),
    (
        {
            "message": "This transaction contains non-imported lucid ids.",
            "non_imported_lucidids": [U2],
            "valid_transaction": False,
        },
        "This transaction contains non-imported lucid ids.",
    ),
    (
        {"message": "This transaction has already been processed."},
        "This transaction has already been processed.",
    ),
    (
        ["items should be specified when transaction type is complete or return."],
        "items should be specified when transaction type is complete or return.",
    ),
]


@pytest.mark.parametrize(("body", "message"), COMPLETE_400)
async def test_complete_documented_400_bodies(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any, body: Any, message: str
) -> None:
    """Each of the five documented complete-transaction 400 bodies raises BadRequest."""
    mocked.post(f"{HOST}{P}/transactions/complete/", status=400, payload=body)
    with pytest.raises(BadRequest) as caught:
        await retail_unit.transactions.complete(order_id="O", items=[U1], performed_at=WHEN)
    error = caught.value
    assert (error.status, error.data) == (400, body)
    assert message in error.message
    assert not error.prior_outcome_unknown
    assert len(sent()) == 1


async def test_void_request(retail_unit: RetailClient, mocked: aioresponses, sent: Any) -> None:
    """transactions.void POSTs performed_at and the optional ids it was given."""
    mocked.post(f"{HOST}{P}/transactions/void/", payload={"status": "success"})
    result = await retail_unit.transactions.void(
        performed_at=WHEN, order_id="ORD-1", customer_id="C"
    )
    assert (result.order_id, result.data) == ("ORD-1", {"status": "success"})
    body = {"performed_at": "2021-03-11T12:00:00+00:00", "order_id": "ORD-1", "customer_id": "C"}
    the_request(sent(), "POST", f"{P}/transactions/void/", token=TOKEN, body=body)


async def test_add_items_request_and_invalid_payload(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """inventory.add_items POSTs to inventory-pos/<dispensary>/add-items/; 400 invalid
    payload raises InvalidPayload with the reason."""
    url = f"{HOST}{P}/collections/inventory-pos/{U3}/add-items/"
    mocked.post(url, payload={"inventory_collection_identifier": "INV-1"})
    reason = {"items": ["Unknown LucidID(s)."]}
    mocked.post(url, status=400, payload={"status": "invalid payload", "reason": reason})
    created = await retail_unit.inventory.add_items(
        U3,
        case_uuid=U1,
        lucid_ids=[U2],
        inventory_collection_identifier="INV-1",
        internal_inventory_item_id="II",
        internal_catalog_product_id="CP",
        hostname="pos.local",
    )
    assert created == InventoryCollection(inventory_collection_identifier="INV-1")
    with pytest.raises(InvalidPayload) as caught:
        await retail_unit.inventory.add_items(U3, case_uuid=U1, lucid_ids=[U2])
    assert caught.value.reason == reason
    assert caught.value.status == 400
    assert [(r.method, r.raw_path, r.body) for r in sent()] == [
        (
            "POST",
            f"{P}/collections/inventory-pos/{U3}/add-items/",
            {
                "case_uuid": U1,
                "lucid_ids": [U2],
                "inventory_collection_identifier": "INV-1",
                "internal_inventory_item_id": "II",
                "internal_catalog_product_id": "CP",
                "hostname": "pos.local",
            },
        ),
        (
            "POST",
            f"{P}/collections/inventory-pos/{U3}/add-items/",
            {"case_uuid": U1, "lucid_ids": [U2]},
        ),
    ]


async def test_add_items_legacy_403_is_an_invalid_payload(
    retail_unit: RetailClient, mocked: aioresponses
) -> None:
    """A legacy 403 carrying "invalid payload" is a validation error, not a permission one."""
    url = f"{HOST}{P}/collections/inventory-pos/{U3}/add-items/"
    mocked.post(url, status=403, payload={"status": "invalid payload", "reason": {"x": ["y"]}})
    mocked.post(url, status=403, payload={"detail": "You do not have permission."})
    with pytest.raises(InvalidPayload) as legacy:
        await retail_unit.inventory.add_items(U3, case_uuid=U1, lucid_ids=[U2])
    assert (legacy.value.status, legacy.value.reason) == (403, {"x": ["y"]})
    with pytest.raises(PermissionDenied):
        await retail_unit.inventory.add_items(U3, case_uuid=U1, lucid_ids=[U2])


async def test_collection_of_sends_no_authorization(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """inventory.collection_of is the unauthenticated lookup: no Authorization header."""
    url = f"{HOST}{P}/collections/inventory-pos/lucid-id/{U1}/"
    mocked.get(url, payload={"inventory_collection_identifier": "INV-1"})
    mocked.get(url, status=404, payload={"detail": "Not found."})
    found = await retail_unit.inventory.collection_of(U1)
    assert found.inventory_collection_identifier == "INV-1"
    with pytest.raises(NotFound):
        await retail_unit.inventory.collection_of(U1)
    requests = sent()
    assert [(r.method, r.raw_path) for r in requests] == [
        ("GET", f"{P}/collections/inventory-pos/lucid-id/{U1}/"),
    ] * 2
    for request in requests:
        check_headers(request.headers, token=None, body=False)


OpCall = Callable[[RetailClient], Awaitable[Any]]

OPERATIONS: list[tuple[str, OpCall, str, str, Any]] = [
    (
        "digital_coa_detail",
        lambda r: r.operations.digital_coa_detail(U1),
        "GET",
        f"digital_coas/{U1}/",
        None,
    ),
    ("item_details", lambda r: r.operations.item_details(U1), "GET", f"items/{U1}/", None),
    (
        "collection_details",
        lambda r: r.operations.collection_details("PO 2023/1"),
        "GET",
        "collections/PO%202023%2F1/",
        None,
    ),
    (
        "inventory_collection_delete",
        lambda r: r.operations.inventory_collection_delete(U3, "INV 1"),
        "DELETE",
        f"collections/inventory-pos/{U3}/INV%201/",
        None,
    ),
    (
        "validate_lucid_ids",
        lambda r: r.operations.validate_lucid_ids([U1, U2]),
        "POST",
        "lucid-ids/validate/",
        {"lucid_ids": [U1, U2]},
    ),
    (
        "associate_regulator_uid",
        lambda r: r.operations.associate_regulator_uid("CASE-1", "1A40603000"),
        "POST",
        "collections/case/CASE-1/regulator-uid/",
        {"regulator_uid": "1A40603000"},
    ),
    (
        "package_uids_associations_request",
        lambda r: r.operations.package_uids_associations_request({"date": "2025-01-01"}),
        "POST",
        "package-uids-associations/",
        {"date": "2025-01-01"},
    ),
    (
        "package_uids_associations_fetch",
        lambda r: r.operations.package_uids_associations_fetch("REQ 7"),
        "GET",
        "package-uids-associations/REQ%207/",
        None,
    ),
    (
        "regulator_uid_lookup",
        lambda r: r.operations.regulator_uid_lookup(U1),
        "GET",
        f"collections/inventory-pos/regulator-uid/{U1}/",
        None,
    ),
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o[0] for o in OPERATIONS])
async def test_operation_default_path_and_raw_json(
    retail_unit: RetailClient,
    mocked: aioresponses,
    sent: Any,
    operation: tuple[str, OpCall, str, str, Any],
) -> None:
    """Each untyped operation sends its verb to its default path; the JSON is on ``.data``."""
    name, call, method, path, body = operation
    answer = {"operation": name, "nested": {"kept": [1, "two", None]}}
    mocked.add(f"{HOST}{P}/{path}", method, payload=answer)
    assert await call(retail_unit) == OperationResult(data=answer)
    token = None if name == "regulator_uid_lookup" else TOKEN
    the_request(sent(), method, f"{P}/{path}", token=token, body=body)


async def test_operation_paths_are_configurable(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """``retail.operations.paths[...]`` overrides where a thin call goes."""
    retail_unit.operations.paths["validate_lucid_ids"] = "lucid-ids/exists/"
    retail_unit.operations.paths["item_details"] = "lucid-ids/{lucid_id}/details/"
    mocked.post(f"{HOST}{P}/lucid-ids/exists/", payload=[{"lucid_id": U1, "exists": True}])
    mocked.get(f"{HOST}{P}/lucid-ids/{U1}/details/", payload={"uuid": U1})
    validated = await retail_unit.operations.validate_lucid_ids([U1])
    assert validated.data == [{"lucid_id": U1, "exists": True}]
    assert (await retail_unit.operations.item_details(U1)).data == {"uuid": U1}
    assert sorted((r.method, r.raw_path) for r in sent()) == [
        ("GET", f"{P}/lucid-ids/{U1}/details/"),
        ("POST", f"{P}/lucid-ids/exists/"),
    ]


async def test_operations_request_any_path(
    retail_unit: RetailClient, mocked: aioresponses, sent: Any
) -> None:
    """operations.request sends any verb under /api/v1.2/ with query or JSON body."""
    mocked.get(f"{HOST}{P}/some/thing/?page=2", payload={"ok": 1})
    mocked.post(f"{HOST}{P}/some/thing/", status=204)
    got = await retail_unit.operations.request("GET", "/some/thing/", params={"page": 2})
    assert got.data == {"ok": 1}
    posted = await retail_unit.operations.request("POST", "some/thing/", json={"a": 1})
    assert posted == OperationResult(data=None)
    assert sorted((r.method, r.raw_path, r.query, r.body) for r in sent()) == [
        ("GET", f"{P}/some/thing/", {"page": "2"}, None),
        ("POST", f"{P}/some/thing/", {}, {"a": 1}),
    ]
