"""LucidSource endpoints under aioresponses: the exact request (host, path, verb, query,
headers, body) and the model each documented JSON example becomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from aioresponses import aioresponses

from lucidgreen import SourceClient
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
)
from tests.endpoints.helpers import check_headers, the_request

HOST = "https://source.lucidgreen.io"
TOKEN = "source-token"
P = "/api/v1.5"
U1 = "UNDTMBovdue9tFWfhamnDM"
U2 = "Khf8UxYKJFnCC7n4UkNUQu"

BRAND_JSON = {
    "uuid": U2,
    "name": "Green Valley",
    "company": "GV Inc",
    "slug": "green-valley",
    "description": "Craft",
    "website": "https://example.com",
    "updated_on": "2021-02-10T05:35:04.607692Z",
    "state": "IL",
    "country": "US",
    "images": {
        "primary": {
            "name": "logo",
            "url": "https://cdn.example/logo.png",
            "mime_type": "image/png",
            "size_bytes": 8919.0,
            "updated_on": "2021-02-10T05:35:04Z",
        }
    },
    "brand_video": {"name": "v", "url": "https://cdn.example/v.mp4", "size_bytes": ""},
    "address": "1 Main St",
}


Call = Callable[[SourceClient], Awaitable[Any]]

GET_CASES: list[tuple[str, Call, str, Any, type]] = [
    (
        "products.get",
        lambda s: s.products.get(U1),
        f"{P}/products/{U1}/",
        {"uuid": U1, "published_on": "2020-06-18", "servings": "8.0000000", "brand": BRAND_JSON},
        Product,
    ),
    (
        "batches.get",
        lambda s: s.batches.get(U1),
        f"{P}/batches/{U1}/",
        {"uuid": U1, "produced_on": "", "regulatory_id": "WAJ416334, INSZ7OL"},
        Batch,
    ),
    ("brands.get", lambda s: s.brands.get(U2), f"{P}/brands/{U2}/", BRAND_JSON, Brand),
    (
        "items.get",
        lambda s: s.items.get(U1),
        f"{P}/items/{U1}/",
        {"uuid": U1, "created": "2021-02-10T05:35:04.607692Z", "product_uuid": U2},
        Item,
    ),
    (
        "collections.get",
        lambda s: s.collections.get("MANIFEST 0086834/J 6?x#y"),
        f"{P}/collections/MANIFEST%200086834%2FJ%206%3Fx%23y/",
        {"uuid": U1, "identifier": "MANIFEST 0086834/J 6?x#y", "items": [{"lucid_id": U2}]},
        Collection,
    ),
    (
        "collections.case",
        lambda s: s.collections.case("CASE 2024/0001"),
        f"{P}/collections/case/CASE%202024%2F0001/",
        {"uuid": U1, "items": [{"lucid_id": U2, "regulator_id_uuids": [U1]}]},
        Case,
    ),
    (
        "digital_coas.get",
        lambda s: s.digital_coas.get(U1),
        f"{P}/digital_coas/{U1}/",
        {"uuid": U1, "totals": {"total_thc": {"name": "THC", "value": "1.5000", "unit": "%"}}},
        DigitalCOA,
    ),
    (
        "assets.get",
        lambda s: s.assets.get("videos", U1),
        f"{P}/assets/videos/{U1}/",
        {"uuid": U1, "name": "clip", "content": "https://cdn.example/c.mp4"},
        Asset,
    ),
]


@pytest.mark.parametrize("case", GET_CASES, ids=[c[0] for c in GET_CASES])
async def test_get_endpoint_request_and_model(
    source_unit: SourceClient,
    mocked: aioresponses,
    sent: Any,
    case: tuple[str, Call, str, Any, type],
) -> None:
    """Each detail GET hits exactly its documented path with bearer headers, no query."""
    name, call, path, payload, model = case
    mocked.get(HOST + path, payload=payload)
    result = await call(source_unit)
    assert isinstance(result, model), name
    the_request(sent(), "GET", path, token=TOKEN, host=HOST)


async def test_product_detail_values_are_parsed(
    source_unit: SourceClient, mocked: aioresponses
) -> None:
    """Decimal strings, date-only strings and Z/offset datetimes become typed values."""
    mocked.get(
        f"{HOST}{P}/products/{U1}/",
        payload={
            "uuid": U1,
            "published_on": "2020-06-18",
            "available_on": "",
            "discontinued_on": None,
            "updated_on": "2025-11-24T05:11:10.710679-08:00",
            "servings": "8.0000000",
            "package_size": {"name": "Package", "value": "40.0000", "unit": "g"},
            "brand": BRAND_JSON,
            "field_added_later": {"anything": 1},
        },
    )
    product = await source_unit.products.get(U1)
    assert product.published_on == date(2020, 6, 18)
    assert product.available_on is None
    assert product.discontinued_on is None
    assert product.updated_on == datetime(
        2025, 11, 24, 5, 11, 10, 710679, tzinfo=timezone(timedelta(hours=-8))
    )
    assert product.servings == Decimal("8.0000000")
    assert product.package_size is not None
    assert product.package_size.value == Decimal("40.0000")
    assert product.brand is not None
    assert product.brand.updated_on == datetime(2021, 2, 10, 5, 35, 4, 607692, tzinfo=UTC)
    assert product.brand.images is not None
    assert product.brand.images.primary is not None
    assert product.brand.images.primary.size_bytes == 8919.0
    assert product.brand.brand_video is not None
    assert product.brand.brand_video.size_bytes is None


async def test_batch_and_coa_values_are_parsed(
    source_unit: SourceClient, mocked: aioresponses
) -> None:
    """A batch's "" produced_on is None and its regulatory_id splits; COA totals are Decimal."""
    mocked.get(
        f"{HOST}{P}/batches/{U1}/",
        payload={"uuid": U1, "produced_on": "", "regulatory_id": "WAJ416334, INSZ7OL"},
    )
    mocked.get(
        f"{HOST}{P}/digital_coas/{U1}/",
        payload={
            "uuid": U1,
            "totals": {
                "total_thc": {"name": "THC", "value": "1.5000", "unit": "%"},
                "total_cbd": {"name": "CBD", "value": None, "unit": ""},
            },
            "tests_performed": {"ph_tests": "not_tested"},
            "sample_tested_on": "2020-05-12",
            "entered_on": "2016-10-03T12:34:56+01:00",
        },
    )
    batch = await source_unit.batches.get(U1)
    assert batch.produced_on is None
    assert batch.regulatory_ids == ("WAJ416334", "INSZ7OL")
    coa = await source_unit.digital_coas.get(U1)
    assert coa.totals["total_thc"].value == Decimal("1.5000")
    assert coa.totals["total_cbd"].value is None
    assert coa.tests_performed == {"ph_tests": "not_tested"}
    assert coa.sample_tested_on == date(2020, 5, 12)
    assert coa.entered_on == datetime(2016, 10, 3, 11, 34, 56, tzinfo=UTC)


