"""Every method taking a LucidID refuses a malformed one locally, before any request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from lucidgreen import InvalidLucidID, NotFound, RetailClient, SourceClient
from lucidgreen.testing import FakeLucidGreen

GOOD = "UNDTMBovdue9tFWfhamnDM"
BAD_IDS = [
    "UNDTMBovdue9tFWfhamnD0",  # '0' is not in the base57 alphabet
    "UNDTMBovdue9tFWfham",  # 19 characters
    "UNDTMBovdue9tFWfhamnDMx",  # 23 characters
    "../../o/token",  # path traversal
    "",
]
WHEN = datetime(2025, 1, 1, tzinfo=UTC)

SourceCall = Callable[[SourceClient, str], Awaitable[Any]]
RetailCall = Callable[[RetailClient, str], Awaitable[Any]]

SOURCE_CALLS: dict[str, SourceCall] = {
    "products.get": lambda s, bad: s.products.get(bad),
    "batches.get": lambda s, bad: s.batches.get(bad),
    "brands.get": lambda s, bad: s.brands.get(bad),
    "items.get": lambda s, bad: s.items.get(bad),
    "digital_coas.get": lambda s, bad: s.digital_coas.get(bad),
    "assets.get": lambda s, bad: s.assets.get("texts", bad),
    "assets.delete": lambda s, bad: s.assets.delete(bad),
}


def import_case(retail: RetailClient, **ids: str) -> Awaitable[Any]:
    """caseids.import_case with good ids unless ``ids`` overrides one."""
    ids = {"case_uuid": GOOD, "packaged_product_uuid": GOOD, **ids}
    return retail.caseids.import_case(
        **ids, pos_product_id="P", pos_inventory_id="I", package_uid="U"
    )


RETAIL_CALLS: dict[str, RetailCall] = {
    "products.get": lambda r, bad: r.products.get(bad),
    "batches.get": lambda r, bad: r.batches.get(bad),
    "brands.get": lambda r, bad: r.brands.get(bad),
    "caseids.import_case(case_uuid)": lambda r, bad: import_case(r, case_uuid=bad),
    "caseids.import_case(packaged_product_uuid)": lambda r, bad: import_case(
        r, packaged_product_uuid=bad
    ),
    "caseids.remove_import(case_uuid)": lambda r, bad: r.caseids.remove_import(
        case_uuid=bad, package_uid="U"
    ),
    "caseids.remove_import(packaged_product_uuid)": lambda r, bad: r.caseids.remove_import(
        case_uuid=GOOD, package_uid="U", packaged_product_uuid=bad
    ),
    "transactions.complete": lambda r, bad: r.transactions.complete(
        order_id="O", items=[GOOD, bad], performed_at=WHEN
    ),
    "inventory.add_items(dispensary)": lambda r, bad: r.inventory.add_items(
        bad, case_uuid=GOOD, lucid_ids=[GOOD]
    ),
    "inventory.add_items(case_uuid)": lambda r, bad: r.inventory.add_items(
        GOOD, case_uuid=bad, lucid_ids=[GOOD]
    ),
    "inventory.add_items(lucid_ids)": lambda r, bad: r.inventory.add_items(
        GOOD, case_uuid=GOOD, lucid_ids=[GOOD, bad]
    ),
    "inventory.collection_of": lambda r, bad: r.inventory.collection_of(bad),
    "operations.digital_coa_detail": lambda r, bad: r.operations.digital_coa_detail(bad),
    "operations.item_details": lambda r, bad: r.operations.item_details(bad),
    "operations.inventory_collection_delete": lambda r, bad: (
        r.operations.inventory_collection_delete(bad, "INV")
    ),
    "operations.validate_lucid_ids": lambda r, bad: r.operations.validate_lucid_ids([bad]),
    "operations.regulator_uid_lookup": lambda r, bad: r.operations.regulator_uid_lookup(bad),
}


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("name", list(SOURCE_CALLS))
async def test_source_methods_refuse_bad_lucid_ids(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, name: str, bad: str
) -> None:
    """A malformed LucidID raises InvalidLucidID naming it; the fake records no request."""
    with pytest.raises(InvalidLucidID) as caught:
        await SOURCE_CALLS[name](source, bad)
    assert caught.value.value == bad
    assert isinstance(caught.value, ValueError)
    assert len(lucidgreen_fake.requests) == 0


@pytest.mark.parametrize("bad", BAD_IDS[:2])
@pytest.mark.parametrize("name", list(RETAIL_CALLS))
async def test_retail_methods_refuse_bad_lucid_ids(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, name: str, bad: str
) -> None:
    """A malformed LucidID in any argument raises InvalidLucidID; no request is made."""
    with pytest.raises(InvalidLucidID) as caught:
        await RETAIL_CALLS[name](retail, bad)
    assert caught.value.value == bad
    assert len(lucidgreen_fake.requests) == 0


async def test_twenty_character_lucid_ids_are_accepted(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A 20-character base57 LucidID passes local validation and reaches the server."""
    with pytest.raises(NotFound):
        await source.items.get(GOOD[:20])
    assert lucidgreen_fake.requests[-1].raw_path == f"/api/v1.5/items/{GOOD[:20]}/"
