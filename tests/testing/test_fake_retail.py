"""LucidRetail routes of the fake: views, imports, transactions, inventory and the export."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lucidgreen.testing import FakeLucidGreen
from tests.support import case_in_reach

R = "/api/v1.2"


def _auth(fake: FakeLucidGreen) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.issue_token('retail')}"}


async def _import(session, fake, case, packaged, package_uid="PKG-001"):
    payload = {
        "case_uuid": case.uuid,
        "packaged_product_uuid": packaged,
        "pos_product_id": "P1",
        "pos_inventory_id": "I1",
        "package_uid": package_uid,
    }
    async with session.post(
        f"{fake.url}{R}/caseids/import/", json=payload, headers=_auth(fake)
    ) as r:
        return r.status, await r.json()


async def test_retail_product_view_shares_uuids_with_source(lucidgreen_fake, session):
    """The Retail product view has brand_uuid, MM/DD/YYYY dates and decimal strings."""
    fake = lucidgreen_fake
    product = next(iter(fake.state.products.values()))
    async with session.get(f"{fake.url}{R}/products/{product.uuid}/", headers=_auth(fake)) as r:
        body = await r.json()
    assert body["brand_uuid"] == product.brand_uuid
    assert "brand" not in body
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", body["published_on"])
    assert body["expected_total_thc"]["value"] == str(product.total_thc)
    assert re.fullmatch(r"\d+\.\d{7}", body["servings"])
    for path in (f"batches/{next(iter(fake.state.batches))}/", f"brands/{product.brand_uuid}/"):
        async with session.get(f"{fake.url}{R}/{path}", headers=_auth(fake)) as r:
            assert r.status == 200
    case = next(iter(fake.state.cases))
    async with session.get(f"{fake.url}{R}/collections/case/{case}/", headers=_auth(fake)) as r:
        assert (await r.json())["uuid"] == case


async def test_caseid_import_and_its_400_shapes(lucidgreen_fake, session):
    """Import succeeds once; again, elsewhere-scanned or incomplete payloads get the 400s."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    assert await _import(session, fake, case, packaged) == (
        200,
        {"case_uuid": case.uuid, "packaged_product_uuid": packaged, "package_uid": "PKG-001"},
    )
    assert fake.state.imports[0].lucid_ids
    status, body = await _import(session, fake, case, packaged)
    assert (status, body) == (
        400,
        {"detail": f"Items in CaseID {case.uuid} are already imported into inventory PKG-001."},
    )
    elsewhere = fake.state.collections[next(iter(fake.state.cases_scanned_elsewhere))]
    status, body = await _import(session, fake, elsewhere, packaged)
    assert body == {"detail": "This case has already been scanned for another dispensary."}
    url = f"{fake.url}{R}/caseids/import/"
    async with session.post(
        url, json={"packaged_product_uuid": packaged}, headers=_auth(fake)
    ) as r:
        body = await r.json()
    assert body["case_uuid"] == ["This field is required."]
    assert body["pos_product_id"] == ["This field is required."]


async def test_caseid_import_remove(lucidgreen_fake, session):
    """Remove undoes an import; an unknown package_uid is the documented 400."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    await _import(session, fake, case, packaged)
    url = f"{fake.url}{R}/caseids/import/remove/"
    bad = {"case_uuid": case.uuid, "package_uid": "PKG-404"}
    async with session.post(url, json=bad, headers=_auth(fake)) as r:
        assert (r.status, await r.json()) == (
            400,
            {"detail": "POS Package UID not found for package_uid=PKG-404."},
        )
    good = {"case_uuid": case.uuid, "package_uid": "PKG-001"}
    async with session.post(url, json=good, headers=_auth(fake)) as r:
        assert r.status == 200
        assert (await r.json())["status"] == "success"
    assert fake.state.imports == []


async def test_complete_transaction_bodies_and_dedupe(lucidgreen_fake, session):
    """All five documented 400 bodies, and a resent order_id is refused, applied once."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    lucid_ids = [
        i for i in case.current_ids() if fake.state.items[i].packaged_product_uuid == packaged
    ]
    url = f"{fake.url}{R}/transactions/complete/"
    base = {"performed_at": "2025-06-01T10:00:00Z", "order_id": "O-1"}

    async def post(payload):
        async with session.post(url, json=payload, headers=_auth(fake)) as r:
            return r.status, await r.json()

    assert await post(base) == (
        400,
        ["items should be specified when transaction type is complete or return."],
    )
    assert await post({**base, "items": ["bad"]}) == (
        400,
        {"items": {"Invalid LucidIDs": ["bad"]}},
    )
    unknown = "2" * 22
    assert await post({**base, "items": [unknown, lucid_ids[0]]}) == (
        400,
        {"items": {"invalid": [], "unknown": [unknown], "valid": [lucid_ids[0]]}},
    )
    assert await post({**base, "items": lucid_ids[:1]}) == (
        400,
        {
            "message": "This transaction contains non-imported lucid ids.",
            "non_imported_lucidids": lucid_ids[:1],
            "valid_transaction": False,
        },
    )
    await _import(session, fake, case, packaged)
    status, body = await post({**base, "items": lucid_ids[:1]})
    assert (status, body["status"]) == (200, "success")
    assert await post({**base, "items": lucid_ids[:1]}) == (
        400,
        {"message": "This transaction has already been processed."},
    )
    assert list(fake.state.transactions) == ["O-1"]
    void = f"{fake.url}{R}/transactions/void/"
    payload = {"performed_at": "2025-06-01T11:00:00Z", "order_id": "O-1"}
    async with session.post(void, json=payload, headers=_auth(fake)) as r:
        assert r.status == 200
    assert fake.state.transactions["O-1"].voided_at == "2025-06-01T11:00:00Z"


