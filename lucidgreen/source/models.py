"""Typed responses of LucidSource v1.5 (``https://source.lucidgreen.io/api/v1.5/``).

Layer 1: attrs only. The documentation of most endpoints is cut off part-way, and the API
adds fields without a version bump, so only identity fields are required; everything else
defaults to ``None`` (or an empty tuple or mapping). Fields the models do not know are
kept in each model's ``extras`` (see :class:`~lucidgreen._common_models.Model`), and lists
whose element shape the docs never show are kept as raw JSON values (``tuple[Any, ...]``).

>>> from lucidgreen._converter import structure
>>> structure({"uuid": "UNDTMBovdue9tFWfhamnDM", "name": "Pre-roll"}, ProductSummary).name
'Pre-roll'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from lucidgreen._bodies import text_checked
from lucidgreen._common_models import Brand, Image, ImageSet, Laboratory, Measure, Model, Video

__all__ = [
    "Asset",
    "AssetType",
    "Batch",
    "BatchSummary",
    "Brand",
    "BrandSummary",
    "Case",
    "CaseItem",
    "Collection",
    "CollectionFields",
    "CollectionItem",
    "CollectionMembership",
    "DigitalCOA",
    "Image",
    "ImageSet",
    "Item",
    "Laboratory",
    "Measure",
    "NewAsset",
    "PackagedProduct",
    "Product",
    "ProductSummary",
    "RegulatorID",
    "TextAssetUsage",
    "Video",
]


# --- Brands ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BrandSummary(Model):
    """One entry of ``GET /api/v1.5/brands/`` (brands_list, a bare JSON array)."""

    uuid: str
    name: str | None = None
    state: str | None = None


# --- Products ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProductSummary(Model):
    """One entry of ``GET /api/v1.5/products/`` (products_list, paginated)."""

    uuid: str
    name: str | None = None
    sku: str | None = None
    product_type: str | None = None
    is_published: bool | None = None
    brand_uuid: str | None = None


@attrs.frozen(kw_only=True)
class Product(Model):
    """``GET /api/v1.5/products/<uuid>/`` (products_get), also a batch's packaged ``product``.

    The products_get page is cut off after ``serving_size``; the fields after it are the
    ones batches_get shows for the same product (``total_thc`` … ``barcode``). The nested
    product in a batch carries no ``brand``. ``product_type`` is upper case here
    (``"FLOWER"``), unlike LucidRetail.
    """

    uuid: str
    sku: str | None = None
    name: str | None = None
    description: str | None = None
    label_type: str | None = None
    container_type: str | None = None
    published_on: date | None = None
    available_on: date | None = None
    discontinued_on: date | None = None
    updated_on: datetime | None = None
    brand: Brand | None = None
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
    total_thc: Measure | None = None
    total_cbd: Measure | None = None
    thc_cbd_ratio: str | None = None
    tests_description: str | None = None
    about_ingredients: str | None = None
    testing_methodology: str | None = None
    usage_recommendation: str | None = None
    special_diet: tuple[Any, ...] = ()
    allergen: tuple[Any, ...] = ()
    ingredients: tuple[Any, ...] = ()
    images: ImageSet | None = None
    barcode: str | None = None


# --- Batches ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BatchSummary(Model):
    """One entry of ``GET /api/v1.5/batches/`` (batches_list, paginated)."""

    uuid: str
    brand_uuid: str | None = None
    name: str | None = None
    regulatory_id: str | None = None
    produced_on: datetime | None = None
    updated_on: datetime | None = None
    digital_coa_uuids: tuple[str, ...] = ()

    @property
    def regulatory_ids(self) -> tuple[str, ...]:
        """``regulatory_id`` split into its IDs: the API packs several into one string.

        >>> BatchSummary(uuid="x", regulatory_id="WAJ416334, INSZ7OL").regulatory_ids
        ('WAJ416334', 'INSZ7OL')
        """
        return _split_ids(self.regulatory_id)


@attrs.frozen(kw_only=True)
class PackagedProduct(Model):
    """One entry of a batch's ``packaged_products`` (batches_get).

    The documented field list stops after ``harvested_on``.
    """

    uuid: str
    product: Product | None = None
    regulatory_id: str | None = None
    packaged_on: date | None = None
    digital_coa_uuids: tuple[str, ...] = ()
    batch_name: str | None = None
    harvested_on: date | None = None


@attrs.frozen(kw_only=True)
class Batch(BatchSummary):
    """``GET /api/v1.5/batches/<uuid>/`` (batches_get): the list fields plus labs and products."""

    testing_laboratories: tuple[Laboratory, ...] = ()
    packaged_products: tuple[PackagedProduct, ...] = ()


# --- Items (LucidIDs) and collections -----------------------------------------------------


@attrs.frozen(kw_only=True)
class CollectionMembership(Model):
    """One entry of an item's ``collections`` or ``removed_collections`` (items_get).

    ``collection_type`` is an open set: ``"collection"``, ``"case"``, ``"regulator"``, …
    """

    uuid: str
    identifier: str | None = None
    name: str | None = None
    collection_type: str | None = None
    is_public: bool | None = None
    added_on: datetime | None = None
    removed_on: datetime | None = None


@attrs.frozen(kw_only=True)
class Item(Model):
    """``GET /api/v1.5/items/<lucid_id>/`` (items_get): one LucidID and where it belongs."""

    uuid: str
    created: datetime | None = None
    brand_uuid: str | None = None
    product_uuid: str | None = None
    batch_uuid: str | None = None
    digital_coa_uuids: tuple[str, ...] = ()
    collections: tuple[CollectionMembership, ...] = ()
    removed_collections: tuple[CollectionMembership, ...] = ()


@attrs.frozen(kw_only=True)
class CollectionItem(Model):
    """One member of a collection's ``items`` or ``removed_items`` (collections_get)."""

    lucid_id: str
    added_on: datetime | None = None
    removed_on: datetime | None = None
    removed_by_company_uuid: str | None = None


