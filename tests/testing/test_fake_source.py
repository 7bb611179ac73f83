"""LucidSource routes of the fake: pagination, bodies, quirks and assets."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from lucidgreen.testing import FakeLucidGreen

SHORTUUID = re.compile(r"[23456789A-HJ-NP-Za-km-z]{22}")


def _auth(fake: FakeLucidGreen) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.issue_token('source')}"}


async def _walk(session, fake, url):
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    count: int | None = None
    while url:
        async with session.get(url, headers=_auth(fake)) as resp:
            assert resp.status == 200
            page = await resp.json()
        pages.append(page)
        count = page["count"] if count is None else count
        seen.extend(row["uuid"] for row in page["results"])
        url = page["next"]
    return seen, pages, count


@pytest.mark.lucidgreen_fake(products=23, page_size=10)
async def test_walking_next_links_yields_every_product_once(lucidgreen_fake, session):
    """Following absolute next links from page 1 yields count products, each exactly once."""
    fake = lucidgreen_fake
    seen, pages, count = await _walk(session, fake, fake.url + "/api/v1.5/products/")
    assert count == 23
    assert len(seen) == len(set(seen)) == 23
    assert seen == list(fake.state.products)
    assert [len(p["results"]) for p in pages] == [10, 10, 3]
    assert pages[0]["previous"] is None
    assert pages[0]["next"] == fake.url + "/api/v1.5/products/?page=2"
    # DRF drops ?page for the link back to page 1.
    assert pages[1]["previous"] == fake.url + "/api/v1.5/products/"
    assert pages[2]["previous"] == fake.url + "/api/v1.5/products/?page=2"
    assert all(SHORTUUID.fullmatch(u) for u in seen)


async def test_batches_and_assets_lists_use_the_envelope(lucidgreen_fake, session):
    """Batches and every asset type paginate with the DRF envelope."""
    fake = lucidgreen_fake
    seen, _, count = await _walk(session, fake, fake.url + "/api/v1.5/batches/")
    assert count == len(seen) == len(fake.state.batches)
    for asset_type in ("texts", "images", "videos", "files"):
        seen, _, count = await _walk(session, fake, f"{fake.url}/api/v1.5/assets/{asset_type}/")
        assert count == len(seen) == 3


async def test_out_of_range_and_bad_pages_are_404_invalid_page(lucidgreen_fake, session):
    """page=0, past the end, or not a number: 404 {"detail": "Invalid page."}; last works."""
    fake = lucidgreen_fake
    for page in ("0", "4", "x"):
        url = f"{fake.url}/api/v1.5/products/?page={page}"
        async with session.get(url, headers=_auth(fake)) as resp:
            assert (resp.status, await resp.json()) == (404, {"detail": "Invalid page."})
    async with session.get(fake.url + "/api/v1.5/products/?page=last", headers=_auth(fake)) as r:
        assert (await r.json())["next"] is None


async def test_next_host_and_count_drift_knobs(lucidgreen_fake, session):
    """next_host rewrites link origins; count_drift changes count after the first page."""
    fake = lucidgreen_fake
    fake.faults.next_host = fake.cdn_url
    fake.faults.count_drift = 5
    async with session.get(fake.url + "/api/v1.5/products/", headers=_auth(fake)) as resp:
        first = await resp.json()
    assert first["count"] == 30
    assert urlsplit(first["next"]).netloc == urlsplit(fake.cdn_url).netloc
    second_url = fake.url + "/api/v1.5/products/?page=2"
    async with session.get(second_url, headers=_auth(fake)) as resp:
        assert (await resp.json())["count"] == 35


async def test_brands_list_is_a_bare_array(lucidgreen_fake, session):
    """GET /brands/ returns a JSON array of {uuid, name, state}, not an envelope."""
    fake = lucidgreen_fake
    async with session.get(fake.url + "/api/v1.5/brands/", headers=_auth(fake)) as resp:
        body = await resp.json()
    assert isinstance(body, list)
    assert [b["uuid"] for b in body] == list(fake.state.brands)
    assert set(body[0]) == {"uuid", "name", "state"}


async def test_unknown_uuid_wrong_method_and_unknown_path(lucidgreen_fake, session):
    """404 Not found., 405 with the DRF detail and Allow, Django's HTML 404 for bad paths."""
    fake = lucidgreen_fake
    missing = "2" * 22
    async with session.get(f"{fake.url}/api/v1.5/products/{missing}/", headers=_auth(fake)) as r:
        assert (r.status, await r.json()) == (404, {"detail": "Not found."})
    async with session.put(fake.url + "/api/v1.5/products/", headers=_auth(fake)) as r:
        assert (r.status, await r.json()) == (405, {"detail": 'Method "PUT" not allowed.'})
        assert r.headers["Allow"] == "GET, OPTIONS"
    async with session.get(fake.url + "/api/v1.5/nothing/", headers=_auth(fake)) as r:
        assert r.status == 404
        assert r.content_type == "text/html"
    async with session.get(
        fake.url + "/api/v1.5/brands", headers=_auth(fake), allow_redirects=False
    ) as r:
        assert (r.status, r.headers["Location"]) == (301, "/api/v1.5/brands/")


