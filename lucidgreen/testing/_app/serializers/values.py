"""How the two APIs write values: ``Z`` or ``-08:00`` datetimes, ISO or US days, decimals as
strings, measures, and media objects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from ..._state.records import Brand, MediaFile, Product

__all__ = [
    "JSON",
    "dec",
    "fields",
    "image",
    "images",
    "iso_day",
    "measure",
    "pacific",
    "ratio",
    "us_day",
    "video",
    "z",
]

JSON = dict[str, Any]
_PACIFIC = timezone(timedelta(hours=-8))


def fields(record: object, *names: str) -> JSON:
    """``{name: record.name}``, in this order, for fields the wire shows as they are stored."""
    return {name: getattr(record, name) for name in names}


def z(value: datetime | None) -> str | None:
    """``2021-02-10T05:35:04.607692Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def pacific(value: datetime | None) -> str | None:
    """``2025-11-24T05:11:10.710679-08:00``, the LucidRetail example's style."""
    return None if value is None else value.astimezone(_PACIFIC).isoformat()


def iso_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def us_day(value: date | None) -> str | None:
    """``11/19/2018``: LucidRetail's product dates are US-style, not ISO."""
    return None if value is None else value.strftime("%m/%d/%Y")


def dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def measure(name: str, value: Decimal, unit: str) -> JSON:
    return {"name": name, "value": dec(value), "unit": unit}


def image(media: MediaFile, base: str) -> JSON:
    return {
        "name": media.name,
        "url": base + media.path,
        "mime_type": media.mime_type,
        "size_bytes": media.size_bytes,
        "updated_on": z(media.updated_on),
    }


def images(images: dict[str, MediaFile], base: str) -> JSON:
    return {kind: image(media, base) for kind, media in images.items()}


def video(brand: Brand, base: str) -> JSON:
    return {
        "name": brand.video.name,
        "url": base + brand.video.path,
        "mime_type": brand.video.mime_type,
        # Documented quirk: a string here, a float on images.
        "size_bytes": "",
        "updated_on": z(brand.video.updated_on),
        "uploaded_by": brand.video_uploaded_by,
        "description": brand.video_description,
        "length_in_minutes": brand.video_length_in_minutes,
        "video_source_link": brand.video_source_link,
    }


def ratio(product: Product) -> str:
    if not product.total_cbd:
        return ""
    return f"{round(product.total_thc / product.total_cbd)}:1"