@attrs.frozen(kw_only=True)
class CollectionFields(Model):
    """What every collection has, a case included (a case is a collection of type ``case``).

    :class:`Collection` and :class:`Case` add their ``uuid`` (required on a collection,
    optional on a case); a case's items are :class:`CaseItem`, a kind of
    :class:`CollectionItem`.
    """

    identifier: str | None = None
    name: str | None = None
    collection_type: str | None = None
    sub_type: str | None = None
    is_public: bool | None = None
    is_removed: bool | None = None
    added_on: datetime | None = None
    removed_on: datetime | None = None
    items: tuple[CollectionItem, ...] = ()
    removed_items: tuple[CollectionItem, ...] = ()

    @property
    def lucid_ids(self) -> tuple[str, ...]:
        """The LucidIDs currently in the collection, in the order the API lists them."""
        return tuple(item.lucid_id for item in self.items)


@attrs.frozen(kw_only=True)
class Collection(CollectionFields):
    """``GET /api/v1.5/collections/<uuid or url-encoded identifier>/`` (collections_get).

    ``collection_type`` is an open set: ``"order"``, ``"case"``, ``"regulator"``,
    ``"origin"``, …
    """

    uuid: str


@attrs.frozen(kw_only=True)
class CaseItem(CollectionItem):
    """One member of a case's ``items`` (case_get).

    ``regulator_id_uuids`` points into the case's ``regulator_ids`` (Receive Case document).
    """

    regulator_id_uuids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RegulatorID(Model):
    """One entry of a case's ``regulator_ids``: a Metrc (or other regulator) tag."""

    uuid: str | None = None
    identifier: str | None = None
    added_on: datetime | None = None


@attrs.frozen(kw_only=True)
class Case(CollectionFields):
    """``GET /api/v1.5/collections/case/<identifier>/`` (case_get; path and schema truncated).

    What is known: a collection of type ``case`` whose ``items[].lucid_id`` are its
    LucidIDs, plus ``cases`` (contained sub-cases, shape unknown, kept as raw JSON) and
    ``regulator_ids``, both in chronological order. Every field is optional, ``uuid`` too.
    """

    uuid: str | None = None
    items: tuple[CaseItem, ...] = ()
    removed_items: tuple[CaseItem, ...] = ()
    cases: tuple[Any, ...] = ()
    regulator_ids: tuple[RegulatorID, ...] = ()