LIST_CASES: list[tuple[str, Callable[[SourceClient], Any], str, type]] = [
    ("products.list", lambda s: s.products.list(), f"{P}/products/", ProductSummary),
    ("batches.list", lambda s: s.batches.list(), f"{P}/batches/", BatchSummary),
    ("assets.list", lambda s: s.assets.list("texts"), f"{P}/assets/texts/", Asset),
]


@pytest.mark.parametrize("case", LIST_CASES, ids=[c[0] for c in LIST_CASES])
async def test_list_endpoint_follows_next(
    source_unit: SourceClient,
    mocked: aioresponses,
    sent: Any,
    case: tuple[str, Callable[[SourceClient], Any], str, type],
) -> None:
    """A paginated list GETs its path, then the ``next`` link's ?page=2, yielding models."""
    name, call, path, model = case
    mocked.get(
        HOST + path,
        payload={
            "count": 2,
            "next": f"{HOST}{path}?page=2",
            "previous": None,
            "results": [{"uuid": U1}],
        },
    )
    mocked.get(
        f"{HOST}{path}?page=2",
        payload={"count": 2, "next": None, "previous": f"{HOST}{path}", "results": [{"uuid": U2}]},
    )
    found = [row async for row in call(source_unit)]
    assert [type(row) for row in found] == [model, model], name
    assert [row.uuid for row in found] == [U1, U2]
    requests = sent()
    assert [(r.method, r.raw_path, r.query) for r in requests] == [
        ("GET", path, {}),
        ("GET", path, {"page": "2"}),
    ]
    for request in requests:
        check_headers(request.headers, token=TOKEN, body=False)


