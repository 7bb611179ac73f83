"""What models share is in their types, and structuring them is unchanged by it.

Also: the three converter modules keep their jobs apart (the wire parsers import no
cattrs or attrs), and no push model has the name of a source model of another shape.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import lucidgreen
from lucidgreen import _parsers, push
from lucidgreen._common_models import Brand, Image, MediaFile, Video
from lucidgreen._converter import ModelConverter
from lucidgreen.retail import models as retail
from lucidgreen.source import models as source

Sample = Callable[[str], Any]
PACKAGE = Path(lucidgreen.__file__).parent


def _names(cls: type[Any]) -> list[str]:
    """The API fields of ``cls`` (every model's ``extras`` and private ``_wire`` left out)."""
    return [field.name for field in attrs.fields(cls) if field.name not in ("extras", "_wire")]


def test_image_and_video_are_media_files_and_video_only_adds_video_details() -> None:
    """Video is Image-like in its type: both are MediaFile, Video adds four fields."""
    assert issubclass(Image, MediaFile)
    assert issubclass(Video, MediaFile)
    assert not issubclass(Video, Image)
    media = _names(MediaFile)
    assert _names(Image) == media
    assert _names(Video)[: len(media)] == media
    assert _names(Video)[len(media) :] == [
        "uploaded_by",
        "description",
        "length_in_minutes",
        "video_source_link",
    ]


def test_collection_and_case_share_their_collection_fields() -> None:
    """Collection and Case both extend CollectionFields: the nine fields they share are
    declared once (uuid is declared on each: required on a collection, optional on a case)."""
    shared = [
        "identifier",
        "name",
        "collection_type",
        "sub_type",
        "is_public",
        "is_removed",
        "added_on",
        "removed_on",
    ]
    for cls in (source.Collection, source.Case):
        assert issubclass(cls, source.CollectionFields)
        assert _names(cls)[: len(shared)] == shared
        assert "uuid" in _names(cls)
    defaults = {
        cls: attrs.fields_dict(cls)["uuid"].default for cls in (source.Collection, source.Case)
    }
    assert defaults == {source.Collection: attrs.NOTHING, source.Case: None}
    assert attrs.fields(attrs.resolve_types(source.Case)).items.type == tuple[source.CaseItem, ...]


def test_the_brand_is_one_class_for_both_products() -> None:
    """LucidSource's brand details and LucidRetail's brands.get decode into one Brand."""
    assert source.Brand is retail.Brand is Brand


def test_a_brand_video_decodes_as_before(strict: ModelConverter, sample: Sample) -> None:
    """The sample brand's video: every field, the "" size as None, the date parsed."""
    brand = strict.structure(sample("source/brand_detail.json"), source.Brand)
    video = brand.brand_video
    assert isinstance(video, Video)
    raw = sample("source/brand_detail.json")["brand_video"]
    assert (video.name, video.url, video.mime_type) == (raw["name"], raw["url"], raw["mime_type"])
    assert video.size_bytes is None  # sent as ""
    assert (video.uploaded_by, video.video_source_link) == (
        raw["uploaded_by"],
        raw["video_source_link"],
    )
    assert brand.images is not None
    assert isinstance(brand.images.thumbnail, Image)


@pytest.mark.parametrize("cls", [source.Collection, source.Case])
def test_collections_and_cases_decode_their_shared_fields_alike(
    strict: ModelConverter, sample: Sample, cls: type[source.CollectionFields]
) -> None:
    """The same collection JSON gives the same shared values as a Collection or a Case."""
    data = sample("source/collection_detail.json")
    decoded = strict.structure(data, cls)
    assert decoded.identifier == data["identifier"]
    assert decoded.lucid_ids == tuple(item["lucid_id"] for item in data["items"])
    assert decoded.added_on is not None


def test_no_push_model_has_the_name_of_a_different_source_model() -> None:
    """push's case-document models are CaseDocumentItem / CaseRegulatorID: no name of
    push.__all__ is also a source model unless it is the very same class."""
    assert not hasattr(push, "CaseItem")
    assert not hasattr(push, "RegulatorID")
    for name in set(push.__all__) & set(source.__all__):
        assert getattr(push, name) is getattr(source, name)
    assert attrs.has(push.CaseDocumentItem)
    assert attrs.has(push.CaseRegulatorID)


def _imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_wire_parsers_are_pure_and_each_converter_module_is_small() -> None:
    """_parsers imports only the standard library; the three converter modules each stay
    under 400 lines; the old shims are gone."""
    assert _imports(PACKAGE / "_parsers.py") <= {
        "__future__",
        "math",
        "datetime",
        "decimal",
        "typing",
    }
    for name in ("_parsers.py", "_converter.py", "_fastpath.py"):
        assert len((PACKAGE / name).read_text(encoding="utf-8").splitlines()) < 400
    assert not (PACKAGE / "_resources_source.py").exists()
    assert not (PACKAGE / "_resources_retail.py").exists()


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (_parsers.to_decimal, "40.0000", Decimal("40.0000")),
        (_parsers.to_decimal, "", None),
        (_parsers.to_date, "11/19/2018", date(2018, 11, 19)),
        (_parsers.to_float, "", None),
        (_parsers.to_str, 12345, "12345"),
        (_parsers.to_bool, "True", True),
    ],
)
def test_the_wire_parsers_read_plain_values(parser: Any, value: Any, expected: Any) -> None:
    """The parsers are plain functions of one JSON value, callable without a converter."""
    assert parser(value) == expected


@pytest.mark.parametrize(
    ("parser", "value"),
    [
        (_parsers.to_decimal, "NaN"),
        (_parsers.to_date, "13/45/2020"),
        (_parsers.to_float, "inf"),
        (_parsers.to_bool, 2),
    ],
)
def test_the_wire_parsers_refuse_with_the_value_quoted(parser: Any, value: Any) -> None:
    """A value a parser refuses raises ValueError/TypeError quoting it."""
    with pytest.raises((ValueError, TypeError), match=repr(value)[:5].strip("'")):
        parser(value)
