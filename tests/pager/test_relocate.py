"""The pure half of a resume: anchors in cursors, finding a record, the pages worth a look;
and :func:`relocate` over an in-memory list (no event loop beyond the coroutine)."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest

from lucidgreen import PageLayoutChanged
from lucidgreen._cursors import Anchor, Cursor, decode_cursor, encode_cursor, record_key
from lucidgreen._envelopes import DrfPage
from lucidgreen._relocate import MAX_RELOCATE_PAGES, candidate_pages, find, relocate
from lucidgreen.errors import NotFound

ENDPOINT = "/api/v1.5/products/"


def anchor(page: int = 4, index: int = 9, key: str | None = "k39", size: int = 10) -> Anchor:
    return Anchor(f"{ENDPOINT}?page={page}", index, key, size)


def test_an_anchor_round_trips_through_the_cursor_text() -> None:
    cursor = Cursor(ENDPOINT, f"{ENDPOINT}?page=5", 100, 40, anchor=anchor())
    assert decode_cursor(encode_cursor(cursor), endpoint=ENDPOINT) == cursor
    keyless = Cursor(ENDPOINT, f"{ENDPOINT}?page=5", 100, 40, anchor=anchor(key=None))
    assert decode_cursor(encode_cursor(keyless), endpoint=ENDPOINT) == keyless


def _tampered(**changes: Any) -> str:
    text = encode_cursor(Cursor(ENDPOINT, f"{ENDPOINT}?page=5", 100, 40, anchor=anchor()))
    payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    payload.update(changes)
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"a": "/api/v1.5/batches/?page=4"},
        {"a": "https://evil.example/api/v1.5/products/?page=4"},
        {"a": f"{ENDPOINT}../brands/"},
        {"a": 4},
        {"x": -1},
        {"x": True},
        {"z": "10"},
        {"i": ["k39"]},
        {"i": True},
        {"i": "k" * 201},
    ],
)
def test_a_tampered_anchor_is_a_value_error(changes: dict[str, Any]) -> None:
    """An anchor on another list or host, or of the wrong types, never reaches a request."""
    with pytest.raises(ValueError, match="cursor"):
        decode_cursor(_tampered(**changes), endpoint=ENDPOINT)


@pytest.mark.parametrize(
    ("record", "key"),
    [
        ({"uuid": "u", "id": 3}, "u"),
        ({"id": 3}, 3),
        ({"uuid": "", "id": 3}, 3),
        ({"uuid": {"x": 1}}, None),
        ({"id": True}, None),
        ({"uuid": "u" * 201}, None),
        ([1, 2], None),
        (None, None),
    ],
)
def test_record_key_is_a_short_uuid_or_id(record: Any, key: object) -> None:
    assert record_key(record) == key


def test_find_prefers_the_old_index_then_searches_the_page() -> None:
    rows = [{"uuid": f"k{i}"} for i in range(30, 40)]
    assert find(rows, anchor(index=9)) == 9
    assert find(rows, anchor(index=2)) == 9  # moved within its page
    assert find(rows, anchor(key="gone")) is None
    assert find(rows, anchor(key=None)) is None


def test_candidate_pages_follow_the_count_change_and_the_new_size() -> None:
    # Same size, same count: the neighbours of page 4.
    assert candidate_pages(anchor(), 4, None) == [3, 5]
    # 12 records added before record 39 put it on page 6.
    assert candidate_pages(anchor(), 4, 10, moved=12)[0] == 6
    # 50 a page before, 100 now: record 199 (page 4, index 49) is on page 2.
    assert candidate_pages(anchor(index=49, size=50), 4, 100)[0] == 2
    # Never page 0, never the anchor's own page.
    assert 0 not in candidate_pages(anchor(page=1, index=0), 1, 10, moved=-5)


def _list_fetch(keys: list[str], size: int, seen: list[int]) -> Any:
    async def fetch(path: str) -> DrfPage:
        page = int(path.rpartition("page=")[2]) if "page=" in path else 1
        seen.append(page)
        last = max(1, math.ceil(len(keys) / size))
        if not 1 <= page <= last:
            raise NotFound("Invalid page.", status=404)
        rows = [{"uuid": key} for key in keys[(page - 1) * size : page * size]]
        nxt = f"{ENDPOINT}?page={page + 1}" if page < last else None
        back = f"{ENDPOINT}?page={page - 1}" if page > 1 else None
        return DrfPage(len(keys), nxt, back, rows)

    return fetch


async def test_relocate_finds_the_record_after_a_page_size_change() -> None:
    seen: list[int] = []
    keys = [f"k{i}" for i in range(400)]
    located = await relocate(
        anchor(index=49, key="k199", size=50),
        _list_fetch(keys, 100, seen),
        endpoint=ENDPOINT,
        count=400,
        cursor="c",
    )
    assert (located.path, located.skip) == (f"{ENDPOINT}?page=2", 100)
    assert seen == [4, 1, 2]


async def test_relocate_without_ids_trusts_only_an_unchanged_page() -> None:
    seen: list[int] = []
    keys = [f"k{i}" for i in range(100)]
    fetch = _list_fetch(keys, 10, seen)
    located = await relocate(anchor(key=None), fetch, endpoint=ENDPOINT, count=100, cursor="c")
    assert (located.path, located.skip) == (f"{ENDPOINT}?page=4", 10)
    with pytest.raises(PageLayoutChanged, match="no id"):
        await relocate(anchor(key=None), fetch, endpoint=ENDPOINT, count=101, cursor="c")


async def test_relocate_gives_up_after_a_bounded_number_of_pages() -> None:
    seen: list[int] = []
    keys = [f"other{i}" for i in range(1000)]
    with pytest.raises(PageLayoutChanged, match="'k39'") as caught:
        await relocate(
            anchor(), _list_fetch(keys, 10, seen), endpoint=ENDPOINT, count=100, cursor="c"
        )
    assert len(seen) <= MAX_RELOCATE_PAGES
    assert caught.value.cursor == "c"


async def test_relocate_finds_a_record_moved_from_the_first_page_without_a_page_number() -> None:
    """The first page's path has no ``page``; 3 records added before record 9 push it to
    page 2, found through the numbered links of page 1."""
    seen: list[int] = []
    keys = ["n0", "n1", "n2", *(f"k{i}" for i in range(100))]
    first = Anchor(ENDPOINT, 9, "k9", 10)
    located = await relocate(
        first, _list_fetch(keys, 10, seen), endpoint=ENDPOINT, count=100, cursor="c"
    )
    assert (located.path, located.skip) == (f"{ENDPOINT}?page=2", 3)


async def test_relocate_finds_the_record_on_page_one_after_the_size_grew() -> None:
    """Page 4 at 10 a page is past the end at 50 a page (404): page 1 shows the new size
    and holds record 39 itself."""
    seen: list[int] = []
    keys = [f"k{i}" for i in range(100)]
    located = await relocate(
        anchor(), _list_fetch(keys, 50, seen), endpoint=ENDPOINT, count=100, cursor="c"
    )
    assert (located.path, located.skip, seen) == (f"{ENDPOINT}?page=1", 40, [4, 1])


async def test_relocate_on_a_list_without_page_numbers_only_trusts_its_own_page() -> None:
    """Links that are not numbered give nothing to compute a neighbour from: one fetch,
    then PageLayoutChanged."""
    seen: list[str] = []

    async def fetch(path: str) -> DrfPage:
        seen.append(path)
        return DrfPage(None, f"{ENDPOINT}?cursor=xyz", None, [{"uuid": "other"}])

    where = Anchor(f"{ENDPOINT}?cursor=abc", 0, "k1", 1)
    with pytest.raises(PageLayoutChanged, match="'k1'"):
        await relocate(where, fetch, endpoint=ENDPOINT, count=None, cursor="c")
    assert seen == [f"{ENDPOINT}?cursor=abc"]