async def test_brands_list_reads_a_bare_array(
    source_unit: SourceClient, mocked: aioresponses, sent: Any
) -> None:
    """brands.list reads the documented bare JSON array in one GET."""
    mocked.get(
        f"{HOST}{P}/brands/",
        payload=[{"uuid": U1, "name": "A", "state": "IL"}, {"uuid": U2, "name": "B"}],
    )
    brands = [b async for b in source_unit.brands.list()]
    assert brands == [
        BrandSummary(uuid=U1, name="A", state="IL"),
        BrandSummary(uuid=U2, name="B", state=None),
    ]
    assert [(r.method, r.raw_path) for r in sent()] == [("GET", f"{P}/brands/")]


@pytest.mark.parametrize("asset_type", ["texts", "images", "videos", "files"])
async def test_assets_create_request(
    source_unit: SourceClient, mocked: aioresponses, sent: Any, asset_type: str
) -> None:
    """assets.create POSTs JSON with name, content and the optional fields given."""
    mocked.post(
        f"{HOST}{P}/assets/{asset_type}/create/",
        status=201,
        payload={"uuid": U1, "name": "N", "content": "C", "description": "D"},
    )
    created = await source_unit.assets.create(asset_type, name="N", content="C", description="D")
    assert created == Asset(uuid=U1, name="N", content="C", description="D")
    body = {"name": "N", "content": "C", "description": "D"}
    the_request(sent(), "POST", f"{P}/assets/{asset_type}/create/", token=TOKEN, body=body)


async def test_assets_create_text_usage_body(
    source_unit: SourceClient, mocked: aioresponses, sent: Any
) -> None:
    """A text asset's usage goes out as its string value."""
    mocked.post(
        f"{HOST}{P}/assets/texts/create/",
        status=201,
        payload={"uuid": U1, "name": "N", "content": "C", "usage": "about_ingredients"},
    )
    created = await source_unit.assets.create(
        "texts", name="N", content="C", usage="about_ingredients"
    )
    assert created.usage == "about_ingredients"
    assert sent()[0].body == {"name": "N", "content": "C", "usage": "about_ingredients"}


async def test_assets_create_usage_refused_before_sending(
    source_unit: SourceClient, sent: Any
) -> None:
    """An invalid text usage raises ValueError and aioresponses sees no request."""
    with pytest.raises(ValueError, match="TextAssetUsage"):
        await source_unit.assets.create("texts", name="N", content="C", usage="Description")
    assert sent() == []


async def test_assets_delete_request(
    source_unit: SourceClient, mocked: aioresponses, sent: Any
) -> None:
    """assets.delete sends DELETE to assets/text/<uuid>/delete/ and a 204 gives None."""
    mocked.delete(f"{HOST}{P}/assets/text/{U1}/delete/", status=204)
    assert await source_unit.assets.delete(U1) is None  # type: ignore[func-returns-value]
    the_request(sent(), "DELETE", f"{P}/assets/text/{U1}/delete/", token=TOKEN)
