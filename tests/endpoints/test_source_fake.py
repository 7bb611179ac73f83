"""LucidSource endpoints end to end on the loopback fake: paths, verbs, bodies, typed models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from lucidgreen import NotFound, SourceClient
from lucidgreen.source.models import (
    Asset,
    Batch,
    BatchSummary,
    Brand,
    BrandSummary,
    Case,
    Collection,
    DigitalCOA,
    Item,
    Product,
    ProductSummary,
    TextAssetUsage,
)
from lucidgreen.testing import ASSET_TYPES, FakeLucidGreen

S = "/api/v1.5"


def _calls(fake: FakeLucidGreen) -> list[tuple[str, str, dict[str, str]]]:
    """(method, raw path, query) of every API request except the token request, in order."""
    return [
        (r.method, r.raw_path, r.query)
        for r in fake.requests
        if r.site == "api" and not r.raw_path.startswith("/o/")
    ]


async def test_products_list_walks_every_page(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """products.list yields every product as a ProductSummary by following ?page=N."""
    fake = lucidgreen_fake
    products = [p async for p in source.products.list()]
    assert [p.uuid for p in products] == list(fake.state.products)
    assert all(isinstance(p, ProductSummary) for p in products)
    first = fake.state.products[products[0].uuid]
    assert (products[0].name, products[0].sku, products[0].brand_uuid) == (
        first.name,
        first.sku,
        first.brand_uuid,
    )
    assert products[0].is_published is first.is_published
    assert _calls(fake) == [
        ("GET", f"{S}/products/", {}),
        ("GET", f"{S}/products/", {"page": "2"}),
        ("GET", f"{S}/products/", {"page": "3"}),
    ]


async def test_products_get_parses_nested_brand_dates_and_decimals(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """products.get returns a Product with a nested Brand, dates, datetimes and Decimals."""
    fake = lucidgreen_fake
    record = next(iter(fake.state.products.values()))
    product = await source.products.get(record.uuid)
    assert isinstance(product, Product)
    assert product.uuid == record.uuid
    assert isinstance(product.brand, Brand)
    assert product.brand.uuid == record.brand_uuid
    assert product.published_on == record.published_on
    assert type(product.published_on) is date
    assert product.updated_on == record.updated_on
    assert product.updated_on is not None
    assert product.updated_on.tzinfo is not None
    assert product.servings == record.servings
    assert isinstance(product.servings, Decimal)
    assert product.package_size is not None
    assert product.package_size.value == record.package_size
    assert product.package_size.unit == record.package_unit
    assert product.total_thc is not None
    assert product.total_thc.value == record.total_thc
    assert _calls(fake) == [("GET", f"{S}/products/{record.uuid}/", {})]


async def test_batches_list_and_get(source: SourceClient, lucidgreen_fake: FakeLucidGreen) -> None:
    """batches.list yields BatchSummary rows; batches.get a Batch with labs and products."""
    fake = lucidgreen_fake
    batches = [b async for b in source.batches.list()]
    assert [b.uuid for b in batches] == list(fake.state.batches)
    assert all(isinstance(b, BatchSummary) for b in batches)
    record = fake.state.batches[batches[0].uuid]
    assert batches[0].regulatory_ids == tuple(record.regulatory_ids)
    assert batches[0].updated_on == record.updated_on

    batch = await source.batches.get(record.uuid)
    assert isinstance(batch, Batch)
    assert batch.produced_on == record.produced_on  # "" on the wire when unknown -> None
    assert [lab.uuid for lab in batch.testing_laboratories] == record.lab_uuids
    assert [pp.uuid for pp in batch.packaged_products] == record.packaged_product_uuids
    nested = batch.packaged_products[0]
    assert isinstance(nested.product, Product)
    assert nested.product.uuid == fake.state.packaged_products[nested.uuid].product_uuid
    assert nested.packaged_on == fake.state.packaged_products[nested.uuid].packaged_on
    assert _calls(fake)[-1] == ("GET", f"{S}/batches/{record.uuid}/", {})


async def test_batch_with_unknown_production_date_reads_none(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A batch whose detail carries produced_on "" structures with produced_on None."""
    record = next(iter(lucidgreen_fake.state.batches.values()))
    record.produced_on = None
    batch = await source.batches.get(record.uuid)
    assert batch.produced_on is None
    assert batch.updated_on == record.updated_on


