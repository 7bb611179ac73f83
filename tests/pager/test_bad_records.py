"""Records that do not decode: told apart from the good ones (pure), and ``on_bad_record``."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import pytest

from lucidgreen._converter import structure_list
from lucidgreen._decode_report import decode_records
from lucidgreen._envelopes import DrfPage
from lucidgreen._pager import AsyncPager
from lucidgreen.source.models import ProductSummary

ENDPOINT = "/api/v1.5/products/"


def decode(results: list[Any]) -> Sequence[ProductSummary]:
    return structure_list(results, ProductSummary)


def test_decode_records_keeps_the_good_records_in_order_and_reports_the_others() -> None:
    """Indices are the page's (``first`` added), reasons name the field within the record."""
    results = [{"uuid": "a"}, {"uuid": "b", "name": {}}, {"uuid": "c"}, 7]
    items, skipped = decode_records(decode, results, page="/p/?page=2", first=3)
    assert [item.uuid for item in items] == ["a", "c"]
    assert [(s.index, json.loads(s.raw), s.page) for s in skipped] == [
        (4, {"uuid": "b", "name": {}}, "/p/?page=2"),
        (6, 7, "/p/?page=2"),
    ]
    assert skipped[0].reason == "expected a string, got dict: {} @ $.name"
    assert skipped[1].reason.startswith("expected a JSON object")
    assert skipped[1].reason.endswith("@ $")


def test_decode_records_of_a_good_page_decodes_it_once() -> None:
    calls: list[int] = []

    def counting(results: list[Any]) -> Sequence[ProductSummary]:
        calls.append(len(results))
        return decode(results)

    items, skipped = decode_records(counting, [{"uuid": "a"}, {"uuid": "b"}], page="/p/")
    assert (len(items), skipped, calls) == (2, (), [2])


def _pager(pages: dict[str, DrfPage], **options: Any) -> AsyncPager[ProductSummary]:
    async def fetch(path: str) -> DrfPage:
        return pages[path]

    return AsyncPager(endpoint=ENDPOINT, first_path=ENDPOINT, fetch=fetch, decode=decode, **options)


PAGES = {
    ENDPOINT: DrfPage(3, f"{ENDPOINT}?page=2", None, [{"uuid": "a"}, {"uuid": "b", "name": []}]),
    f"{ENDPOINT}?page=2": DrfPage(3, None, ENDPOINT, [{"uuid": "c"}]),
}


async def test_skip_goes_on_with_a_warning_and_keeps_the_records_on_the_pager(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``on_bad_record="skip"``: every good record, no error, ``pager.skipped`` and a warning."""
    pager = _pager(PAGES, on_bad_record="skip")
    with caplog.at_level(logging.WARNING, "lucidgreen.pager"):
        got = [item.uuid async for item in pager]
    assert got == ["a", "c"]
    assert [(s.index, s.page) for s in pager.skipped] == [(1, ENDPOINT)]
    assert "did not decode" in caplog.text


def test_on_bad_record_takes_only_raise_or_skip() -> None:
    with pytest.raises(ValueError, match="on_bad_record"):
        _pager(PAGES, on_bad_record="ignore")