async def test_inventory_add_items_and_public_lookup(lucidgreen_fake, session):
    """add-items creates an inventory collection; the public lookup finds it without a token."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    ids = [i for i in case.current_ids() if fake.state.items[i].packaged_product_uuid == packaged]
    url = f"{fake.url}{R}/collections/inventory-pos/{fake.dispensary_uuid}/add-items/"
    payload = {"case_uuid": case.uuid, "lucid_ids": ids, "inventory_collection_identifier": "INV 1"}
    async with session.post(url, json=payload, headers=_auth(fake)) as r:
        assert (r.status, await r.json()) == (200, {"inventory_collection_identifier": "INV 1"})
    lookup = f"{fake.url}{R}/collections/inventory-pos/lucid-id/{ids[0]}/"
    async with session.get(lookup) as r:
        assert await r.json() == {"inventory_collection_identifier": "INV 1"}
    unknown = {"case_uuid": case.uuid, "lucid_ids": ["2" * 22]}
    async with session.post(url, json=unknown, headers=_auth(fake)) as r:
        assert (r.status, await r.json()) == (
            400,
            {"status": "invalid payload", "reason": {"items": ["Unknown LucidID(s)."]}},
        )
    other = url.replace(fake.dispensary_uuid, "3" * 22)
    async with session.post(other, json=payload, headers=_auth(fake)) as r:
        assert r.status == 403


async def test_legacy_403_invalid_payload_knob(lucidgreen_fake, session):
    """A path in legacy_403_paths answers validation errors as 403 invalid payload."""
    fake = lucidgreen_fake
    fake.faults.legacy_403_paths.add(f"{R}/caseids/")
    url = f"{fake.url}{R}/caseids/import/remove/"
    async with session.post(url, json={"case_uuid": "x"}, headers=_auth(fake)) as r:
        assert (r.status, await r.json()) == (
            403,
            {"status": "invalid payload", "reason": {"package_uid": ["This field is required."]}},
        )


@pytest.mark.lucidgreen_fake(export_packages=3)
async def test_export_is_202_n_times_then_200_and_the_cdn_serves_it(lucidgreen_fake, session):
    """Two 202 polls, then an export_url on another origin that refuses Authorization."""
    fake = lucidgreen_fake
    case, packaged = case_in_reach(fake)
    await _import(session, fake, case, packaged, package_uid="1A4000000000000000000001")
    fake.export.pending_polls = 2
    url = f"{fake.url}{R}/package-uids-export/"
    statuses = []
    for _ in range(3):
        async with session.get(url, headers=_auth(fake)) as r:
            statuses.append(r.status)
            body = await r.json()
    assert statuses == [202, 202, 200]
    export_url = body["export_url"]
    assert export_url.startswith(fake.cdn_url + "/exports/")
    async with session.get(export_url, headers=_auth(fake)) as r:
        assert r.status == 403
        assert "<Code>AccessDenied</Code>" in await r.text()
    async with session.get(export_url) as r:
        assert r.status == 200
        data = await r.json()
    assert data == fake.export_file()
    assert data["1A4000000000000000000001"] == {case.uuid: fake.state.imports[0].lucid_ids}
    assert len(data) == 4
    async with session.get(export_url.replace("X-Amz-Signature=", "X-Amz-Signature=0")) as r:
        assert r.status == 403


async def test_export_error_statuses(lucidgreen_fake, session):
    """400 future/malformed date, 404 too old, 422 failed, 428 unlinked; {"error": ...}."""
    fake = lucidgreen_fake
    today = date(2025, 6, 1)
    fake.export.today = today
    url = f"{fake.url}{R}/package-uids-export/"

    async def status(query="", **knobs):
        for key, value in knobs.items():
            setattr(fake.export, key, value)
        async with session.get(url + query, headers=_auth(fake)) as r:
            body = await r.json()
            assert set(body) == {"error"}
            return r.status

    assert await status(f"?export_date={today + timedelta(days=1)}") == 400
    assert await status("?export_date=20250101") == 400
    assert await status("?export_date=2020-01-01") == 404
    assert await status(failed=True) == 422
    assert await status(failed=False, enabled=False) == 428


async def test_export_url_expires(clock, session):
    """A presigned URL stops working after export.url_ttl on the fake's clock."""
    async with FakeLucidGreen(products=5, clock=clock) as fake:
        fake.export.url_ttl = 10
        async with session.get(f"{fake.url}{R}/package-uids-export/", headers=_auth(fake)) as r:
            export_url = (await r.json())["export_url"]
        clock.advance(11)
        async with session.get(export_url) as r:
            assert r.status == 403
            assert "Request has expired" in await r.text()
