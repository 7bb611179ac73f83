"""``AsyncPager[T]``: every list endpoint's result, iterated lazily across pages."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from . import _paging
from ._envelopes import DrfPage
from ._paging import Cursor
from .errors import DecodeError

__all__ = ["AsyncPager", "Page"]

T = TypeVar("T")
logger = logging.getLogger("lucidgreen.pager")

FetchPage = Callable[[str], Awaitable[DrfPage]]
"""Fetch one page by path-and-query on the client's own origin (retries happen inside)."""


@attrs.frozen
class Page(Generic[T]):
    """One page of a list, its items already typed.

    ``cursor`` is a plain string: pass it as ``list(resume_from=cursor)`` to continue with
    what comes after this page, in this process or another one.
    """

    items: Sequence[T]
    count: int | None
    next_url: str | None
    previous_url: str | None
    cursor: str


@attrs.define
class _Walk:
    """Where one iteration stands."""

    count: int | None
    yielded: int
    taken: int = 0
    warned_count: bool = False
    last_page: int = 0
    seen_links: set[str] = attrs.field(factory=set)


class AsyncPager(Generic[T]):
    """Items of a list endpoint, fetched page by page as the caller iterates.

    ``async for item in pager`` yields items across all pages; ``pager.pages()`` yields
    :class:`Page` objects. Nothing is fetched before iteration starts, and each iteration
    starts from the beginning (or the ``resume_from`` cursor). Breaking out early leaves no
    request in flight; wrap in ``contextlib.aclosing`` to release prefetch tasks at once.

    ``limit`` stops after that many items without fetching further pages. ``prefetch=N``
    fetches up to N pages at once, through the shared rate limiter, when the list pages by
    number and reports ``count``; pages are still yielded in order, and at most N are held.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        first_path: str,
        fetch: FetchPage,
        decode: Callable[[list[Any]], Sequence[T]],
        limit: int | None = None,
        prefetch: int = 0,
        resume_from: str | None = None,
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        if prefetch < 0:
            raise ValueError("prefetch must be >= 0")
        self._endpoint = endpoint
        self._first_path = first_path
        self._fetch = fetch
        self._decode = decode
        self._limit = limit
        self._prefetch = prefetch
        self._resume = (
            _paging.decode_cursor(resume_from, endpoint=endpoint) if resume_from else None
        )

    def __repr__(self) -> str:
        return f"AsyncPager({self._first_path!r}, limit={self._limit}, prefetch={self._prefetch})"

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        pages = self._pages()
        try:
            async for page in pages:
                for item in page.items:
                    yield item
        finally:
            await pages.aclose()

    def pages(self) -> AsyncIterator[Page[T]]:
        """The list page by page."""
        return self._pages()

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        resume = self._resume
        path: str | None = self._first_path
        skip = 0
        walk = _Walk(count=None, yielded=0)
        if resume is not None:
            path, skip = resume.next_path, resume.skip
            walk = _Walk(count=resume.count, yielded=resume.yielded)
        while path is not None and not self._satisfied(walk):
            raw = await self._fetch(path)
            page = self._page(path, raw, walk, skip)
            skip = 0
            next_path = self._next_path(raw, walk)
            yield page
            if self._prefetch and next_path is not None and raw.count is not None:
                plan = _paging.planned_page_urls(
                    next_path,
                    count=raw.count,
                    page_size=len(raw.results),
                    remaining=None if self._limit is None else self._limit - walk.taken,
                )
                if plan is not None:
                    prefetched = self._prefetched(plan, walk)
                    try:
                        async for planned in prefetched:
                            yield planned
                    finally:
                        # Closing this pager must cancel the window now, not at GC time.
                        await prefetched.aclose()
                    return
            path = next_path

    def _satisfied(self, walk: _Walk) -> bool:
        return self._limit is not None and walk.taken >= self._limit

    def _next_path(self, raw: DrfPage, walk: _Walk) -> str | None:
        """The next page's path, refusing a link that would loop.

        Page-numbered links must move forward (constant memory however long the list);
        other links must never repeat.
        """
        if raw.next is None:
            return None
        path = _paging.rebase(raw.next, endpoint=self._endpoint)
        number = _paging.page_number(path)
        if number is not None:
            looped = number <= walk.last_page
            walk.last_page = number
        else:
            looped = path in walk.seen_links
            walk.seen_links.add(path)
        if looped:
            raise DecodeError(
                f"the server sent the same next link twice, or one going back ({raw.next!r}): "
                "a pagination loop",
                text=raw.next,
            )
        return path

    def _page(self, path: str, raw: DrfPage, walk: _Walk, skip: int) -> Page[T]:
        """Type the page's items, apply ``skip`` and ``limit``, and make its cursor."""
        self._check_count(raw, walk)
        results = raw.results[skip:]
        cursor_path: str | None
        if self._limit is not None and walk.taken + len(results) > self._limit:
            keep = self._limit - walk.taken
            results = results[:keep]
            cursor_path, cursor_skip = path, skip + keep
        else:
            cursor_path = (
                None if raw.next is None else _paging.rebase(raw.next, endpoint=self._endpoint)
            )
            cursor_skip = 0
        items = self._decode(results)
        walk.taken += len(items)
        walk.yielded += len(items)
        cursor = _paging.encode_cursor(
            Cursor(
                endpoint=self._endpoint,
                next_path=cursor_path,
                count=walk.count,
                yielded=walk.yielded,
                skip=cursor_skip,
            )
        )
        return Page(
            items=items,
            count=raw.count,
            next_url=raw.next,
            previous_url=raw.previous,
            cursor=cursor,
        )

    def _check_count(self, raw: DrfPage, walk: _Walk) -> None:
        if walk.count is None:
            walk.count = raw.count
        elif raw.count != walk.count and not walk.warned_count:
            walk.warned_count = True
            logger.warning(
                "the count of %s changed from %s to %s while paging: items may be skipped "
                "or repeated",
                self._endpoint,
                walk.count,
                raw.count,
            )

    async def _prefetched(self, plan: list[str], walk: _Walk) -> AsyncGenerator[Page[T], None]:
        """The planned pages, up to ``prefetch`` in flight, yielded in order."""
        pending = iter(plan)
        window: deque[tuple[str, asyncio.Task[DrfPage]]] = deque()

        def schedule() -> None:
            path = next(pending, None)
            if path is not None:
                window.append((path, asyncio.ensure_future(self._fetch(path))))

        try:
            for _ in range(self._prefetch):
                schedule()
            while window:
                path, task = window.popleft()
                raw = await task
                page = self._page(path, raw, walk, 0)
                yield page
                schedule()  # only now: the consumer is done with the page just yielded
        finally:
            for _, task in window:
                task.cancel()
            if window:
                await asyncio.gather(*(task for _, task in window), return_exceptions=True)
