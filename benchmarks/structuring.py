"""Structuring: µs per record in ``lucidgreen._converter`` vs pydantic v2 on the same data.

The records are real answers of the fake server (fetched once over loopback): a page of 100
products_list entries (LucidSource ``ProductSummary``, 6 flat fields) and LucidRetail
product details (``retail.models.Product``: 40 fields, US-style dates, decimal strings,
nested measures and images). The pydantic models declare the same fields with the same
optionality, plus the two validators the data needs to be accepted at all (``MM/DD/YYYY``
dates, ``null`` for a list), as a peer SDK on pydantic would.

Figures, each the median of several timed repeats:

- ``summary_list_*``: a whole page (``structure_list`` vs ``TypeAdapter(list[M])``), the
  path ``AsyncPager`` takes, per record;
- ``summary_one_*``: one record at a time (``structure`` vs ``M.model_validate``);
- ``retail_detail_*``: one Retail product detail (``structure`` vs ``M.model_validate``).

``*_ratio`` is the converter's time divided by pydantic's: below 1 the converter is faster.

What ``extras`` costs (information): ``extras_known_us`` structures the products_list page
as the fake sends it (every key known), ``extras_unknown_us`` the same page with
:data:`UNKNOWN_FIELDS` added to every record (7 keys, one of each JSON type, kept in
``model.extras``); ``extras_ratio`` is the second over the first.

Run ``python -m benchmarks.structuring [--quick]``.
"""

from __future__ import annotations

import asyncio
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import aiohttp
import pydantic

from lucidgreen._converter import structure, structure_list
from lucidgreen.retail.models import Product as RetailProduct
from lucidgreen.source.models import ProductSummary
from lucidgreen.testing import FakeLucidGreen

from ._common import fetch_token, median
from .overhead import ProductSummaryModel

#: Fields a newer API might add to each record, one of each JSON type, nested ones too.
UNKNOWN_FIELDS: dict[str, Any] = {
    "new_text": "organic",
    "new_int": 42,
    "new_float": 0.25,
    "new_flag": True,
    "new_null": None,
    "new_list": [1, "two", {"three": 3}],
    "new_object": {"grade": "A", "scores": [9.5, 8.0]},
}

# --- pydantic models a peer SDK would write for LucidRetail's product detail ---------------


def _us_date(value: Any) -> Any:
    """``"11/19/2018"`` as a date; anything else is left to pydantic."""
    if isinstance(value, str) and value.count("/") == 2:
        month, day, year = value.split("/")
        return date(int(year), int(month), int(day))
    return value


def _us_datetime(value: Any) -> Any:
    parsed = _us_date(value)
    return datetime(parsed.year, parsed.month, parsed.day) if isinstance(parsed, date) else value


def _none_to_empty(value: Any) -> Any:
    return () if value is None else value


UsDate = Annotated[date | None, pydantic.BeforeValidator(_us_date)]
UsDateTime = Annotated[datetime | None, pydantic.BeforeValidator(_us_datetime)]


class _Frozen(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)


class MeasureModel(_Frozen):
    name: str | None = None
    value: Decimal | None = None
    unit: str | None = None


class ImageModel(_Frozen):
    name: str | None = None
    url: str | None = None
    mime_type: str | None = None
    size_bytes: float | None = None
    updated_on: datetime | None = None


class ImageSetModel(_Frozen):
    thumbnail: ImageModel | None = None
    primary: ImageModel | None = None
    banner: ImageModel | None = None
    supplemental: Annotated[tuple[ImageModel, ...], pydantic.BeforeValidator(_none_to_empty)] = ()


class RetailProductModel(_Frozen):
    uuid: str
    sku: str | None = None
    name: str | None = None
    description: str | None = None
    brand_uuid: str | None = None
    published_on: UsDate = None
    available_on: UsDate = None
    added_on: UsDateTime = None
    discontinued_on: UsDate = None
    updated_on: datetime | None = None
    product_type: str | None = None
    usage: str | None = None
    variety: str | None = None
    strain: str | None = None
    chemotype: str | None = None
    product_line: str | None = None
    package_size: MeasureModel | None = None
    upc: str | None = None
    servings: Decimal | None = None
    serving_size: MeasureModel | None = None
    shelf_life: MeasureModel | None = None
    expected_total_thc: MeasureModel | None = None
    expected_total_cbd: MeasureModel | None = None
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
    images: ImageSetModel | None = None
    barcode: str | None = None


# --- data and timing ---------------------------------------------------------------------------


