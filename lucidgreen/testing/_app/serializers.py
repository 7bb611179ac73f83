"""JSON renderings of the records, with each product's documented wire quirks.

LucidSource: nested ``brand`` object, date-only ``published_on``, ``Z`` datetimes,
``size_bytes`` as a float on images but ``""`` on ``brand_video``, ``regulatory_id`` as one
comma-separated string, ``produced_on`` ``null`` in lists but ``""`` in the batch detail.
LucidRetail: ``brand_uuid``, ``MM/DD/YYYY`` dates, ``-08:00`` datetimes, ``expected_total_*``,
title-case ``product_type``. Decimal quantities are strings everywhere (``"40.0000"``).

Long because: one rendering per record type and product, side by side, so each documented
quirk sits next to its sibling rendering; split, the two products' differences would hide.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .._state.records import (
    Asset,
    Batch,
    Brand,
    Collection,
    DigitalCOA,
    Item,
    Lab,
    MediaFile,
    Membership,
    PackagedProduct,
    Product,
)
from .._state.state import FakeState

__all__ = [
    "asset",
    "batch_summary",
    "brand_detail",
    "brand_summary",
    "case_document",
    "coa_detail",
    "collection_detail",
    "item_detail",
    "product_summary",
    "retail_batch",
    "retail_product",
    "source_batch",
    "source_product",
]

JSON = dict[str, Any]
_PACIFIC = timezone(timedelta(hours=-8))


def _z(value: datetime | None) -> str | None:
    """``2021-02-10T05:35:04.607692Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _pacific(value: datetime | None) -> str | None:
    """``2025-11-24T05:11:10.710679-08:00``, the LucidRetail example's style."""
    return None if value is None else value.astimezone(_PACIFIC).isoformat()


def _iso_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _us_day(value: date | None) -> str | None:
    """``11/19/2018``: LucidRetail's product dates are US-style, not ISO."""
    return None if value is None else value.strftime("%m/%d/%Y")


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _measure(name: str, value: Decimal, unit: str) -> JSON:
    return {"name": name, "value": _dec(value), "unit": unit}


def _image(media: MediaFile, base: str) -> JSON:
    return {
        "name": media.name,
        "url": base + media.path,
        "mime_type": media.mime_type,
        "size_bytes": media.size_bytes,
        "updated_on": _z(media.updated_on),
    }


def _images(images: dict[str, MediaFile], base: str) -> JSON:
    return {kind: _image(media, base) for kind, media in images.items()}


def _video(brand: Brand, base: str) -> JSON:
    return {
        "name": brand.video.name,
        "url": base + brand.video.path,
        "mime_type": brand.video.mime_type,
        # Documented quirk: a string here, a float on images.
        "size_bytes": "",
        "updated_on": _z(brand.video.updated_on),
        "uploaded_by": brand.video_uploaded_by,
        "description": brand.video_description,
        "length_in_minutes": brand.video_length_in_minutes,
        "video_source_link": brand.video_source_link,
    }


def _ratio(product: Product) -> str:
    if not product.total_cbd:
        return ""
    return f"{round(product.total_thc / product.total_cbd)}:1"


# -- brands ------------------------------------------------------------------------------------


def brand_summary(brand: Brand) -> JSON:
    return {"uuid": brand.uuid, "name": brand.name, "state": brand.state}


def brand_detail(brand: Brand, base: str) -> JSON:
    return {
        "uuid": brand.uuid,
        "name": brand.name,
        "company": brand.company,
        "slug": brand.slug,
        "description": brand.description,
        "website": brand.website,
        "updated_on": _z(brand.updated_on),
        "state": brand.state,
        "country": brand.country,
        "images": _images(brand.images, base),
        "brand_video": _video(brand, base),
        "address": brand.address,
    }


# -- products ----------------------------------------------------------------------------------


def product_summary(product: Product) -> JSON:
    return {
        "uuid": product.uuid,
        "name": product.name,
        "sku": product.sku,
        "product_type": product.product_type,
        "is_published": product.is_published,
        "brand_uuid": product.brand_uuid,
    }


def _product_core(product: Product) -> JSON:
    return {
        "uuid": product.uuid,
        "sku": product.sku,
        "description": product.description,
        "name": product.name,
    }


