"""The catalogue as each product renders it: brands, products, batches and their labs, COAs,
assets. Source and Retail renderings of one record sit side by side, so each documented quirk
stands next to its sibling."""

from __future__ import annotations

from ..._state.records import Asset, Batch, Brand, DigitalCOA, Lab, PackagedProduct, Product
from ..._state.state import FakeState
from . import values as v
from .values import JSON

__all__ = [
    "asset",
    "batch_summary",
    "brand_detail",
    "brand_summary",
    "coa_detail",
    "product_summary",
    "retail_batch",
    "retail_product",
    "source_batch",
    "source_product",
]


# -- brands ------------------------------------------------------------------------------------


def brand_summary(brand: Brand) -> JSON:
    return v.fields(brand, "uuid", "name", "state")


def brand_detail(brand: Brand, base: str) -> JSON:
    return {
        "uuid": brand.uuid,
        "name": brand.name,
        "company": brand.company,
        "slug": brand.slug,
        "description": brand.description,
        "website": brand.website,
        "updated_on": v.z(brand.updated_on),
        "state": brand.state,
        "country": brand.country,
        "images": v.images(brand.images, base),
        "brand_video": v.video(brand, base),
        "address": brand.address,
    }


# -- products ----------------------------------------------------------------------------------


def product_summary(product: Product) -> JSON:
    return v.fields(product, "uuid", "name", "sku", "product_type", "is_published", "brand_uuid")


def _product_core(product: Product) -> JSON:
    return v.fields(product, "uuid", "sku", "description", "name")


def _source_product_body(product: Product, base: str) -> JSON:
    """The product fields shared by products_get and the batch detail's nested product."""
    return {
        "published_on": v.iso_day(product.published_on),
        "available_on": v.iso_day(product.available_on),
        "discontinued_on": v.iso_day(product.discontinued_on),
        "product_type": product.product_type,
        "usage": product.usage,
        "variety": product.variety,
        "strain": product.strain,
        "product_line": product.product_line,
        "package_size": v.measure("Package size", product.package_size, product.package_unit),
        "upc": product.upc,
        "servings": v.dec(product.servings),
        "serving_size": v.measure("Serving size", product.serving_size, product.serving_unit),
        "total_thc": v.measure("Total THC", product.total_thc, product.potency_unit),
        "total_cbd": v.measure("Total CBD", product.total_cbd, product.potency_unit),
        "thc_cbd_ratio": v.ratio(product),
        "tests_description": product.testing_methodology,
        "updated_on": v.z(product.updated_on),
        "about_ingredients": product.about_ingredients,
        "special_diet": list(product.special_diet),
        "allergen": list(product.allergen),
        "testing_methodology": product.testing_methodology,
        "usage_recommendation": product.usage_recommendation,
        "ingredients": list(product.ingredients),
        "images": v.images(product.images, base),
        "barcode": product.barcode,
    }


def source_product(product: Product, brand: Brand | None, base: str) -> JSON:
    """products_get: a nested ``brand`` object, ISO date-only dates."""
    body = _product_core(product)
    body.update(
        label_type=product.label_type,
        container_type=product.container_type,
        brand=None if brand is None else brand_detail(brand, base),
        chemotype=product.chemotype,
    )
    body.update(_source_product_body(product, base))
    return body


def retail_product(product: Product, base: str) -> JSON:
    """LucidRetail product detail: ``brand_uuid``, US dates, ``expected_total_*``."""
    body = _product_core(product)
    images = v.images(product.images, base)
    images["supplemental"] = None
    body.update(
        published_on=v.us_day(product.published_on),
        available_on=v.us_day(product.available_on),
        added_on=v.us_day(product.added_on),
        discontinued_on=v.us_day(product.discontinued_on),
        updated_on=v.pacific(product.updated_on),
        brand_uuid=product.brand_uuid,
        product_type=product.product_type.replace("_", " ").title(),
        usage=product.usage,
        variety=product.variety,
        strain=product.strain,
        chemotype=product.chemotype,
        product_line=product.product_line,
        package_size=v.measure("Package size", product.package_size, product.package_unit),
        upc=product.upc,
        servings=v.dec(product.servings),
        serving_size=v.measure("Serving size", product.serving_size, product.serving_unit),
        shelf_life={"value": product.shelf_life_days, "unit": "days"},
        expected_total_thc=v.measure("Total THC", product.total_thc, product.potency_unit),
        expected_total_cbd=v.measure("Total CBD", product.total_cbd, product.potency_unit),
        thc_cbd_ratio=v.ratio(product),
        negative_effects=list(product.negative_effects),
        positive_effects=list(product.positive_effects),
        medical_uses=list(product.medical_uses),
        dosages=[],
        special_diet=list(product.special_diet),
        allergen=list(product.allergen),
        ingredients=list(product.ingredients),
        documents=[],
        videos=[],
        about_ingredients=product.about_ingredients,
        testing_methodology=product.testing_methodology,
        usage_recommendation=product.usage_recommendation,
        additional_ingredients="",
        images=images,
        barcode=product.barcode,
    )
    return body


