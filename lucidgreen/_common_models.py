"""Value objects that LucidSource and LucidRetail responses share: measures, media, labs, brands.

Layer 1: attrs only. Every wire-format rule (``""`` dates, decimal strings, ``size_bytes``
as ``""``) lives in :mod:`lucidgreen._converter`, never here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

__all__ = ["Brand", "Image", "ImageSet", "Laboratory", "Measure", "MediaFile", "Video"]


@attrs.frozen(kw_only=True)
class Measure:
    """A quantity with its unit: ``package_size``, ``serving_size``, potency, COA totals.

    ``value`` is a :class:`~decimal.Decimal` because the API sends decimal strings of varying
    precision (``"40.0000"``); ``None`` when the API sends ``null`` or ``""``.

    >>> Measure(name="Weight", value=Decimal("3.5"), unit="g").value
    Decimal('3.5')
    """

    name: str | None = None
    value: Decimal | None = None
    unit: str | None = None


@attrs.frozen(kw_only=True)
class MediaFile:
    """The fields every media file of the API carries: an :class:`Image` or a :class:`Video`.

    ``size_bytes`` is ``None`` when the API sends ``""`` instead of a number.
    """

    name: str | None = None
    url: str | None = None
    mime_type: str | None = None
    size_bytes: float | None = None
    updated_on: datetime | None = None


@attrs.frozen(kw_only=True)
class Image(MediaFile):
    """One image file of a brand or product (``images.thumbnail`` and friends)."""


@attrs.frozen(kw_only=True)
class ImageSet:
    """The ``images`` object: ``thumbnail``, ``primary`` and ``banner``, each optional.

    LucidRetail adds ``supplemental`` (``null`` in the only documented example); it is read
    as a list of images and is empty when absent or ``null``.
    """

    thumbnail: Image | None = None
    primary: Image | None = None
    banner: Image | None = None
    supplemental: tuple[Image, ...] = ()


@attrs.frozen(kw_only=True)
class Video(MediaFile):
    """A brand's ``brand_video``: a media file like an :class:`Image`, plus its video details."""

    uploaded_by: str | None = None
    description: str | None = None
    length_in_minutes: float | None = None
    video_source_link: str | None = None


@attrs.frozen(kw_only=True)
class Laboratory:
    """A testing laboratory: a batch's ``testing_laboratories[]`` or a COA's ``testing_laboratory``.

    ``logo_url`` appears on the digital COA only.
    """

    uuid: str
    name: str | None = None
    logo_url: str | None = None
    street_address_1: str | None = None
    street_address_2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@attrs.frozen(kw_only=True)
class Brand:
    """A brand's details: LucidSource's ``GET /api/v1.5/brands/<uuid>/`` (brand_details), a
    LucidSource product's nested ``brand``, and LucidRetail's ``GET /api/v1.2/brands/<uuid>/``
    (Brand Detail; its schema is not documented and is read as LucidSource's).

    ``address`` is documented on brand_details only.
    """

    uuid: str
    name: str | None = None
    company: str | None = None
    slug: str | None = None
    description: str | None = None
    website: str | None = None
    updated_on: datetime | None = None
    state: str | None = None
    country: str | None = None
    address: str | None = None
    images: ImageSet | None = None
    brand_video: Video | None = None