def _source_product_body(product: Product, base: str) -> JSON:
    """The product fields shared by products_get and the batch detail's nested product."""
    return {
        "published_on": _iso_day(product.published_on),
        "available_on": _iso_day(product.available_on),
        "discontinued_on": _iso_day(product.discontinued_on),
        "product_type": product.product_type,
        "usage": product.usage,
        "variety": product.variety,
        "strain": product.strain,
        "product_line": product.product_line,
        "package_size": _measure("Package size", product.package_size, product.package_unit),
        "upc": product.upc,
        "servings": _dec(product.servings),
        "serving_size": _measure("Serving size", product.serving_size, product.serving_unit),
        "total_thc": _measure("Total THC", product.total_thc, product.potency_unit),
        "total_cbd": _measure("Total CBD", product.total_cbd, product.potency_unit),
        "thc_cbd_ratio": _ratio(product),
        "tests_description": product.testing_methodology,
        "updated_on": _z(product.updated_on),
        "about_ingredients": product.about_ingredients,
        "special_diet": list(product.special_diet),
        "allergen": list(product.allergen),
        "testing_methodology": product.testing_methodology,
        "usage_recommendation": product.usage_recommendation,
        "ingredients": list(product.ingredients),
        "images": _images(product.images, base),
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
    images = _images(product.images, base)
    images["supplemental"] = None
    body.update(
        published_on=_us_day(product.published_on),
        available_on=_us_day(product.available_on),
        added_on=_us_day(product.added_on),
        discontinued_on=_us_day(product.discontinued_on),
        updated_on=_pacific(product.updated_on),
        brand_uuid=product.brand_uuid,
        product_type=product.product_type.replace("_", " ").title(),
        usage=product.usage,
        variety=product.variety,
        strain=product.strain,
        chemotype=product.chemotype,
        product_line=product.product_line,
        package_size=_measure("Package size", product.package_size, product.package_unit),
        upc=product.upc,
        servings=_dec(product.servings),
        serving_size=_measure("Serving size", product.serving_size, product.serving_unit),
        shelf_life={"value": product.shelf_life_days, "unit": "days"},
        expected_total_thc=_measure("Total THC", product.total_thc, product.potency_unit),
        expected_total_cbd=_measure("Total CBD", product.total_cbd, product.potency_unit),
        thc_cbd_ratio=_ratio(product),
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
        "produced_on": _z(batch.produced_on),
        "regulatory_id": ", ".join(batch.regulatory_ids),
        "updated_on": _z(batch.updated_on),
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
        "packaged_on": _iso_day(packaged.packaged_on),
        "digital_coa_uuids": list(batch.digital_coa_uuids),
        "batch_name": batch.name,
        "harvested_on": _iso_day(packaged.harvested_on),
        "expires_on": _iso_day(packaged.expires_on),
    }


def _labs(batch: Batch, state: FakeState, base: str, *, logo: bool) -> list[JSON]:
    return [_lab(state.labs[u], base, logo=logo) for u in batch.lab_uuids if u in state.labs]


def source_batch(batch: Batch, state: FakeState, base: str) -> JSON:
    """batches_get: ``produced_on`` is ``""`` (not null) when unknown, as in the docs."""
    body = batch_summary(batch)
    body["produced_on"] = _z(batch.produced_on) or ""
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
        "updated_on": _pacific(batch.updated_on),
        "produced_on": _pacific(batch.produced_on),
        "digital_coa_uuids": list(batch.digital_coa_uuids),
        "testing_laboratories": _labs(batch, state, base, logo=False),
    }


# -- COAs, items, collections ------------------------------------------------------------------


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
        "sample_received_on": _z(coa.sample_received_on),
        "report_created_on": _z(coa.report_created_on),
        "report_expires_on": _z(coa.report_expires_on),
        "certificate_url": base + coa.certificate_path,
        "certificate_source_url": base + coa.certificate_path.replace(".pdf", "-source.pdf"),
        "totals": {
            key: {"name": key.replace("_", " ").title(), "value": _dec(value), "unit": unit}
            for key, (value, unit) in coa.totals.items()
        },
        "tests_performed": dict(coa.tests_performed),
        "sample_tested_on": _iso_day(coa.sample_tested_on),
        "certificate_received_on": _iso_day(coa.certificate_received_on),
        "entered_on": _pacific(coa.entered_on),
    }
    body.update({f"tests_{name}": {} for name in tests})
    return body


