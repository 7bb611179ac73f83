"""LucidRetail endpoints end to end on the loopback fake: bodies, models, documented 400s."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from lucidgreen import (
    BadRequest,
    InvalidPayload,
    NotFound,
    PermissionDenied,
    RetailClient,
)
from lucidgreen.retail.models import Batch, Brand, CaseImportResult, InventoryCollection, Product
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from lucidgreen.source.models import Case
from lucidgreen.testing import Collection, FakeLucidGreen
from tests.support import case_in_reach

R = "/api/v1.2"
WHEN = datetime(2025, 3, 4, 15, 30, 0, 123456, tzinfo=timezone(timedelta(hours=-8)))
NOT_IMPORTED = "This transaction contains non-imported lucid ids."
ALREADY_PROCESSED = "This transaction has already been processed."
MISSING_ITEMS = "items should be specified when transaction type is complete or return."
SCANNED_ELSEWHERE = "This case has already been scanned for another dispensary."


async def _import(retail: RetailClient, fake: FakeLucidGreen, **override: Any) -> Any:
    case, packaged = case_in_reach(fake)
    arguments: dict[str, Any] = {
        "case_uuid": case.uuid,
        "packaged_product_uuid": packaged,
        "pos_product_id": "POS-P-1",
        "pos_inventory_id": "POS-I-1",
        "package_uid": "1A4060300000000000000001",
    }
    return await retail.caseids.import_case(**{**arguments, **override})


@pytest.fixture
async def imported_case(retail: RetailClient, lucidgreen_fake: FakeLucidGreen) -> Collection:
    """The case :func:`_import` imports, once it is imported."""
    await _import(retail, lucidgreen_fake)
    return case_in_reach(lucidgreen_fake)[0]


def _posts(fake: FakeLucidGreen, path: str) -> list[Any]:
    return [r.json() for r in fake.requests.matching(f"{R}/{path}", method="POST")]


async def test_products_get_parses_us_dates_and_decimals(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """retail.products.get reads MM/DD/YYYY dates, -08:00 datetimes and decimal strings."""
    fake = lucidgreen_fake
    record = next(p for p in fake.state.products.values() if p.discontinued_on is None)
    product = await retail.products.get(record.uuid)
    assert isinstance(product, Product)
    assert product.brand_uuid == record.brand_uuid
    assert product.published_on == record.published_on
    assert product.available_on == record.available_on
    assert type(product.published_on) is date
    assert product.discontinued_on is None
    assert product.updated_on == record.updated_on
    assert product.updated_on is not None
    assert product.updated_on.utcoffset() == timedelta(hours=-8)
    assert product.servings == record.servings
    assert isinstance(product.servings, Decimal)
    assert product.shelf_life is not None
    assert (product.shelf_life.value, product.shelf_life.unit) == (
        Decimal(record.shelf_life_days),
        "days",
    )
    assert product.expected_total_thc is not None
    assert product.expected_total_thc.value == record.total_thc
    (request,) = fake.requests.matching(f"{R}/products/")
    assert (request.method, request.raw_path) == ("GET", f"{R}/products/{record.uuid}/")
    assert request.authorization is not None
    assert request.authorization.startswith("Bearer ")


async def test_batches_and_brands_get(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """retail.batches.get returns a Batch; retail.brands.get a typed Brand with its media."""
    fake = lucidgreen_fake
    record = next(b for b in fake.state.batches.values() if b.produced_on is not None)
    batch = await retail.batches.get(record.uuid)
    assert isinstance(batch, Batch)
    assert batch.produced_on == record.produced_on
    assert batch.updated_on == record.updated_on
    assert [lab.uuid for lab in batch.testing_laboratories] == record.lab_uuids
    brand = next(iter(fake.state.brands.values()))
    typed = await retail.brands.get(brand.uuid)
    assert isinstance(typed, Brand)
    assert (typed.uuid, typed.name, typed.address) == (brand.uuid, brand.name, brand.address)
    assert typed.updated_on == brand.updated_on
    assert typed.images is not None
    assert typed.images.thumbnail is not None
    assert [(r.method, r.raw_path) for r in fake.requests if r.raw_path.startswith(R)] == [
        ("GET", f"{R}/batches/{record.uuid}/"),
        ("GET", f"{R}/brands/{brand.uuid}/"),
    ]


async def test_import_case_posts_the_body_and_returns_the_result(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """caseids.import_case POSTs the documented fields and returns a CaseImportResult."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    result = await _import(retail, fake, sku="SKU-9")
    assert result == CaseImportResult(
        case_uuid=case.uuid,
        packaged_product_uuid=packaged,
        package_uid="1A4060300000000000000001",
    )
    assert _posts(fake, "caseids/import/") == [
        {
            "case_uuid": case.uuid,
            "packaged_product_uuid": packaged,
            "pos_product_id": "POS-P-1",
            "pos_inventory_id": "POS-I-1",
            "package_uid": "1A4060300000000000000001",
            "sku": "SKU-9",
        }
    ]
    assert fake.state.imports[0].case_uuid == case.uuid


