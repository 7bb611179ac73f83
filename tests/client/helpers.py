"""Helpers shared by the client tests: ids from the fake, lifted limiters, window counting."""

from __future__ import annotations

from lucidgreen import TokenBucket
from lucidgreen.testing import FakeLucidGreen, RecordedRequest

#: A syntactically valid LucidID (22 shortuuid characters) for tests without a fake.
SOME_UUID = "7M87b4sPkYt5qG8bZhoDtK"
OTHER_UUID = "dhvJzSCKexZs62xsp6hRkf"


def lifted_limiter() -> TokenBucket:
    """A bucket so generous it never makes a test wait (the fake's limits are off too)."""
    return TokenBucket(limit=10**6, per=60)


def product_uuids(fake: FakeLucidGreen, count: int = 1) -> list[str]:
    """The uuids of the first ``count`` products the fake serves."""
    return list(fake.state.products)[:count]


def api_requests(fake: FakeLucidGreen) -> list[RecordedRequest]:
    """Recorded requests to the APIs (``/api/...``), token requests left out."""
    return fake.requests.matching("/api/", site="api")


def token_requests(fake: FakeLucidGreen) -> list[RecordedRequest]:
    return fake.requests.matching("/o/token/", method="POST")


def importable_case(fake: FakeLucidGreen) -> dict[str, str]:
    """Arguments for ``retail.caseids.import_case`` that the fake accepts (a fresh import)."""
    for case in fake.state.cases.values():
        if case.uuid in fake.state.cases_scanned_elsewhere:
            continue
        for lucid_id in case.current_ids():
            item = fake.state.items.get(lucid_id)
            if item is not None and item.packaged_product_uuid:
                return {
                    "case_uuid": case.uuid,
                    "packaged_product_uuid": item.packaged_product_uuid,
                    "pos_product_id": "pos-product-1",
                    "pos_inventory_id": "pos-inventory-1",
                    "package_uid": "1A4FF0300000029000012345",
                }
    raise LookupError("the fake has no importable case")
