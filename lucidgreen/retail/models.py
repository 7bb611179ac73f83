"""Typed responses and request bodies of LucidRetail v1.2 (``https://retail.lucidgreen.io/api/v1.2/``).

Layer 1: attrs only. LucidRetail names things differently from LucidSource (``brand_uuid``
instead of a nested ``brand``, ``expected_total_thc`` instead of ``total_thc``, US-style
dates), so its product and batch are classes of their own. Only identity fields are
required; unknown fields are kept in each model's ``extras``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from lucidgreen._bodies import text_checked
from lucidgreen._common_models import Brand, Image, ImageSet, Laboratory, Measure, Model, Video

__all__ = [
    "Batch",
    "Brand",
    "CaseImport",
    "CaseImportRemoval",
    "CaseImportResult",
    "CompletedTransaction",
    "Image",
    "ImageSet",
    "InventoryCollection",
    "InventoryItemsAddition",
    "Laboratory",
    "Measure",
    "OperationResult",
    "PackageUIDExport",
    "Product",
    "Video",
    "VoidedTransaction",
]


# --- Responses --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Product(Model):
    """``GET /api/v1.2/products/<uuid>/`` (Get Product Details).

    Dates come as ``"11/19/2018"`` and are read as :class:`~datetime.date`. ``shelf_life`` is
    a :class:`Measure` without a name (``value`` ``Decimal("365")``, ``unit`` ``"days"``).
    The list fields' element shapes are not documented and stay raw JSON values.
    """

    uuid: str
    sku: str | None = None
    name: str | None = None
    description: str | None = None
    brand_uuid: str | None = None
    published_on: date | None = None
    available_on: date | None = None
    added_on: datetime | None = None
    discontinued_on: date | None = None
    updated_on: datetime | None = None
    product_type: str | None = None
    usage: str | None = None
    variety: str | None = None
    strain: str | None = None
    chemotype: str | None = None
    product_line: str | None = None
    package_size: Measure | None = None
    upc: str | None = None
    servings: Decimal | None = None
    serving_size: Measure | None = None
    shelf_life: Measure | None = None
    expected_total_thc: Measure | None = None
    expected_total_cbd: Measure | None = None
    thc_cbd_ratio: str | None = None
    negative_effects: tuple[Any, ...] = ()
    positive_effects: tuple[Any, ...] = ()
    medical_uses: tuple[Any, ...] = ()
    dosages: tuple[Any, ...] = ()
    special_diet: tuple[Any, ...] = ()
    allergen: tuple[Any, ...] = ()
    ingredients: tuple[Any, ...] = ()
    documents: tuple[Any, ...] = ()
    videos: tuple[Any, ...] = ()
    about_ingredients: str | None = None
    testing_methodology: str | None = None
    usage_recommendation: str | None = None
    additional_ingredients: str | None = None
    images: ImageSet | None = None
    barcode: str | None = None


@attrs.frozen(kw_only=True)
class Batch(Model):
    """``GET /api/v1.2/batches/<uuid>/`` (Get Batch Details)."""

    uuid: str
    brand_uuid: str | None = None
    name: str | None = None
    regulatory_id: str | None = None
    produced_on: datetime | None = None
    updated_on: datetime | None = None
    digital_coa_uuids: tuple[str, ...] = ()
    testing_laboratories: tuple[Laboratory, ...] = ()


@attrs.frozen(kw_only=True)
class CaseImportResult(Model):
    """The 200 answer of ``POST /api/v1.2/caseids/import/`` (caseids_import).

    ``replayed`` is True when the SDK resent the import after losing the first answer and
    the server confirmed the first one had been applied ("already imported into inventory"
    the same package uid); the other fields are then the ones the call sent.
    """

    case_uuid: str
    packaged_product_uuid: str | None = None
    package_uid: str | None = None
    replayed: bool = False


@attrs.frozen(kw_only=True)
class InventoryCollection(Model):
    """The 200 answer naming an inventory collection.

    From ``POST /api/v1.2/collections/inventory-pos/<dispensary_uuid>/add-items/`` and
    ``GET /api/v1.2/collections/inventory-pos/lucid-id/<lucid_id>/``.
    """

    inventory_collection_identifier: str


@attrs.frozen(kw_only=True)
class PackageUIDExport(Model):
    """The 200 answer of ``GET /api/v1.2/package-uids-export/``: a pre-signed CDN URL.

    The file behind it maps package UID -> CaseID -> list of LucidIDs.
    """

    export_url: str


@attrs.frozen(kw_only=True)
class OperationResult:
    """The answer of an undocumented operation (``retail.operations``), whose shape the
    documentation does not give.

    ``data`` is the decoded JSON as sent (``None`` for an empty body). When the answer is a
    ``returnCode`` envelope, ``return_code`` and ``warning`` are its fields (the warning is
    also logged on ``lucidgreen``); otherwise both are ``None``.
    """

    data: Any
    return_code: int | None = None
    warning: str | None = None


# --- Request bodies ---------------------------------------------------------------------


@attrs.frozen(kw_only=True, field_transformer=text_checked)
class CaseImport:
    """Request body of ``POST /api/v1.2/caseids/import/`` (caseids_import)."""

    case_uuid: str
    packaged_product_uuid: str
    pos_product_id: str
    pos_inventory_id: str
    package_uid: str
    sku: str | None = None


@attrs.frozen(kw_only=True, field_transformer=text_checked)
class CaseImportRemoval:
    """Request body of ``POST /api/v1.2/caseids/import/remove/`` (caseids_import_remove).

    ``packaged_product_uuid`` picks one batch of a multi-batch case.
    """

    case_uuid: str
    package_uid: str
    packaged_product_uuid: str | None = None


@attrs.frozen(kw_only=True, field_transformer=text_checked)
class CompletedTransaction:
    """Request body of ``POST /api/v1.2/transactions/complete/``: a sale of LucidIDs.

    Every LucidID in ``items`` must already be imported into the dispensary's inventory.
    """

    performed_at: datetime
    items: Sequence[str]
    order_id: str
    customer_id: str | None = None
    budtender_id: str | None = None


@attrs.frozen(kw_only=True, field_transformer=text_checked)
class VoidedTransaction:
    """Request body of ``POST /api/v1.2/transactions/void/``: a void of an earlier order."""

    performed_at: datetime
    order_id: str | None = None
    customer_id: str | None = None
    budtender_id: str | None = None


@attrs.frozen(kw_only=True, field_transformer=text_checked)
class InventoryItemsAddition:
    """Request body of ``POST /api/v1.2/collections/inventory-pos/<dispensary_uuid>/add-items/``.

    Without ``inventory_collection_identifier`` (or with a removed one) LucidRetail creates
    a collection with a random identifier; an unknown identifier creates that collection.
    """

    case_uuid: str
    lucid_ids: Sequence[str]
    inventory_collection_identifier: str | None = None
    internal_inventory_item_id: str | None = None
    internal_catalog_product_id: str | None = None
    hostname: str | None = None
