"""Page plans and queries: which page paths a walk fetches ahead, and the caller's query
held on every page. Pure, like :mod:`lucidgreen._cursors`, whose link rules it builds on."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ._cursors import page_number

__all__ = ["keeping", "planned_last_page", "planned_page_urls", "query_path", "with_page"]


def with_page(path: str, number: int) -> str:
    """``path`` with its ``page`` parameter set to ``number`` in place, others kept."""
    parts = urlsplit(path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    page = str(number)
    if any(key == "page" for key, _ in query):
        query = [(key, page if key == "page" else value) for key, value in query]
    else:
        query.append(("page", page))
    return f"{parts.path}?{urlencode(query)}"


def planned_last_page(first: int, *, count: int, page_size: int, remaining: int | None) -> int:
    """The last page worth fetching ahead when page ``first`` is the next one.

    ``count`` over ``page_size`` says how many pages the list has now; with ``remaining``
    (items still wanted under a ``limit``) only the pages holding those items count.
    """
    if page_size <= 0:
        return first - 1
    last = math.ceil(count / page_size)
    if remaining is not None:
        last = min(last, first - 1 + math.ceil(remaining / page_size))
    return last


def planned_page_urls(
    next_path: str,
    *,
    count: int,
    page_size: int,
    remaining: int | None,
    start: int | None = None,
) -> Iterator[str] | None:
    """The remaining pages' paths, lazily, when the list pages by number; else ``None``.

    ``next_path`` is the next page's link as the server gave it, ``page_size`` the length
    of a full page. With ``remaining`` (items still wanted under a ``limit``) only the pages
    holding those items are planned. ``start`` skips to a later page number. A generator:
    a ``count`` of 10**9 costs nothing until pages are drawn from it.
    """
    first = page_number(next_path)
    if first is None or page_size <= 0:
        return None
    last = planned_last_page(first, count=count, page_size=page_size, remaining=remaining)
    begin = first if start is None else max(first, start)
    return (with_page(next_path, number) for number in range(begin, last + 1))


def keeping(path: str, pairs: Sequence[tuple[str, str]]) -> str:
    """``path`` with the caller's query ``pairs`` holding: unchanged when its query already
    carries them (a DRF link does), else with those keys set to the caller's values again
    (a link that dropped or changed a filter would silently walk another list)."""
    if not pairs:
        return path
    base, _, query = path.partition("?")
    present = parse_qsl(query, keep_blank_values=True)
    keys = {key for key, _ in pairs}
    if [pair for pair in present if pair[0] in keys] == list(pairs):
        return path
    kept = [pair for pair in present if pair[0] not in keys]
    return f"{base}?{urlencode([*kept, *pairs])}"


def query_path(endpoint: str, params: Sequence[tuple[str, Any]] | None) -> str:
    """The first page's path: ``endpoint`` plus the caller's filters."""
    pairs = [(key, str(value)) for key, value in params or () if value is not None]
    return f"{endpoint}?{urlencode(pairs)}" if pairs else endpoint
