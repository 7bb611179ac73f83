"""Value objects that LucidSource and LucidRetail responses share: measures, media, labs, brands,
and :class:`Model`, the base of every response model (its :attr:`~Model.extras`).

Layer 1: attrs only. Every wire-format rule (``""`` dates, decimal strings, ``size_bytes``
as ``""``) lives in :mod:`lucidgreen._converter`, never here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

__all__ = [
    "NO_EXTRAS",
    "Brand",
    "Extras",
    "Image",
    "ImageSet",
    "Laboratory",
    "Measure",
    "MediaFile",
    "Model",
    "Video",
]


class Extras(Mapping[str, Any]):
    """The fields of an answer that its model does not know, read-only, as the JSON values sent.

    Keys are the wire names exactly (``"class"``, ``"extras"`` and ``"__init__"`` included:
    they are keys here, never attributes). Compares equal to any mapping with the same items.

    >>> Extras({"class": "A", "new_field": [1, {"x": None}]})["new_field"]
    [1, {'x': None}]
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = {} if data is None else dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return f"Extras({self._data!r})"

    def __reduce__(self) -> tuple[type[Extras], tuple[dict[str, Any]]]:
        return Extras, (self._data,)


NO_EXTRAS = Extras()
"""The (shared, immutable) extras of a model whose answer held only known fields."""


def _as_extras(value: Mapping[str, Any] | None) -> Extras:
    if isinstance(value, Extras):
        return value
    return NO_EXTRAS if not value else Extras(value)


@attrs.frozen(kw_only=True)
class Model:
    """The base of every response model.

    ``extras`` holds every field of the answer the model does not know (the API adds fields
    without a version bump), top level here and nested in each nested model, as the JSON
    values sent. It takes part in ``==`` (two records differing only in a new field are not
    equal) but not in ``hash`` or ``repr``. :func:`lucidgreen.to_dict` puts them back.
    """

    extras: Extras = attrs.field(
        default=NO_EXTRAS, converter=_as_extras, repr=False, hash=False, kw_only=True
    )
    # The JSON values behind the fields the converter changed (a datetime's string, say), so
    # that to_dict gives back what the server sent. Private: read it through to_dict().
    _wire: Mapping[str, Any] = attrs.field(
        default=NO_EXTRAS, init=False, repr=False, eq=False, hash=False
    )


@attrs.frozen(kw_only=True)
class Measure(Model):
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
class MediaFile(Model):
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
class ImageSet(Model):
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
class Laboratory(Model):
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
class Brand(Model):
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