async def fetch_records(details: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One page of 100 products_list entries and ``details`` Retail product details."""
    async with (
        FakeLucidGreen(products=max(100, details), page_size=100, rate_limits=False) as fake,
        aiohttp.ClientSession() as session,
    ):
        source = await fetch_token(session, fake.url, *fake.source_credentials)
        retail = await fetch_token(session, fake.url, *fake.retail_credentials)
        async with session.get(
            f"{fake.url}/api/v1.5/products/", headers={"Authorization": f"Bearer {source}"}
        ) as response:
            summaries: list[dict[str, Any]] = (await response.json())["results"]
        detail_records = []
        for product in summaries[:details]:
            async with session.get(
                f"{fake.url}/api/v1.2/products/{product['uuid']}/",
                headers={"Authorization": f"Bearer {retail}"},
            ) as response:
                detail_records.append(await response.json())
        return summaries, detail_records


def per_record_us(work: Callable[[], object], records: int, *, seconds: float) -> list[float]:
    """µs per record of ``work`` (which handles ``records`` records), one figure per repeat."""
    number = max(1, int(seconds / max(timeit.timeit(work, number=1), 1e-7)))
    return [t / number / records * 1e6 for t in timeit.repeat(work, number=number, repeat=1)]


def check_same(ours: Any, theirs: pydantic.BaseModel) -> None:
    """Both sides read the same values (so neither does less work than the other)."""
    for name in type(theirs).model_fields:
        mine, other = getattr(ours, name), getattr(theirs, name)
        if isinstance(other, datetime) and other.tzinfo is None:
            other = other.replace(tzinfo=UTC)  # the SDK reads an offset-less value as UTC
        if isinstance(other, pydantic.BaseModel):
            check_same(mine, other)
        elif isinstance(other, tuple) and other and isinstance(other[0], pydantic.BaseModel):
            for a, b in zip(mine, other, strict=True):
                check_same(a, b)
        elif mine != other:
            raise AssertionError(f"{name}: {mine!r} != {other!r}")


def run(*, quick: bool = False) -> dict[str, float]:
    """The figures described in the module docstring, as ``{name: value}``."""
    summaries, details = asyncio.run(fetch_records(20))
    page_adapter = pydantic.TypeAdapter(list[ProductSummaryModel])
    for summary in summaries:
        check_same(structure(summary, ProductSummary), ProductSummaryModel.model_validate(summary))
    for detail in details:
        check_same(structure(detail, RetailProduct), RetailProductModel.model_validate(detail))

    cases: dict[str, tuple[Callable[[], object], Callable[[], object], int]] = {
        "summary_list": (
            lambda: structure_list(summaries, ProductSummary),
            lambda: page_adapter.validate_python(summaries),
            len(summaries),
        ),
        "summary_one": (
            lambda: [structure(s, ProductSummary) for s in summaries],
            lambda: [ProductSummaryModel.model_validate(s) for s in summaries],
            len(summaries),
        ),
        "retail_detail": (
            lambda: [structure(d, RetailProduct) for d in details],
            lambda: [RetailProductModel.model_validate(d) for d in details],
            len(details),
        ),
    }
    repeats, seconds = (3, 0.05) if quick else (9, 0.2)
    figures = extras_cost(summaries, repeats=repeats, seconds=seconds)
    for case, (ours, theirs, records) in cases.items():
        mine: list[float] = []
        other: list[float] = []
        for _ in range(repeats):  # interleaved, so a noisy neighbour hurts both alike
            mine += per_record_us(ours, records, seconds=seconds)
            other += per_record_us(theirs, records, seconds=seconds)
        figures[f"{case}_lucidgreen_us"] = median(mine)
        figures[f"{case}_pydantic_us"] = median(other)
        figures[f"{case}_ratio"] = median(mine) / median(other)
    return figures


def extras_cost(
    summaries: list[dict[str, Any]], *, repeats: int, seconds: float
) -> dict[str, float]:
    """µs/record of a page with every key known and with :data:`UNKNOWN_FIELDS` added."""
    widened = [{**summary, **UNKNOWN_FIELDS} for summary in summaries]
    decoded = structure_list(widened, ProductSummary)
    if any(dict(item.extras) != UNKNOWN_FIELDS for item in decoded):
        raise AssertionError("the unknown fields did not all reach extras")
    known: list[float] = []
    unknown: list[float] = []
    for _ in range(repeats):  # interleaved, as the other cases
        known += per_record_us(
            lambda: structure_list(summaries, ProductSummary), len(summaries), seconds=seconds
        )
        unknown += per_record_us(
            lambda: structure_list(widened, ProductSummary), len(widened), seconds=seconds
        )
    return {
        "extras_known_us": median(known),
        "extras_unknown_us": median(unknown),
        "extras_ratio": median(unknown) / median(known),
    }


if __name__ == "__main__":
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key:32} {value:10.3f}")
