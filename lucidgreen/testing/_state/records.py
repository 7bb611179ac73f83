"""The fake's data model: plain mutable records, one per LucidGreen entity.

Records hold typed values (``date``, ``datetime``, ``Decimal``); the wire formats and quirks
of each product live in ``_views.py``, so one product record can be rendered both as the
LucidSource view (nested ``brand``, ISO dates) and as the LucidRetail view (``brand_uuid``,
``MM/DD/YYYY`` dates).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

__all__ = [
    "Asset",
    "Batch",
    "Brand",
    "CaseImport",
    "Collection",
    "DigitalCOA",
    "InventoryCollection",
    "Item",
    "Lab",
    "MediaFile",
    "Membership",
    "PackagedProduct",
    "Product",
    "Transaction",
]


@attrs.define
class MediaFile:
    """An image or video; ``path`` is served by the fake's CDN site under ``/media/``."""

    name: str
    path: str
    mime_type: str
    size_bytes: float
    updated_on: datetime


@attrs.define
class Brand:
    """A brand of the fake's data set."""

    uuid: str
    name: str
    company: str
    slug: str
    description: str
    website: str
    state: str
    country: str
    address: str
    updated_on: datetime
    images: dict[str, MediaFile]
    video: MediaFile
    video_uploaded_by: str
    video_description: str
    video_length_in_minutes: float
    video_source_link: str


@attrs.define
class Product:
    """A product of the fake's data set, owned by a brand."""

    uuid: str
    brand_uuid: str
    name: str
    sku: str
    product_type: str
    is_published: bool
    description: str
    label_type: str
    container_type: str
    published_on: date
    available_on: date
    discontinued_on: date | None
    added_on: date | None
    updated_on: datetime
    usage: str
    variety: str
    strain: str
    chemotype: str
    product_line: str
    package_size: Decimal
    package_unit: str
    upc: str
    servings: Decimal
    serving_size: Decimal
    serving_unit: str
    total_thc: Decimal
    total_cbd: Decimal
    potency_unit: str
    shelf_life_days: int
    positive_effects: list[str]
    negative_effects: list[str]
    medical_uses: list[str]
    special_diet: list[str]
    allergen: list[str]
    ingredients: list[str]
    about_ingredients: str
    testing_methodology: str
    usage_recommendation: str
    images: dict[str, MediaFile]
    barcode: str


@attrs.define
class Lab:
    """A testing lab that issues digital COAs."""

    uuid: str
    name: str
    logo_path: str
    street_address_1: str
    street_address_2: str
    city: str
    state: str
    postal_code: str


@attrs.define
class PackagedProduct:
    """One product packaged from one batch; LucidIDs (items) point at one of these."""

    uuid: str
    product_uuid: str
    batch_uuid: str
    regulatory_id: str
    packaged_on: date | None
    harvested_on: date | None
    expires_on: date | None


@attrs.define
class Batch:
    """``produced_on`` None renders as ``null`` in lists and ``""`` in the detail view."""

    uuid: str
    brand_uuid: str
    name: str
    produced_on: datetime | None
    regulatory_ids: list[str]
    updated_on: datetime
    digital_coa_uuids: list[str]
    lab_uuids: list[str]
    packaged_product_uuids: list[str]


@attrs.define
class DigitalCOA:
    """A digital certificate of analysis for one batch."""

    uuid: str
    batch_uuid: str
    lab_uuid: str
    sample_regulator_id: str
    batch_regulatory_id: str
    sample_received_on: datetime
    report_created_on: datetime
    report_expires_on: datetime
    certificate_path: str
    totals: dict[str, tuple[Decimal | None, str]]
    tests_performed: dict[str, str]
    sample_tested_on: date
    certificate_received_on: date
    entered_on: datetime


@attrs.define
class Item:
    """A LucidID. Collection memberships live on :class:`Collection`."""

    uuid: str
    created: datetime
    brand_uuid: str
    product_uuid: str
    batch_uuid: str
    packaged_product_uuid: str


@attrs.define
class Membership:
    """A LucidID's time in a collection (``removed_on`` None while it is there)."""

    lucid_id: str
    added_on: datetime
    removed_on: datetime | None = None
    removed_by_company_uuid: str | None = None


@attrs.define
class Collection:
    """A collection of LucidIDs; ``collection_type == "case"`` makes it a CaseID.

    ``identifier`` may contain ``/`` and spaces (Metrc-like tags, manifest ids), so clients
    must URL-encode it in a path.
    """

    uuid: str
    identifier: str
    name: str
    collection_type: str
    added_on: datetime
    is_public: bool
    sub_type: str
    members: list[Membership]
    is_removed: bool = False
    removed_on: datetime | None = None
    sub_case_uuids: list[str] = attrs.field(factory=list)

    def current_ids(self) -> list[str]:
        """The LucidIDs in the collection now, in the order they were added."""
        return [m.lucid_id for m in self.members if m.removed_on is None]


@attrs.define
class Asset:
    """``content`` is the text for ``texts`` and a CDN media path for the other types."""

    uuid: str
    asset_type: str
    name: str
    content: str
    description: str | None
    usage: str | None
    data: bytes | None = None


@attrs.define
class CaseImport:
    """One applied ``caseids/import/`` call."""

    case_uuid: str
    packaged_product_uuid: str
    package_uid: str
    pos_product_id: str
    pos_inventory_id: str
    sku: str | None
    lucid_ids: list[str]


@attrs.define
class Transaction:
    """A completed (and maybe voided) retail transaction, keyed by ``order_id``."""

    order_id: str
    performed_at: str
    items: list[str]
    customer_id: str | None
    budtender_id: str | None
    request_id: str
    voided_at: str | None = None
    void_request_id: str | None = None


@attrs.define
class InventoryCollection:
    """A case in the dispensary's inventory: its LucidIDs can be sold."""

    identifier: str
    case_uuid: str
    lucid_ids: list[str]
    internal_inventory_item_id: str | None = None
    internal_catalog_product_id: str | None = None
    hostname: str | None = None
    is_removed: bool = False