def _membership_of(collection: Collection, member: Membership) -> JSON:
    return {
        "uuid": collection.uuid,
        "identifier": collection.identifier,
        "collection_type": collection.collection_type,
        "added_on": _z(member.added_on),
        "name": collection.name,
        "is_public": collection.is_public,
        "removed_on": _z(member.removed_on),
    }


def item_detail(item: Item, state: FakeState) -> JSON:
    current: list[JSON] = []
    removed: list[JSON] = []
    for collection in state.collections_of(item.uuid):
        for member in collection.members:
            if member.lucid_id == item.uuid:
                target = current if member.removed_on is None else removed
                target.append(_membership_of(collection, member))
    batch = state.batches.get(item.batch_uuid)
    return {
        "created": _z(item.created),
        "uuid": item.uuid,
        "brand_uuid": item.brand_uuid,
        "product_uuid": item.product_uuid,
        "batch_uuid": item.batch_uuid,
        "digital_coa_uuids": [] if batch is None else list(batch.digital_coa_uuids),
        "collections": current,
        "removed_collections": removed,
    }


def _member(member: Membership) -> JSON:
    return {
        "lucid_id": member.lucid_id,
        "added_on": _z(member.added_on),
        "removed_on": _z(member.removed_on),
        "removed_by_company_uuid": member.removed_by_company_uuid,
    }


def collection_detail(collection: Collection) -> JSON:
    return {
        "uuid": collection.uuid,
        "identifier": collection.identifier,
        "name": collection.name,
        "collection_type": collection.collection_type,
        "added_on": _z(collection.added_on),
        "is_public": collection.is_public,
        "is_removed": collection.is_removed,
        "removed_on": _z(collection.removed_on),
        "sub_type": collection.sub_type,
        "items": [_member(m) for m in collection.members if m.removed_on is None],
        "removed_items": [_member(m) for m in collection.members if m.removed_on is not None],
    }


def case_document(case: Collection, state: FakeState) -> JSON:
    """The self-contained case record (inferred from the documented fragments).

    ``regulator_ids`` are the regulator-type collections holding the case's items, oldest
    first; each item lists the ``regulator_id_uuids`` that tag it.
    """
    body = collection_detail(case)
    members = [m for m in case.members if m.removed_on is None]
    ids = {m.lucid_id for m in members}
    regulators = sorted(
        (
            c
            for c in state.collections.values()
            if c.collection_type == "regulator" and ids.intersection(c.current_ids())
        ),
        key=lambda c: c.added_on,
    )
    items = [state.items[m.lucid_id] for m in members if m.lucid_id in state.items]
    packaged = {
        i.packaged_product_uuid: state.packaged_products.get(i.packaged_product_uuid) for i in items
    }
    product_ids = list(dict.fromkeys(i.product_uuid for i in items))
    batch_ids = list(dict.fromkeys(i.batch_uuid for i in items))
    brand_ids = list(dict.fromkeys(i.brand_uuid for i in items))
    body.update(
        brands=[brand_summary(state.brands[u]) for u in brand_ids if u in state.brands],
        products=[product_summary(state.products[u]) for u in product_ids if u in state.products],
        batches=[batch_summary(state.batches[u]) for u in batch_ids if u in state.batches],
        packaged_products=[
            {
                "uuid": pp.uuid,
                "product_uuid": pp.product_uuid,
                "batch_uuid": pp.batch_uuid,
                "regulatory_id": pp.regulatory_id,
            }
            for pp in packaged.values()
            if pp is not None
        ],
        cases=[
            {"uuid": c.uuid, "identifier": c.identifier, "added_on": _z(c.added_on)}
            for c in sorted(
                (state.collections[u] for u in case.sub_case_uuids if u in state.collections),
                key=lambda c: c.added_on,
            )
        ],
        regulator_ids=[
            {"uuid": r.uuid, "identifier": r.identifier, "added_on": _z(r.added_on)}
            for r in regulators
        ],
        items=[
            {
                "lucid_id": m.lucid_id,
                "added_on": _z(m.added_on),
                "removed_on": None,
                "packaged_product_uuid": state.items[m.lucid_id].packaged_product_uuid
                if m.lucid_id in state.items
                else None,
                "regulator_id_uuids": [r.uuid for r in regulators if m.lucid_id in r.current_ids()],
            }
            for m in members
        ],
    )
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