# --- Digital COAs -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DigitalCOA(Model):
    """``GET /api/v1.5/digital_coas/<uuid>/`` (digital_coa_details; the page is cut off).

    ``totals`` maps a total's key (``"total_thc"``, ``"total_cbd"``, …) to its
    :class:`Measure`; ``tests_performed`` maps a test group to its status (``"pass"``,
    ``"not_tested"``, …). The ``tests_*`` result objects are undocumented and kept as the
    raw JSON mapping.
    """

    uuid: str
    batch_uuid: str | None = None
    testing_laboratory: Laboratory | None = None
    sample_regulator_id: str | None = None
    batch_regulatory_id: str | None = None
    sample_received_on: datetime | None = None
    sample_tested_on: date | None = None
    report_created_on: datetime | None = None
    report_expires_on: datetime | None = None
    certificate_received_on: date | None = None
    entered_on: datetime | None = None
    certificate_url: str | None = None
    certificate_source_url: str | None = None
    totals: Mapping[str, Measure] = attrs.field(factory=dict)
    tests_performed: Mapping[str, str] = attrs.field(factory=dict)
    tests_cannabinoids: Mapping[str, Any] | None = None
    tests_terpenes: Mapping[str, Any] | None = None
    tests_residual_solvents: Mapping[str, Any] | None = None
    tests_pesticides: Mapping[str, Any] | None = None
    tests_heavy_metals: Mapping[str, Any] | None = None
    tests_mycotoxins: Mapping[str, Any] | None = None
    tests_microbials: Mapping[str, Any] | None = None
    tests_filth_and_foreign_material: Mapping[str, Any] | None = None
    tests_moisture_content: Mapping[str, Any] | None = None
    tests_water_activity: Mapping[str, Any] | None = None
    tests_ph: Mapping[str, Any] | None = None


# --- Assets -----------------------------------------------------------------------------


class AssetType(enum.StrEnum):
    """The ``<asset_type>`` path segment of the asset endpoints."""

    TEXTS = "texts"
    IMAGES = "images"
    VIDEOS = "videos"
    FILES = "files"


class TextAssetUsage(enum.StrEnum):
    """The values a text asset's ``usage`` may take; anything else is refused with 400.

    They name the product text field the asset fills. Being a ``StrEnum``, each member
    compares equal to its string: ``asset.usage == TextAssetUsage.DESCRIPTION``.
    """

    DESCRIPTION = "description"
    USAGE_RECOMMENDATION = "usage_recommendation"
    TESTING_METHODOLOGY = "testing_methodology"
    ABOUT_INGREDIENTS = "about_ingredients"


@attrs.frozen(kw_only=True)
class Asset(Model):
    """``GET /api/v1.5/assets/<asset_type>/`` entries, asset_get and the asset_create echo.

    ``content`` is a URL for images, videos and files, or the text itself for text assets.
    ``description`` is used by videos, ``usage`` by text assets (see :class:`TextAssetUsage`);
    it stays a plain string so an undocumented value never breaks decoding.
    """

    uuid: str
    name: str | None = None
    content: str | None = None
    description: str | None = None
    usage: str | None = None


@attrs.frozen(kw_only=True, field_transformer=text_checked)
class NewAsset:
    """Request body of ``POST /api/v1.5/assets/<asset_type>/create/`` (asset_create).

    ``content`` is the base64 of the file, or the text itself for a text asset.

    >>> NewAsset(name="Dosing", content="Start low.", usage=TextAssetUsage.DESCRIPTION).usage
    <TextAssetUsage.DESCRIPTION: 'description'>
    """

    name: str
    content: str
    description: str | None = None
    usage: TextAssetUsage | None = None


def _split_ids(packed: str | None) -> tuple[str, ...]:
    """Split a comma-separated ID string, dropping blanks: ``"A, B,"`` -> ``("A", "B")``."""
    if not packed:
        return ()
    return tuple(part.strip() for part in packed.split(",") if part.strip())
