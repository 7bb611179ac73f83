"""Where a resume starts: the record a cursor ended on, found again on the server's pages.

Between a cursor and its resume the list may change: records removed or added before the
cursor's place move its record within its page or onto a neighbour, and a new page size
moves it to another page altogether. So a resume does not trust the page number it saved:
it fetches the cursor's page and looks for the record by id; when it has moved, it looks
where its position and the new page size put it, and next to that. Found, the walk goes on
right after it (nothing repeated, nothing skipped); not found after a few pages,
:class:`~lucidgreen.errors.PageLayoutChanged` says what changed. The decisions are pure
functions; :func:`relocate` only fetches the pages they name (at most
:data:`MAX_RELOCATE_PAGES`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import attrs

from ._cursors import Anchor, page_number, record_key
from ._envelopes import DrfPage
from ._page_plans import with_page
from .errors import NotFound, PageLayoutChanged

__all__ = ["MAX_RELOCATE_PAGES", "Located", "candidate_pages", "find", "relocate"]

MAX_RELOCATE_PAGES = 8
"""Pages a resume fetches, at most, to find its record: its own page, page 1 (to learn a
new page size), and the three pages around each of the two places it may have moved to."""

Fetch = Callable[[str], Awaitable[DrfPage]]


@attrs.frozen
class Located:
    """The page holding the cursor's record, and how many of its records came before."""

    path: str
    raw: DrfPage
    skip: int  # records of ``raw.results`` already delivered: up to the anchor, included


def find(results: Sequence[Any], anchor: Anchor) -> int | None:
    """The anchor record's index in ``results``: at its old index, else anywhere; or None."""
    if anchor.key is None:
        return None
    if anchor.index < len(results) and record_key(results[anchor.index]) == anchor.key:
        return anchor.index
    for index, record in enumerate(results):
        if record_key(record) == anchor.key:
            return index
    return None


def page_size_of(raw: DrfPage) -> int | None:
    """The server's page size, when this page shows it (a full page: one that links on)."""
    return len(raw.results) if raw.next is not None and raw.results else None


def candidate_pages(anchor: Anchor, number: int, new_size: int | None, moved: int = 0) -> list[int]:
    """The pages worth searching after the anchor's own page ``number``, likeliest first.

    The record's old position, and that position ``moved`` on (the change of ``count``:
    records added or removed before it move it by as many), each at the page size now
    (``new_size``, else the old one), with the pages either side of each.
    """
    size = new_size or anchor.page_size
    if size <= 0:
        return []
    position = (number - 1) * anchor.page_size + anchor.index
    pages: list[int] = []
    for estimate in dict.fromkeys((position + moved, position)):
        target = max(estimate, 0) // size + 1
        pages += [target, target - 1, target + 1]
    return [page for page in dict.fromkeys(pages) if page >= 1 and page != number]


def _unchanged(raw: DrfPage, anchor: Anchor, count: int | None) -> bool:
    """Without an id, the page can only be trusted when nothing about the list moved."""
    return (
        raw.count == count
        and page_size_of(raw) in (None, anchor.page_size)
        and anchor.index < len(raw.results)
    )


@attrs.define
class _Search:
    """The pages one resume fetched (``None``: answered 404), in the order asked."""

    fetch: Fetch
    anchor: Anchor
    seen: dict[str, DrfPage | None] = attrs.field(factory=dict)

    async def look(self, path: str) -> Located | None:
        if path in self.seen or len(self.seen) >= MAX_RELOCATE_PAGES:
            return None
        try:
            raw: DrfPage | None = await self.fetch(path)
        except NotFound:  # past the last page at the new page size, or the list shrank
            raw = None
        self.seen[path] = raw
        if raw is None:
            return None
        index = find(raw.results, self.anchor)
        if index is None:
            return None
        if index != self.anchor.index and _occurrences(raw.results, self.anchor.key) > 1:
            raise _Ambiguous(path)  # which copy is ours? a guess would repeat or skip
        return Located(path, raw, index + 1)

    def new_size(self) -> int | None:
        pages = [raw for raw in self.seen.values() if raw is not None]
        for raw in pages:
            if (size := page_size_of(raw)) is not None:
                return size
        only = [raw for raw in pages if raw.previous is None and raw.next is None]
        return len(only[0].results) or None if only else None  # the list is one page now

    def new_count(self) -> int | None:
        return next((raw.count for raw in self.seen.values() if raw is not None), None)


class _Ambiguous(Exception):
    """The cursor's record moved, and its id is now on the page more than once."""


def _occurrences(results: Sequence[Any], key: str | int | None) -> int:
    return sum(1 for record in results if record_key(record) == key)


async def relocate(
    anchor: Anchor, fetch: Fetch, *, endpoint: str, count: int | None, cursor: str
) -> Located:
    """The page and position right after ``anchor``'s record on the list as it is now.

    Raises :class:`PageLayoutChanged` when the record is not found (or, for records
    without an id, when the page no longer looks as it did), or when it moved and its id
    is now listed more than once on a page (resuming after the wrong copy would repeat or
    skip the records between them).
    """
    search = _Search(fetch, anchor)
    try:
        return await _search(search, endpoint=endpoint, count=count, cursor=cursor)
    except _Ambiguous as exc:
        twice = f"; it moved, and its id is now listed more than once on {_page_label(str(exc))}"
        raise _changed(search, endpoint=endpoint, count=count, cursor=cursor, note=twice) from None


async def _search(search: _Search, *, endpoint: str, count: int | None, cursor: str) -> Located:
    anchor = search.anchor
    if (found := await search.look(anchor.path)) is not None:
        return found
    own = search.seen[anchor.path]
    if anchor.key is None:
        if own is not None and _unchanged(own, anchor, count):
            return Located(anchor.path, own, anchor.index + 1)
        raise _changed(search, endpoint=endpoint, count=count, cursor=cursor)
    number = _number(anchor.path, own)
    if number is not None:
        first = with_page(anchor.path, 1)
        if search.new_size() is None and (found := await search.look(first)) is not None:
            return found
        new_count = search.new_count()
        moved = 0 if new_count is None or count is None else new_count - count
        for page in candidate_pages(anchor, number, search.new_size(), moved):
            if (found := await search.look(with_page(anchor.path, page))) is not None:
                return found
    raise _changed(search, endpoint=endpoint, count=count, cursor=cursor)


def _number(path: str, raw: DrfPage | None) -> int | None:
    """The page number of ``path``: 1 for a first page without one, if the list numbers."""
    number = page_number(path)
    if number is not None or raw is None:
        return number
    links = [link for link in (raw.next, raw.previous) if link]
    return 1 if any(page_number(link) is not None for link in links) else None


def _changed(
    search: _Search, *, endpoint: str, count: int | None, cursor: str, note: str = ""
) -> PageLayoutChanged:
    anchor = search.anchor
    searched = ", ".join(_page_label(path) for path in search.seen)
    what = f"the record {anchor.key!r}" if anchor.key is not None else "the record"
    size = search.new_size()
    message = (
        f"{endpoint}: cannot resume: {what} this cursor ended on (index {anchor.index} of "
        f"{_page_label(anchor.path)}, at {anchor.page_size} a page, {count} counted) is not "
        f"on {searched} any more: the list now has {search.new_count()} counted, "
        f"{size if size is not None else 'an unknown number of'} records a page"
    )
    if anchor.key is None:
        message += ", and its records have no id to find the place again"
    message += note
    message += "; start again from the beginning"
    return PageLayoutChanged(message, cursor=cursor, text=cursor[:200])


def _page_label(path: str) -> str:
    number = page_number(path)
    return f"page {number}" if number is not None else path
