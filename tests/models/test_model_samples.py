"""Every recorded sample decodes into its model with the STRICT converter (unknown keys fail)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lucidgreen._converter import ModelConverter
from lucidgreen.retail import models as retail
from lucidgreen.source import models as source

Sample = Callable[[str], Any]
SAMPLES = Path(__file__).parent.parent / "samples"

# sample file -> (model, where the records are: "object", "array" or "page" (DRF envelope))
SAMPLE_MODELS: dict[str, tuple[type[Any], str]] = {
    "source/products_list.json": (source.ProductSummary, "page"),
    "source/product_detail.json": (source.Product, "object"),
    "source/batches_list.json": (source.BatchSummary, "page"),
    "source/batch_detail.json": (source.Batch, "object"),
    "source/brands_list.json": (source.BrandSummary, "array"),
    "source/brand_detail.json": (source.Brand, "object"),
    "source/item_detail.json": (source.Item, "object"),
    "source/collection_detail.json": (source.Collection, "object"),
    "source/case_detail.json": (source.Case, "object"),
    "source/digital_coa_detail.json": (source.DigitalCOA, "object"),
    "source/assets_list.json": (source.Asset, "page"),
    "source/asset_detail.json": (source.Asset, "object"),
    "retail/product_detail.json": (retail.Product, "object"),
    "retail/batch_detail.json": (retail.Batch, "object"),
    "retail/caseids_import.json": (retail.CaseImportResult, "object"),
    "retail/inventory_collection.json": (retail.InventoryCollection, "object"),
    "retail/package_uids_export.json": (retail.PackageUIDExport, "object"),
}
# Samples that are not API responses with a model: the export file is downloaded from a CDN.
NOT_MODELS = {"retail/package_uids_export_file.json"}


def decode(strict: ModelConverter, sample: Sample, name: str) -> Any:
    model, shape = SAMPLE_MODELS[name]
    data = sample(name)
    if shape == "object":
        return strict.structure(data, model)
    records = data["results"] if shape == "page" else data
    return strict.structure_list(records, model)


def test_every_sample_file_has_a_model() -> None:
    """Each JSON file under tests/samples is listed here, so none escapes the strict check."""
    on_disk = {path.relative_to(SAMPLES).as_posix() for path in SAMPLES.rglob("*.json")}
    assert on_disk == set(SAMPLE_MODELS) | NOT_MODELS


@pytest.mark.parametrize("name", sorted(SAMPLE_MODELS))
def test_sample_decodes_strictly(strict: ModelConverter, sample: Sample, name: str) -> None:
    """The sample decodes with unknown keys forbidden, so every documented field is modelled."""
    decoded = decode(strict, sample, name)
    model, _ = SAMPLE_MODELS[name]
    records = decoded if isinstance(decoded, list) else [decoded]
    assert records
    assert all(type(record) is model for record in records)


def test_source_product_list_items(strict: ModelConverter, sample: Sample) -> None:
    """products_list entries keep their booleans and the upper-case product type."""
    first, second = decode(strict, sample, "source/products_list.json")
    assert first.uuid == "JK6RuXsSo8ssWd4LmbCMYw"
    assert first.is_published is True
    assert second.is_published is False
    assert second.product_type == "GUMMY"


def test_source_product_detail(strict: ModelConverter, sample: Sample) -> None:
    """products_get: ISO dates, decimal strings, nested brand media, "" sizes become None."""
    product: source.Product = decode(strict, sample, "source/product_detail.json")
    assert product.published_on == date(2020, 6, 18)
    assert product.discontinued_on is None
    assert product.package_size == source.Measure(
        name="Net Weight", value=Decimal("3.5000"), unit="g"
    )
    assert product.servings == Decimal("1.0000000")
    assert product.chemotype is None
    brand = product.brand
    assert brand is not None
    assert brand.updated_on == datetime(2021, 2, 10, 5, 35, 4, 607692, tzinfo=UTC)
    assert brand.images is not None
    assert brand.images.thumbnail is not None
    assert brand.images.thumbnail.size_bytes == 8919.0
    assert brand.images.banner is None
    video = brand.brand_video
    assert video is not None
    assert video.size_bytes is None
    assert video.updated_on is None
    assert video.length_in_minutes is None
    assert video.name == ""


def test_source_batches_list(strict: ModelConverter, sample: Sample) -> None:
    """batches_list: produced_on may be null, offsets are kept, packed IDs split on commas."""
    first, second = decode(strict, sample, "source/batches_list.json")
    assert first.produced_on == datetime(2021, 2, 1, 8, tzinfo=UTC)
    assert first.regulatory_ids == ("WAJ416334", "INSZ7OL")
    assert first.digital_coa_uuids == ("AyTg7B6HYbaaP2Xr8gFS5J",)
    assert second.produced_on is None
    assert second.updated_on is not None
    assert second.updated_on.utcoffset() == timedelta(hours=1)
    assert second.digital_coa_uuids == ()


def test_source_batch_detail(strict: ModelConverter, sample: Sample) -> None:
    """batches_get: "" produced_on is None; the packaged product carries total_thc/total_cbd."""
    batch: source.Batch = decode(strict, sample, "source/batch_detail.json")
    assert batch.produced_on is None
    assert batch.testing_laboratories[0].postal_code == "95060"
    packaged = batch.packaged_products[0]
    assert packaged.packaged_on is None
    assert packaged.harvested_on == date(2020, 12, 15)
    product = packaged.product
    assert product is not None
    assert product.brand is None
    assert product.total_thc is not None
    assert product.total_thc.value == Decimal("24.3100")
    assert product.total_cbd is not None
    assert product.total_cbd.value is None
    assert product.special_diet == ()


def test_source_brands(strict: ModelConverter, sample: Sample) -> None:
    """brands_list is a bare array; brand_details adds media, a "" video size and the address."""
    brands = decode(strict, sample, "source/brands_list.json")
    assert [brand.state for brand in brands] == ["CA", "WA"]
    brand: source.Brand = decode(strict, sample, "source/brand_detail.json")
    assert brand.address == "1200 Redwood Hwy, Garberville, CA 95542"
    assert brand.brand_video is not None
    assert brand.brand_video.size_bytes is None
    assert brand.brand_video.length_in_minutes == 2.5


def test_source_item(strict: ModelConverter, sample: Sample) -> None:
    """items_get: millisecond fractions and negative offsets in collection memberships."""
    item: source.Item = decode(strict, sample, "source/item_detail.json")
    assert item.created is not None
    assert item.created.tzinfo is UTC
    current = item.collections[0]
    assert current.added_on == datetime(2021, 2, 11, 9, 12, 45, 123000, tzinfo=UTC)
    assert current.removed_on is None
    removed = item.removed_collections[0]
    assert removed.removed_on is not None
    assert removed.removed_on.utcoffset() == timedelta(hours=-8)
    assert removed.is_public is False


def test_source_collection(strict: ModelConverter, sample: Sample) -> None:
    """collections_get: members, removed members, and offset-less datetimes read as UTC."""
    collection: source.Collection = decode(strict, sample, "source/collection_detail.json")
    assert collection.lucid_ids == ("bugKMTvoffi5sA2L6UZ3zA", "dH47VmtcG7JGfzAHannzu5")
    assert collection.items[1].added_on == datetime(2021, 2, 11, 9, 12, 46, tzinfo=UTC)
    assert collection.is_removed is False
    assert collection.removed_items[0].removed_by_company_uuid == "cNBAN4ZDsqaku4s8ZvPaU4"


def test_source_case(strict: ModelConverter, sample: Sample) -> None:
    """case_get: items with their regulator ID links, and the chronological regulator IDs."""
    case: source.Case = decode(strict, sample, "source/case_detail.json")
    assert case.lucid_ids == ("bugKMTvoffi5sA2L6UZ3zA", "dH47VmtcG7JGfzAHannzu5")
    assert case.items[1].regulator_id_uuids == ("JazTK4CsyzhPjXpc2bbYSi", "Q6eFMdJChQ8QSFuXYU6nen")
    assert [reg.identifier for reg in case.regulator_ids] == [
        "1A4FF0300000029000012345",
        "1A4FF0300000029000067890",
    ]
    assert case.cases == ()


def test_source_digital_coa(strict: ModelConverter, sample: Sample) -> None:
    """digital_coa_details: decimal-string totals, null values, test statuses and dates."""
    coa: source.DigitalCOA = decode(strict, sample, "source/digital_coa_detail.json")
    assert coa.totals["total_thc"] == source.Measure(
        name="Total THC", value=Decimal("1.5000"), unit="mg/g"
    )
    assert coa.totals["total_terpenes"].value is None
    assert coa.totals["total_terpenes"].unit == ""
    assert len(coa.tests_performed) == 13
    assert coa.tests_performed["homogeneity_tests"] == "not_tested"
    assert coa.sample_tested_on == date(2020, 5, 12)
    assert coa.certificate_received_on == date(2020, 5, 14)
    assert coa.entered_on is not None
    assert coa.entered_on.utcoffset() == timedelta(hours=-7)
    assert coa.report_expires_on == datetime(2021, 5, 13, 9, tzinfo=UTC)
    assert coa.testing_laboratory is not None
    assert coa.testing_laboratory.logo_url is not None
    assert coa.tests_ph == {}


def test_source_assets(strict: ModelConverter, sample: Sample) -> None:
    """asset_list/asset_get: text usage compares equal to the TextAssetUsage members."""
    texts = decode(strict, sample, "source/assets_list.json")
    assert texts[0].usage == source.TextAssetUsage.USAGE_RECOMMENDATION
    assert texts[1].usage == source.TextAssetUsage.TESTING_METHODOLOGY
    video: source.Asset = decode(strict, sample, "source/asset_detail.json")
    assert video.usage is None
    assert video.description == "A walk through the fields at harvest."


def test_retail_product_detail(strict: ModelConverter, sample: Sample) -> None:
    """Retail product: MM/DD/YYYY dates, expected potency, shelf life, null supplemental."""
    product: retail.Product = decode(strict, sample, "retail/product_detail.json")
    assert product.published_on == date(2018, 11, 19)
    assert product.available_on == date(2020, 6, 11)
    assert product.added_on is None
    assert product.brand_uuid == "Ykkc7E3CuxQKiRKQeEFgaz"
    assert product.package_size is not None
    assert product.package_size.value == Decimal("40.0000")
    assert product.servings == Decimal("8.0000000")
    assert product.shelf_life == retail.Measure(value=Decimal(365), unit="days")
    assert product.expected_total_thc is not None
    assert product.expected_total_thc.value == Decimal("100.0000")
    assert product.images is not None
    assert product.images.supplemental == ()
    assert product.special_diet == ("Vegan", "Gluten free")
    assert product.description == "<p>Dark chocolate bar, 10 pieces of 10 mg.</p>"


def test_retail_batch_detail(strict: ModelConverter, sample: Sample) -> None:
    """Retail batch: microseconds with a negative offset, labs without a logo."""
    batch: retail.Batch = decode(strict, sample, "retail/batch_detail.json")
    pacific = timezone(timedelta(hours=-8))
    assert batch.updated_on == datetime(2025, 11, 24, 5, 11, 10, 710679, tzinfo=pacific)
    assert batch.testing_laboratories[0].street_address_2 == ""
    assert batch.testing_laboratories[0].logo_url is None


def test_retail_small_answers(strict: ModelConverter, sample: Sample) -> None:
    """caseids_import, inventory collection and package export answers keep their fields."""
    imported = decode(strict, sample, "retail/caseids_import.json")
    assert imported == retail.CaseImportResult(
        case_uuid="mYSgoJrY7F3fz7QEG7UR4k",
        packaged_product_uuid="KumEBqP7LKvHvtTLqaAkB2",
        package_uid="1A4FF0300000029000012345",
    )
    collection = decode(strict, sample, "retail/inventory_collection.json")
    assert collection.inventory_collection_identifier == "INV-2fqhnTGwcxd9rN65ZmHxSj"
    export = decode(strict, sample, "retail/package_uids_export.json")
    assert export.export_url.startswith("https://cdn.lucidgreen.io/exports/")