async def test_forbidden_uuids_answer_403(lucidgreen_fake, session):
    """A uuid listed in state.forbidden answers 403 with DRF's permission detail."""
    fake = lucidgreen_fake
    brand = next(iter(fake.state.brands))
    fake.state.forbidden.add(brand)
    async with session.get(f"{fake.url}/api/v1.5/brands/{brand}/", headers=_auth(fake)) as r:
        assert r.status == 403
        assert (await r.json())["detail"].startswith("You do not have permission")


async def test_detail_views_carry_the_documented_quirks(lucidgreen_fake, session):
    """Nested brand, size_bytes "" on brand_video, date-only published_on, "" produced_on."""
    fake = lucidgreen_fake
    product = next(iter(fake.state.products.values()))
    async with session.get(
        f"{fake.url}/api/v1.5/products/{product.uuid}/", headers=_auth(fake)
    ) as r:
        body = await r.json()
    assert body["brand"]["uuid"] == product.brand_uuid
    assert body["brand"]["brand_video"]["size_bytes"] == ""
    assert isinstance(body["brand"]["images"]["primary"]["size_bytes"], float)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["published_on"])
    assert re.fullmatch(r"\d+\.\d{4}", body["package_size"]["value"])
    batch = next(b for b in fake.state.batches.values() if b.produced_on is None)
    async with session.get(f"{fake.url}/api/v1.5/batches/{batch.uuid}/", headers=_auth(fake)) as r:
        detail = await r.json()
    assert detail["produced_on"] == ""
    assert detail["regulatory_id"] == ", ".join(batch.regulatory_ids)
    assert detail["packaged_products"][0]["product"]["total_thc"]["value"]
    coa = next(iter(fake.state.digital_coas))
    async with session.get(f"{fake.url}/api/v1.5/digital_coas/{coa}/", headers=_auth(fake)) as r:
        totals = (await r.json())["totals"]
    assert all(
        t["value"] is None or re.fullmatch(r"\d+\.\d{4}", t["value"]) for t in totals.values()
    )


async def test_collections_by_encoded_identifier_items_and_cases(lucidgreen_fake, session):
    """An identifier with "/" and spaces resolves when URL-encoded; items and cases link up."""
    fake = lucidgreen_fake
    collection = next(c for c in fake.state.collections.values() if "/" in c.identifier)
    url = f"{fake.url}/api/v1.5/collections/{quote(collection.identifier, safe='')}/"
    async with session.get(url, headers=_auth(fake)) as r:
        assert (await r.json())["uuid"] == collection.uuid
    case = next(iter(fake.state.cases.values()))
    async with session.get(
        f"{fake.url}/api/v1.5/collections/case/{case.uuid}/", headers=_auth(fake)
    ) as r:
        doc = await r.json()
    assert [i["lucid_id"] for i in doc["items"]] == case.current_ids()
    assert doc["regulator_ids"]
    assert all(i["regulator_id_uuids"] for i in doc["items"])
    lucid_id = case.current_ids()[0]
    async with session.get(f"{fake.url}/api/v1.5/items/{lucid_id}/", headers=_auth(fake)) as r:
        item = await r.json()
    assert case.uuid in {c["uuid"] for c in item["collections"]}
    assert item["product_uuid"] in fake.state.products


async def test_asset_create_validates_and_delete_removes(lucidgreen_fake, session):
    """Asset create needs name and content and a valid text usage; text delete is 204."""
    fake = lucidgreen_fake
    url = fake.url + "/api/v1.5/assets/texts/create/"
    async with session.post(url, json={}, headers=_auth(fake)) as r:
        assert r.status == 400
        assert await r.json() == {
            "name": ["This field is required."],
            "content": ["This field is required."],
        }
    async with session.post(
        url, json={"name": "a", "content": "b", "usage": "x"}, headers=_auth(fake)
    ) as r:
        assert (await r.json()) == {"usage": ['"x" is not a valid choice.']}
    payload = {"name": "About", "content": "Grown well.", "usage": "about_ingredients"}
    async with session.post(url, json=payload, headers=_auth(fake)) as r:
        assert r.status == 201
        created = await r.json()
    assert created["usage"] == "about_ingredients"
    assert created["uuid"] in fake.state.assets["texts"]
    delete = f"{fake.url}/api/v1.5/assets/text/{created['uuid']}/delete/"
    async with session.delete(delete, headers=_auth(fake)) as r:
        assert (r.status, await r.read()) == (204, b"")
    assert created["uuid"] not in fake.state.assets["texts"]
    image = {"name": "logo", "content": base64.b64encode(b"PNGDATA").decode()}
    async with session.post(
        fake.url + "/api/v1.5/assets/images/create/", json=image, headers=_auth(fake)
    ) as r:
        content_url = (await r.json())["content"]
    async with session.get(content_url) as r:
        assert await r.read() == b"PNGDATA"


async def test_data_is_deterministic_in_the_seed():
    """The same seed gives the same ids; another seed gives others."""
    one, two, other = (FakeLucidGreen(seed=s, products=5) for s in (7, 7, 8))
    assert list(one.state.products) == list(two.state.products)
    assert one.source_credentials == two.source_credentials
    assert list(one.state.products) != list(other.state.products)