async def test_import_case_documented_400_bodies(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, imported_case: Collection
) -> None:
    """Already imported and scanned elsewhere raise BadRequest with the server's detail."""
    fake = lucidgreen_fake
    case = imported_case
    with pytest.raises(BadRequest) as again:
        await _import(retail, fake)
    expected = (
        f"Items in CaseID {case.uuid} are already imported into inventory 1A4060300000000000000001."
    )
    assert (again.value.status, again.value.detail, again.value.message) == (
        400,
        expected,
        expected,
    )
    fake.state.cases_scanned_elsewhere.add(case.uuid)
    with pytest.raises(BadRequest) as elsewhere:
        await _import(retail, fake, case_uuid=case.uuid, package_uid="PKG-2")
    assert elsewhere.value.detail == SCANNED_ELSEWHERE
    assert elsewhere.value.data == {"detail": SCANNED_ELSEWHERE}
    assert len(fake.state.imports) == 1


async def test_import_case_field_errors_land_in_data(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """DRF field errors (blank fields) raise BadRequest with the field dict in .data."""
    with pytest.raises(BadRequest) as caught:
        await _import(retail, lucidgreen_fake, pos_product_id="", pos_inventory_id=" ")
    error = caught.value
    assert not isinstance(error, InvalidPayload)
    assert error.data == {
        "pos_product_id": ["This field may not be blank."],
        "pos_inventory_id": ["This field may not be blank."],
    }
    assert "pos_product_id: This field may not be blank." in error.message


async def test_remove_import_succeeds_then_400_detail(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, imported_case: Collection
) -> None:
    """caseids.remove_import undoes an import (None); a second removal is a 400 detail."""
    fake = lucidgreen_fake
    case, packaged = imported_case, case_in_reach(fake)[1]
    assert (
        await retail.caseids.remove_import(  # type: ignore[func-returns-value]
            case_uuid=case.uuid,
            package_uid="1A4060300000000000000001",
            packaged_product_uuid=packaged,
        )
        is None
    )
    assert fake.state.imports == []
    with pytest.raises(BadRequest) as caught:
        await retail.caseids.remove_import(
            case_uuid=case.uuid, package_uid="1A4060300000000000000001"
        )
    assert caught.value.detail == (
        "POS Package UID not found for package_uid=1A4060300000000000000001."
    )
    assert _posts(fake, "caseids/import/remove/") == [
        {
            "case_uuid": case.uuid,
            "package_uid": "1A4060300000000000000001",
            "packaged_product_uuid": packaged,
        },
        {"case_uuid": case.uuid, "package_uid": "1A4060300000000000000001"},
    ]


async def test_complete_sends_iso_datetime_and_records_the_sale(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, imported_case: Collection
) -> None:
    """transactions.complete POSTs an ISO-8601 performed_at and returns a TransactionResult."""
    fake = lucidgreen_fake
    case = imported_case
    sold = fake.state.imports[0].lucid_ids[:2]
    result = await retail.transactions.complete(
        order_id="ORD-1", items=sold, performed_at=WHEN, customer_id="C-7", budtender_id="B-2"
    )
    assert isinstance(result, TransactionResult)
    assert (result.order_id, result.replayed) == ("ORD-1", False)
    assert result.data["status"] == "success"
    assert _posts(fake, "transactions/complete/") == [
        {
            "performed_at": "2025-03-04T15:30:00.123456-08:00",
            "items": sold,
            "order_id": "ORD-1",
            "customer_id": "C-7",
            "budtender_id": "B-2",
        }
    ]
    assert fake.state.transactions["ORD-1"].items == sold
    assert case.uuid == fake.state.imports[0].case_uuid


async def test_complete_maps_every_documented_400_body(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, imported_case: Collection
) -> None:
    """The five documented 400 bodies of transactions/complete each raise BadRequest."""
    fake = lucidgreen_fake
    imported = fake.state.imports[0].lucid_ids[0]
    not_imported = next(lid for lid in fake.state.items if not fake.state.in_inventory(lid))
    unknown = "UNDTMBovdue9tFWfhamnDM"
    twenty = "UNDTMBovdue9tFWfhamn"  # a 20-character LucidID the server calls malformed

    async def refused(items: list[str], order_id: str = "ORD-X") -> BadRequest:
        with pytest.raises(BadRequest) as caught:
            await retail.transactions.complete(order_id=order_id, items=items, performed_at=WHEN)
        assert caught.value.status == 400
        return caught.value

    malformed = await refused([twenty])
    assert malformed.data == {"items": {"Invalid LucidIDs": [twenty]}}
    assert twenty in malformed.message

    unknown_error = await refused([imported, unknown])
    assert unknown_error.data == {
        "items": {"invalid": [], "unknown": [unknown], "valid": [imported]}
    }

    missing = await refused([imported, not_imported])
    assert missing.message == NOT_IMPORTED
    assert missing.data["non_imported_lucidids"] == [not_imported]
    assert missing.data["valid_transaction"] is False

    empty = await refused([])
    assert empty.data == [MISSING_ITEMS]
    assert empty.message == MISSING_ITEMS

    await retail.transactions.complete(order_id="ORD-1", items=[imported], performed_at=WHEN)
    duplicate = await refused([imported], order_id="ORD-1")
    assert (duplicate.message, duplicate.data) == (
        ALREADY_PROCESSED,
        {"message": ALREADY_PROCESSED},
    )
    assert not duplicate.prior_outcome_unknown
    assert list(fake.state.transactions) == ["ORD-1"]


async def test_complete_invalid_lucid_ids_of_a_foreign_case(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """LucidIDs of a case scanned by another dispensary come back under "invalid"."""
    fake = lucidgreen_fake
    foreign = fake.state.collections[next(iter(fake.state.cases_scanned_elsewhere))]
    lucid_id = foreign.current_ids()[0]
    with pytest.raises(BadRequest) as caught:
        await retail.transactions.complete(order_id="O", items=[lucid_id], performed_at=WHEN)
    assert caught.value.data == {"items": {"invalid": [lucid_id], "unknown": [], "valid": []}}


async def test_complete_replayed_after_a_lost_answer_reports_success(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, imported_case: Collection
) -> None:
    """A sale applied but unanswered is resent; the duplicate refusal means replayed=True."""
    fake = lucidgreen_fake
    lucid_id = fake.state.imports[0].lucid_ids[0]
    fake.faults.script(f"{R}/transactions/complete/", ["drop_after_apply"])
    with without_sleeping():
        result = await retail.transactions.complete(
            order_id="ORD-9", items=[lucid_id], performed_at=WHEN
        )
    assert (result.order_id, result.replayed) == ("ORD-9", True)
    assert len(_posts(fake, "transactions/complete/")) == 2
    assert list(fake.state.transactions) == ["ORD-9"]


async def test_complete_refuses_bad_arguments_locally(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """An empty order_id or a non-datetime performed_at is refused before any request."""
    with pytest.raises(ValueError, match="order_id"):
        await retail.transactions.complete(order_id="", items=[], performed_at=WHEN)
    with pytest.raises(TypeError, match="performed_at"):
        await retail.transactions.complete(
            order_id="O",
            items=[],
            performed_at="2025-03-04T15:30:00Z",  # type: ignore[arg-type]
        )
    assert len(lucidgreen_fake.requests) == 0


async def test_void_marks_the_sale_and_maps_its_400s(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, imported_case: Collection
) -> None:
    """transactions.void POSTs the void; unknown or repeated voids raise BadRequest."""
    fake = lucidgreen_fake
    lucid_id = fake.state.imports[0].lucid_ids[0]
    await retail.transactions.complete(order_id="ORD-1", items=[lucid_id], performed_at=WHEN)
    later = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
    result = await retail.transactions.void(order_id="ORD-1", performed_at=later)
    assert (result.order_id, result.replayed) == ("ORD-1", False)
    assert fake.state.transactions["ORD-1"].voided_at == "2025-03-05T09:00:00+00:00"
    assert _posts(fake, "transactions/void/") == [
        {"performed_at": "2025-03-05T09:00:00+00:00", "order_id": "ORD-1"}
    ]
    with pytest.raises(BadRequest) as twice:
        await retail.transactions.void(order_id="ORD-1", performed_at=later)
    assert twice.value.message == ALREADY_PROCESSED
    with pytest.raises(BadRequest) as unknown:
        await retail.transactions.void(order_id="ORD-404", performed_at=later)
    assert unknown.value.detail == "Transaction with order_id=ORD-404 not found."


async def test_add_items_creates_then_extends_a_collection(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """inventory.add_items POSTs the body and returns the collection's identifier."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    same = [
        lid for lid in case.current_ids() if fake.state.items[lid].packaged_product_uuid == packaged
    ]
    created = await retail.inventory.add_items(
        fake.dispensary_uuid, case_uuid=case.uuid, lucid_ids=same[:1], hostname="pos-1"
    )
    assert isinstance(created, InventoryCollection)
    identifier = created.inventory_collection_identifier
    assert fake.state.inventory_collections[identifier].lucid_ids == same[:1]
    extended = await retail.inventory.add_items(
        fake.dispensary_uuid,
        case_uuid=case.uuid,
        lucid_ids=same,
        inventory_collection_identifier=identifier,
    )
    assert extended.inventory_collection_identifier == identifier
    assert fake.state.inventory_collections[identifier].lucid_ids == same
    requests = fake.requests.matching(f"{R}/collections/inventory-pos/", method="POST")
    assert {r.raw_path for r in requests} == {
        f"{R}/collections/inventory-pos/{fake.dispensary_uuid}/add-items/"
    }
    assert [r.json() for r in requests] == [
        {"case_uuid": case.uuid, "lucid_ids": same[:1], "hostname": "pos-1"},
        {"case_uuid": case.uuid, "lucid_ids": same, "inventory_collection_identifier": identifier},
    ]


async def test_add_items_invalid_payload_and_refusals(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Unknown LucidIDs raise InvalidPayload with its reason; other refusals BadRequest/403."""
    fake = lucidgreen_fake
    case, _ = case_in_reach(fake)
    stocked = dict(fake.state.inventory_collections)  # the fake's out-of-the-box stock
    with pytest.raises(InvalidPayload) as invalid:
        await retail.inventory.add_items(
            fake.dispensary_uuid, case_uuid=case.uuid, lucid_ids=["UNDTMBovdue9tFWfhamnDM"]
        )
    assert invalid.value.status == 400
    assert invalid.value.reason == {"items": ["Unknown LucidID(s)."]}
    assert "Unknown LucidID(s)." in invalid.value.message

    stranger = next(lid for lid in fake.state.items if lid not in case.current_ids())
    with pytest.raises(BadRequest) as outside:
        await retail.inventory.add_items(
            fake.dispensary_uuid, case_uuid=case.uuid, lucid_ids=[stranger]
        )
    assert outside.value.detail == f"Some LucidIDs are not in CaseID {case.uuid}."

    other_dispensary = next(iter(fake.state.brands))  # a well-formed uuid of no dispensary
    with pytest.raises(PermissionDenied):
        await retail.inventory.add_items(
            other_dispensary, case_uuid=case.uuid, lucid_ids=case.current_ids()[:1]
        )
    assert fake.state.inventory_collections == stocked


async def test_collection_of_is_public_and_spends_no_product_budget(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, limiter: Any
) -> None:
    """inventory.collection_of sends no Authorization and leaves the API key's budget alone."""
    fake = lucidgreen_fake
    case, _ = case_in_reach(fake)
    lucid_id = case.current_ids()[0]
    created = await retail.inventory.add_items(
        fake.dispensary_uuid, case_uuid=case.uuid, lucid_ids=[lucid_id]
    )
    spent = limiter.acquired
    found = await retail.inventory.collection_of(lucid_id)
    assert found == created
    (lookup,) = fake.requests.matching(f"{R}/collections/inventory-pos/lucid-id/")
    assert lookup.raw_path == f"{R}/collections/inventory-pos/lucid-id/{lucid_id}/"
    assert lookup.authorization is None
    assert limiter.acquired == spent
    other = next(lid for lid in fake.state.items if lid != lucid_id)
    with pytest.raises(NotFound):
        await retail.inventory.collection_of(other)


async def test_collection_cases_full_details_on_the_fake_is_a_typed_case(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """collection_cases_full_details returns a Case whose lucid_ids are the case's items."""
    fake = lucidgreen_fake
    case = next(c for c in fake.state.cases.values() if " " in c.identifier)
    document = await retail.operations.collection_cases_full_details(case.identifier)
    assert isinstance(document, Case)
    assert (document.uuid, document.identifier) == (case.uuid, case.identifier)
    assert list(document.lucid_ids) == case.current_ids()
    raw = case.identifier.replace(" ", "%20").replace("/", "%2F")
    assert fake.requests[-1].raw_path == f"{R}/collections/case/{raw}/"