# -- batches -----------------------------------------------------------------------------------


def _lab(lab: Lab, base: str, *, logo: bool) -> JSON:
    body: JSON = {"uuid": lab.uuid, "name": lab.name}
    if logo:
        body["logo_url"] = base + lab.logo_path
    body.update(
        street_address_1=lab.street_address_1,
        street_address_2=lab.street_address_2,
        city=lab.city,
        state=lab.state,
        postal_code=lab.postal_code,
    )
    return body


def batch_summary(batch: Batch) -> JSON:
    return {
        "uuid": batch.uuid,
        "brand_uuid": batch.brand_uuid,
        "name": batch.name,
        "produced_on": v.z(batch.produced_on),
        "regulatory_id": ", ".join(batch.regulatory_ids),
        "updated_on": v.z(batch.updated_on),
        "digital_coa_uuids": list(batch.digital_coa_uuids),
    }


def _packaged(packaged: PackagedProduct, batch: Batch, state: FakeState, base: str) -> JSON:
    product = state.products.get(packaged.product_uuid)
    nested: JSON | None = None
    if product is not None:
        nested = _product_core(product)
        nested.update(_source_product_body(product, base))
    return {
        "uuid": packaged.uuid,
        "product": nested,
        "regulatory_id": packaged.regulatory_id,
        "packaged_on": v.iso_day(packaged.packaged_on),
        "digital_coa_uuids": list(batch.digital_coa_uuids),
        "batch_name": batch.name,
        "harvested_on": v.iso_day(packaged.harvested_on),
        "expires_on": v.iso_day(packaged.expires_on),
    }


def _labs(batch: Batch, state: FakeState, base: str, *, logo: bool) -> list[JSON]:
    return [_lab(state.labs[u], base, logo=logo) for u in batch.lab_uuids if u in state.labs]


def source_batch(batch: Batch, state: FakeState, base: str) -> JSON:
    """batches_get: ``produced_on`` is ``""`` (not null) when unknown, as in the docs."""
    body = batch_summary(batch)
    body["produced_on"] = v.z(batch.produced_on) or ""
    body["testing_laboratories"] = _labs(batch, state, base, logo=False)
    body["packaged_products"] = [
        _packaged(state.packaged_products[u], batch, state, base)
        for u in batch.packaged_product_uuids
        if u in state.packaged_products
    ]
    return body


def retail_batch(batch: Batch, state: FakeState, base: str) -> JSON:
    return {
        "uuid": batch.uuid,
        "brand_uuid": batch.brand_uuid,
        "name": batch.name,
        "regulatory_id": ", ".join(batch.regulatory_ids),
        "updated_on": v.pacific(batch.updated_on),
        "produced_on": v.pacific(batch.produced_on),
        "digital_coa_uuids": list(batch.digital_coa_uuids),
        "testing_laboratories": _labs(batch, state, base, logo=False),
    }


def coa_detail(coa: DigitalCOA, state: FakeState, base: str) -> JSON:
    lab = state.labs.get(coa.lab_uuid)
    tests = (
        "cannabinoids", "terpenes", "residual_solvents", "pesticides", "heavy_metals",
        "mycotoxins", "microbials", "filth_and_foreign_material", "moisture_content",
        "water_activity", "ph",
    )  # fmt: skip
    body: JSON = {
        "uuid": coa.uuid,
        "batch_uuid": coa.batch_uuid,
        "testing_laboratory": None if lab is None else _lab(lab, base, logo=True),
        "sample_regulator_id": coa.sample_regulator_id,
        "batch_regulatory_id": coa.batch_regulatory_id,
        "sample_received_on": v.z(coa.sample_received_on),
        "report_created_on": v.z(coa.report_created_on),
        "report_expires_on": v.z(coa.report_expires_on),
        "certificate_url": base + coa.certificate_path,
        "certificate_source_url": base + coa.certificate_path.replace(".pdf", "-source.pdf"),
        "totals": {
            key: {"name": key.replace("_", " ").title(), "value": v.dec(value), "unit": unit}
            for key, (value, unit) in coa.totals.items()
        },
        "tests_performed": dict(coa.tests_performed),
        "sample_tested_on": v.iso_day(coa.sample_tested_on),
        "certificate_received_on": v.iso_day(coa.certificate_received_on),
        "entered_on": v.pacific(coa.entered_on),
    }
    body.update({f"tests_{name}": {} for name in tests})
    return body


def asset(value: Asset, base: str) -> JSON:
    content = value.content if value.asset_type == "texts" else base + value.content
    return {
        "uuid": value.uuid,
        "name": value.name,
        "content": content,
        "description": value.description,
        "usage": value.usage,
    }