async def test_brands_list_is_one_bare_array_request(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """brands.list reads the bare JSON array in one request; brands.get the full Brand."""
    fake = lucidgreen_fake
    brands = [b async for b in source.brands.list()]
    assert brands == [
        BrandSummary(uuid=b.uuid, name=b.name, state=b.state) for b in fake.state.brands.values()
    ]
    record = next(iter(fake.state.brands.values()))
    brand = await source.brands.get(record.uuid)
    assert isinstance(brand, Brand)
    assert (brand.name, brand.address, brand.website) == (
        record.name,
        record.address,
        record.website,
    )
    assert brand.updated_on == record.updated_on
    assert brand.images is not None
    assert brand.images.primary is not None
    assert brand.images.primary.url == fake.cdn_url + record.images["primary"].path
    assert _calls(fake) == [("GET", f"{S}/brands/", {}), ("GET", f"{S}/brands/{record.uuid}/", {})]


async def test_items_get_lists_its_collections(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """items.get returns the item's brand/product/batch and the collections holding it."""
    fake = lucidgreen_fake
    case = next(iter(fake.state.cases.values()))
    lucid_id = case.current_ids()[0]
    record = fake.state.items[lucid_id]
    item = await source.items.get(lucid_id)
    assert isinstance(item, Item)
    assert (item.uuid, item.brand_uuid, item.product_uuid, item.batch_uuid) == (
        record.uuid,
        record.brand_uuid,
        record.product_uuid,
        record.batch_uuid,
    )
    assert item.created == record.created
    assert case.uuid in {c.uuid for c in item.collections}
    membership = next(c for c in item.collections if c.uuid == case.uuid)
    assert (membership.collection_type, membership.identifier) == ("case", case.identifier)
    assert _calls(fake) == [("GET", f"{S}/items/{lucid_id}/", {})]


@pytest.mark.parametrize(
    ("identifier", "raw"),
    [
        ("CASE 2024/0001", "CASE%202024%2F0001"),
        ("MANIFEST 0086834/J 6", "MANIFEST%200086834%2FJ%206"),
        ("PO 2023/39255", "PO%202023%2F39255"),
    ],
)
async def test_collections_get_encodes_the_identifier_as_one_segment(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, identifier: str, raw: str
) -> None:
    """An identifier with '/' and spaces travels percent-encoded as ONE path segment."""
    fake = lucidgreen_fake
    expected = fake.state.find_collection(identifier)
    assert expected is not None
    collection = await source.collections.get(identifier)
    assert isinstance(collection, Collection)
    assert (collection.uuid, collection.identifier) == (expected.uuid, identifier)
    assert collection.lucid_ids == tuple(expected.current_ids())
    assert collection.added_on == expected.added_on
    assert [(r.method, r.raw_path) for r in fake.requests.matching(f"{S}/collections/")] == [
        ("GET", f"{S}/collections/{raw}/")
    ]


async def test_collections_get_by_uuid_and_unknown_identifier(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A collection is found by its uuid too; an unknown identifier raises NotFound."""
    expected = next(iter(lucidgreen_fake.state.collections.values()))
    assert (await source.collections.get(expected.uuid)).identifier == expected.identifier
    with pytest.raises(NotFound) as caught:
        await source.collections.get("NO SUCH/CASE")
    assert caught.value.status == 404
    assert lucidgreen_fake.requests[-1].raw_path == f"{S}/collections/NO%20SUCH%2FCASE/"


async def test_collections_get_refuses_a_blank_identifier_locally(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A blank identifier raises ValueError before any request is sent."""
    for call in (source.collections.get, source.collections.case):
        with pytest.raises(ValueError, match="non-empty"):
            await call("  ")
    assert len(lucidgreen_fake.requests) == 0


async def test_collections_case_reads_the_case_document(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """collections.case GETs collections/case/<encoded id>/ and returns a Case."""
    fake = lucidgreen_fake
    case = next(c for c in fake.state.cases.values() if "/" in c.identifier)
    result = await source.collections.case(case.identifier)
    assert isinstance(result, Case)
    assert result.uuid == case.uuid
    assert result.lucid_ids == tuple(case.current_ids())
    assert result.regulator_ids, "the generated case is tagged by a regulator collection"
    regulator_uuids = {r.uuid for r in result.regulator_ids}
    assert all(set(item.regulator_id_uuids) <= regulator_uuids for item in result.items)
    assert all(isinstance(r.added_on, datetime) for r in result.regulator_ids)
    raw = case.identifier.replace(" ", "%20").replace("/", "%2F")
    assert _calls(fake) == [("GET", f"{S}/collections/case/{raw}/", {})]


async def test_collections_case_of_a_non_case_is_not_found(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """collections.case on a collection that is not a case raises NotFound."""
    order = next(
        c for c in lucidgreen_fake.state.collections.values() if c.collection_type != "case"
    )
    with pytest.raises(NotFound):
        await source.collections.case(order.identifier)


async def test_digital_coas_get_parses_totals_and_dates(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """digital_coas.get returns a DigitalCOA: Decimal totals (None kept), dates, lab."""
    fake = lucidgreen_fake
    record = next(iter(fake.state.digital_coas.values()))
    coa = await source.digital_coas.get(record.uuid)
    assert isinstance(coa, DigitalCOA)
    assert coa.batch_uuid == record.batch_uuid
    assert {key: (m.value, m.unit) for key, m in coa.totals.items()} == record.totals
    assert dict(coa.tests_performed) == record.tests_performed
    assert coa.sample_tested_on == record.sample_tested_on
    assert type(coa.sample_tested_on) is date
    assert coa.entered_on == record.entered_on
    assert coa.report_expires_on == record.report_expires_on
    assert coa.testing_laboratory is not None
    assert coa.testing_laboratory.uuid == record.lab_uuid
    assert _calls(fake) == [("GET", f"{S}/digital_coas/{record.uuid}/", {})]


@pytest.mark.parametrize("asset_type", ASSET_TYPES)
async def test_assets_list_and_get_per_type(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, asset_type: str
) -> None:
    """assets.list and assets.get use /assets/<type>/ and return Asset models."""
    fake = lucidgreen_fake
    assets = [a async for a in source.assets.list(asset_type)]
    assert [a.uuid for a in assets] == list(fake.state.assets[asset_type])
    record = next(iter(fake.state.assets[asset_type].values()))
    asset = await source.assets.get(asset_type, record.uuid)
    assert isinstance(asset, Asset)
    assert (asset.uuid, asset.name, asset.usage) == (record.uuid, record.name, record.usage)
    assert _calls(fake) == [
        ("GET", f"{S}/assets/{asset_type}/", {}),
        ("GET", f"{S}/assets/{asset_type}/{record.uuid}/", {}),
    ]


CREATE_CASES = [
    (
        "texts",
        {"content": "Start low, go slow.", "usage": TextAssetUsage.USAGE_RECOMMENDATION},
        {"name": "Dosing", "content": "Start low, go slow.", "usage": "usage_recommendation"},
    ),
    ("images", {"content": "iVBORw0KGgo="}, {"name": "Dosing", "content": "iVBORw0KGgo="}),
    (
        "videos",
        {"content": "AAAAGGZ0eXA=", "description": "How to dose"},
        {"name": "Dosing", "content": "AAAAGGZ0eXA=", "description": "How to dose"},
    ),
    ("files", {"content": "JVBERi0xLjQ="}, {"name": "Dosing", "content": "JVBERi0xLjQ="}),
]


@pytest.mark.parametrize(("asset_type", "arguments", "body"), CREATE_CASES)
async def test_assets_create_posts_the_typed_body(
    source: SourceClient,
    lucidgreen_fake: FakeLucidGreen,
    asset_type: str,
    arguments: dict[str, Any],
    body: dict[str, str],
) -> None:
    """assets.create POSTs only the given fields as JSON and returns the created Asset."""
    fake = lucidgreen_fake
    created = await source.assets.create(asset_type, name="Dosing", **arguments)
    assert isinstance(created, Asset)
    assert created.uuid in fake.state.assets[asset_type]
    assert (created.name, created.description, created.usage) == (
        "Dosing",
        body.get("description"),
        body.get("usage"),
    )
    (request,) = fake.requests.matching(f"{S}/assets/", method="POST")
    assert request.raw_path == f"{S}/assets/{asset_type}/create/"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == body


async def test_assets_create_accepts_usage_as_plain_string(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Each of the four documented usage strings is accepted and sent as given."""
    for usage in (
        "description",
        "usage_recommendation",
        "testing_methodology",
        "about_ingredients",
    ):
        created = await source.assets.create("texts", name="T", content="x", usage=usage)
        assert created.usage == usage
    bodies = [r.json()["usage"] for r in lucidgreen_fake.requests.matching(f"{S}/assets/texts/")]
    assert bodies == [u.value for u in TextAssetUsage]


async def test_assets_create_refuses_an_unknown_usage_locally(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A usage outside the four documented values raises ValueError; nothing is sent."""
    with pytest.raises(ValueError, match="ingredients_list"):
        await source.assets.create("texts", name="T", content="x", usage="ingredients_list")
    with pytest.raises(ValueError, match="asset type"):
        await source.assets.create("pictures", name="T", content="x")
    assert len(lucidgreen_fake.requests) == 0


async def test_assets_delete_returns_none_on_204(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """assets.delete sends DELETE to the documented text/<uuid>/delete/ path and returns None."""
    fake = lucidgreen_fake
    record = next(iter(fake.state.assets["texts"].values()))
    result = await source.assets.delete(record.uuid)  # type: ignore[func-returns-value]
    assert result is None
    assert record.uuid not in fake.state.assets["texts"]
    (request,) = fake.requests.matching(f"{S}/assets/", method="DELETE")
    assert (request.raw_path, request.status) == (f"{S}/assets/text/{record.uuid}/delete/", 204)
    with pytest.raises(NotFound):
        await source.assets.get("texts", record.uuid)
