"""``AsyncPager[T]``: every list endpoint's result, iterated lazily across pages.

Long because: the sequential walk, the prefetch window and the walk bounds share one state
(:class:`_Walk`), and splitting them would pass it across modules.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

import attrs

from . import _cursors, _page_plans, _raw
from ._cursors import Anchor, Cursor
from ._decode_report import decode_records
from ._envelopes import DrfPage
from ._relocate import relocate
from .errors import BadRecords, DecodeError, NotFound, SkippedRecord

__all__ = [
    "MAX_EMPTY_PAGES",
    "MAX_UNCOUNTED_PAGES",
    "PAGE_SLACK",
    "YIELD_SLACK_PAGES",
    "AsyncPager",
    "OnBadRecord",
    "Page",
]

T = TypeVar("T")
_Gen = TypeVar("_Gen", bound=AsyncGenerator[Any, None])
logger = logging.getLogger("lucidgreen.pager")

OnBadRecord = Literal["raise", "skip"]
"""What a walk does after a page holding records that do not decode (see AsyncPager)."""

FetchPage = Callable[[str], Awaitable[DrfPage]]
"""Fetch one page by path-and-query on the client's own origin (retries happen inside)."""

MAX_EMPTY_PAGES = 3
"""Consecutive empty pages that still link onward before the walk ends with DecodeError.

A Django REST Framework list never serves an empty page with a ``next`` link (a page past
the end is a 404); a few are tolerated for a list emptied while it is walked.
"""

PAGE_SLACK = 1
"""Pages a ``next`` link may point past what ``count`` allows (``ceil(count / page size)``).

One page absorbs a count taken a moment before an insertion; a link further out is refused.
"""

MAX_UNCOUNTED_PAGES = 1000
"""Pages a walk follows when they report no ``count`` (LucidGreen's lists always do).

Without a count nothing says where the list ends, so a server whose links never repeat
could lead the walk on forever; past this many pages the walk ends with DecodeError.
"""

YIELD_SLACK_PAGES = 1
"""Pages of items a walk may receive beyond the ``count`` the server reports.

A list growing at its front shifts items into the next page, so a walk sees up to about one
page of repeats; far more than ``count`` means the server is not paging a list at all.
"""


@attrs.frozen
class Page(Generic[T]):
    """One page of a list, its items already typed.

    ``cursor`` is a plain string: pass it as ``list(resume_from=cursor)`` to continue with
    what comes after this page, in this process or another one. ``skipped`` holds the
    records of this page that did not decode (index, raw JSON, reason); ``items`` the rest.
    """

    items: Sequence[T]
    count: int | None
    next_url: str | None
    previous_url: str | None
    cursor: str
    skipped: tuple[SkippedRecord, ...] = ()
    response: _raw.RawResponse[Page[T]] | None = attrs.field(default=None, eq=False, repr=False)
    """The HTTP response this page came in (``status_code``, ``headers``, ``request_id``,
    ``elapsed``, ``attempts``; ``parse()`` gives this page), pages fetched ahead included."""


def _recorded(fetch: FetchPage) -> FetchPage:
    """``fetch``, each page carrying the response it came in (see :mod:`._raw`)."""

    async def fetch_recorded(path: str) -> DrfPage:
        with _raw.recording() as recorder:
            raw = await fetch(path)
        if recorder.latest is None:
            return raw
        return raw.with_response(recorder.latest)

    return fetch_recorded


@attrs.define
class _Walk:
    """Where one iteration stands."""

    count: int | None
    yielded: int
    taken: int = 0
    received: int = 0
    page_size: int = 0
    empty_run: int = 0
    uncounted: int = 0
    warned_count: bool = False
    last_page: int = 0
    seen_links: set[str] = attrs.field(factory=set)
    anchor: Anchor | None = None  # the last record consumed, for the next cursor


@attrs.frozen
class _Start:
    """Where a walk begins: a path, maybe its page already fetched, records to skip there."""

    path: str
    walk: _Walk
    raw: DrfPage | None = None
    skip: int = 0


@attrs.frozen
class _Planned:
    """A page fetched ahead of the walk; ``ahead`` when its predecessor had not answered yet."""

    path: str
    number: int
    task: asyncio.Task[DrfPage]
    ahead: bool


@attrs.define(eq=False)
class _Window:
    """The pages one walk fetches ahead, oldest first (at most ``prefetch``)."""

    planned: deque[_Planned] = attrs.field(factory=deque)
    awaited: asyncio.Task[DrfPage] | None = None  # taken from the window, being awaited
    # Cancelled but maybe not finished yet: whoever discards the window waits for them.
    cancelled: list[asyncio.Task[DrfPage]] = attrs.field(factory=list)

    def cancel(self) -> None:
        tasks = [entry.task for entry in self.planned]
        self.planned.clear()
        if self.awaited is not None:
            tasks.append(self.awaited)
            self.awaited = None
        for task in tasks:
            task.cancel()
        self.cancelled.extend(tasks)

    async def discard(self) -> None:
        """Cancel every page fetched ahead and reap them (no unretrieved exception is left)."""
        if not (self.planned or self.awaited or self.cancelled):
            return  # nothing fetched ahead (every page of a sequential walk)
        self.cancel()
        tasks, self.cancelled = self.cancelled, []
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


class AsyncPager(Generic[T]):
    """What every ``list()`` returns: iterate it for the items, or its pages to resume.

    ::

        async for product in source.products.list(limit=500):   # items, page after page
            ...
        async for page in source.products.list().pages():       # pages, each with a cursor
            save(page.items, page.cursor)  # later: list(resume_from=cursor)

    ``async for item in pager`` yields items across all pages; ``pager.pages()`` yields
    :class:`Page` objects. Nothing is fetched before iteration starts, and each iteration
    starts from the beginning (or the ``resume_from`` cursor). Breaking out early leaves no
    request in flight; ``await pager.aclose()``, ``async with pager:`` or
    ``contextlib.aclosing(pager)`` (or ``aclosing(pager.pages())``) cancel prefetched
    requests at once. A closed pager refuses to start another iteration.

    ``limit`` stops after that many items without fetching further pages. ``prefetch=N``
    fetches up to N pages at once, through the shared rate limiter, when the list pages by
    number and reports ``count``. Pages are still yielded in order and at most N are held.
    Prefetching only guesses: the walk follows each page's ``next`` link exactly as a
    sequential walk does, so it yields the same pages: a ``next: null`` ends it (pages
    fetched beyond are cancelled and dropped), a list that grew is followed past the
    planned pages, a guessed page that answered 404 before the page linking to it had
    answered is asked for again, and a link that differs from the guess drops the guesses.

    Every walk is bounded. It ends with :class:`~lucidgreen.errors.DecodeError`, before
    requesting the page in question (and without yielding the page carrying the link),
    when a ``next`` link

    - leaves the list's endpoint (after resolving dot segments and percent-encoded dots),
      repeats, or goes back to an earlier page number;
    - comes on the :data:`MAX_EMPTY_PAGES`-th (3rd) empty page in a row;
    - points to page ``n`` with ``(n - 1) * size >= count + PAGE_SLACK * size``, where
      ``count`` is the count of the page carrying the link and ``size`` the largest page
      seen so far (:data:`PAGE_SLACK` is 1): at most ``ceil(count / size) + 1`` pages;
    - follows more than ``count + YIELD_SLACK_PAGES * size`` items received in this walk
      (:data:`YIELD_SLACK_PAGES` is 1).

    So a sequential walk of a numbered list whose largest reported count is ``C`` makes at
    most ``C + 1 + MAX_EMPTY_PAGES`` requests (about ``ceil(C / size) + 1`` when its pages
    are full); with links that are not numbered but a count, at most
    ``MAX_EMPTY_PAGES * (C + size + 1)``. With ``prefetch=N`` the window refills only as
    pages are followed, so a walk following ``P`` pages makes at most ``P * (N + 1)``
    requests (each page once, ``N`` fetched ahead after each page but the last, and one more
    ask for a page that answered 404 before the page linking to it had answered).
    A list whose pages report no ``count`` is followed for at most
    :data:`MAX_UNCOUNTED_PAGES` (1000) pages.

    A record that does not decode never costs the good ones: its page's other records are
    delivered (``page.items``), it is reported in ``page.skipped`` and :attr:`skipped`, and
    the page's cursor resumes past it. With ``on_bad_record="raise"`` (the default) the walk
    then ends with :class:`~lucidgreen.errors.BadRecords` (its ``skipped`` and ``cursor``),
    raised after that page's good items; with ``"skip"`` it logs a warning and goes on.
    A skipped record counts towards ``limit``.

    A resume verifies its place: the cursor names the last record delivered (its id, index,
    page and the page size), the resume fetches that page again and goes on right after the
    record, wherever the list's changes or a new page size moved it (see
    :mod:`lucidgreen._relocate`), or raises :class:`~lucidgreen.errors.PageLayoutChanged`
    before yielding anything. Never a silent gap or repeat.
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
        on_bad_record: OnBadRecord = "raise",
        keep_query: Sequence[tuple[str, str]] = (),
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        if prefetch < 0:
            raise ValueError("prefetch must be >= 0")
        if on_bad_record not in ("raise", "skip"):
            raise ValueError(f"on_bad_record must be 'raise' or 'skip', not {on_bad_record!r}")
        self._on_bad_record = on_bad_record
        self._keep_query = tuple(keep_query)  # the caller's extra_query: on every page
        self._skipped: list[SkippedRecord] = []
        self._endpoint = endpoint
        self._first_path = first_path
        self._fetch = _recorded(fetch)
        self._decode = decode
        self._limit = limit
        self._prefetch = prefetch
        self._resume_from = resume_from
        self._resume = (
            _cursors.decode_cursor(resume_from, endpoint=endpoint)
            if resume_from is not None
            else None
        )
        self._closed = False
        self._iterators: weakref.WeakSet[AsyncGenerator[Any, None]] = weakref.WeakSet()
        self._windows: weakref.WeakSet[_Window] = weakref.WeakSet()
        self._last_rebased = ("", "")

    def _rebased(self, next_url: str) -> str:
        """A ``next`` link as a path on this endpoint, the caller's query kept on it (the
        last one kept: a page's link is rebased for its successor and for its cursor)."""
        last = self._last_rebased
        if last[0] == next_url:
            return last[1]
        path = _page_plans.keeping(
            _cursors.rebase(next_url, endpoint=self._endpoint), self._keep_query
        )
        self._last_rebased = (next_url, path)
        return path

    def __repr__(self) -> str:
        return f"AsyncPager({self._first_path!r}, limit={self._limit}, prefetch={self._prefetch})"

    def __aiter__(self) -> AsyncGenerator[T, None]:
        return self._started(self._items())

    @property
    def skipped(self) -> tuple[SkippedRecord, ...]:
        """Every record this pager's iterations skipped so far because it did not decode."""
        return tuple(self._skipped)

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """The list page by page (closable: ``async with aclosing(pager.pages()) as pages``)."""
        return self._started(self._pages())

    async def aclose(self) -> None:
        """Cancel every request fetched ahead, close open iterations, refuse new ones."""
        self._closed = True
        windows = list(self._windows)
        for window in windows:
            window.cancel()  # at once, even for an iteration running in another task
        for iterator in list(self._iterators):
            try:
                await iterator.aclose()
            except RuntimeError:  # it is running in another task: its fetches are cancelled
                continue
        for window in windows:  # returns once the cancelled fetches have finished
            await window.discard()

    async def __aenter__(self) -> AsyncPager[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _started(self, iterator: _Gen) -> _Gen:
        if self._closed:
            raise RuntimeError("this pager was closed: create a new one to iterate again")
        self._iterators.add(iterator)
        return iterator

    async def _items(self) -> AsyncGenerator[T, None]:
        pages = self._pages()
        try:
            async for page in pages:
                for item in page.items:
                    yield item
        finally:
            await pages.aclose()

    async def _start(self) -> _Start | None:
        """The first page of this walk: the list's, or where the resume cursor's record is.

        A cursor with an anchor is verified on the server (see :mod:`._relocate`); one made
        before anchors existed resumes at its ``next`` page as it says.
        """
        resume = self._resume
        if resume is None:
            return _Start(self._first_path, _Walk(count=None, yielded=0))
        if resume.next_path is None or self._limit == 0:
            return None  # the list was finished
        walk = _Walk(count=resume.count, yielded=resume.yielded, anchor=resume.anchor)
        anchor = resume.anchor
        if anchor is None:
            next_path = _page_plans.keeping(resume.next_path, self._keep_query)
            walk.last_page = _cursors.page_number(next_path) or 0
            return _Start(next_path, walk, skip=resume.skip)
        located = await relocate(
            anchor,
            self._fetch,
            endpoint=self._endpoint,
            count=resume.count,
            cursor=self._resume_from or "",
        )
        walk.last_page = _cursors.page_number(located.path) or 0
        walk.count = located.raw.count  # the place is verified: a count change is no warning
        return _Start(located.path, walk, located.raw, located.skip)

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        start = await self._start()
        if start is None or self._satisfied(start.walk):
            return
        path, walk, raw, skip = start.path, start.walk, start.raw, start.skip
        window = _Window()
        self._windows.add(window)
        try:
            while True:
                if raw is None:
                    raw = await self._take(path, window)
                # A resume's own page, already delivered up to its end, is not yielded again.
                delivered = 0 < skip >= len(raw.results)
                page = self._page(path, raw, walk, skip)
                skip = 0
                next_path = self._next_path(raw, walk)
                if not delivered:
                    yield page
                    if self._closed:  # by aclose() in another task, while this one held it
                        raise RuntimeError("this pager was closed while it was iterated")
                    if page.skipped:
                        self._report(page, path)
                if next_path is None or self._satisfied(walk):
                    return
                if self._prefetch:
                    await self._refill(window, next_path, raw, walk)
                path, raw = next_path, None
        finally:
            # Closing this pager (or breaking out) must cancel the window now, not at GC time.
            await window.discard()

    async def _take(self, path: str, window: _Window) -> DrfPage:
        """Page ``path``: from the window when it was fetched ahead, else fetched now."""
        if window.planned and window.planned[0].path == path:
            entry = window.planned.popleft()
            window.awaited = entry.task
            try:
                return await entry.task
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if self._closed and task is not None and not task.cancelling():
                    # aclose() from another task cancelled the page this walk awaited.
                    raise RuntimeError("this pager was closed while it was iterated") from None
                raise
            except NotFound:
                if not entry.ahead:
                    raise
                # Asked before the page linking to it had answered (a growing list, say):
                # a sequential walk asks only now, so ask again.
                return await self._fetch(path)
            finally:
                window.awaited = None
        await window.discard()
        return await self._fetch(path)

    async def _refill(self, window: _Window, next_path: str, raw: DrfPage, walk: _Walk) -> None:
        """Fetch ahead up to ``prefetch`` pages, starting with ``next_path``."""
        if window.planned and window.planned[0].path != next_path:
            await window.discard()  # the chain went elsewhere than guessed
        number = _cursors.page_number(next_path)
        if number is None or raw.count is None or walk.page_size <= 0:
            return  # nothing to guess from: the walk goes on page by page
        remaining = None if self._limit is None else self._limit - walk.taken
        last = _page_plans.planned_last_page(
            number, count=raw.count, page_size=walk.page_size, remaining=remaining
        )
        frontier = window.planned[-1].number if window.planned else number - 1
        while len(window.planned) < self._prefetch:
            wanted = frontier + 1
            if wanted > last and wanted != number:  # the linked page is wanted whatever count says
                break
            path = next_path if wanted == number else _page_plans.with_page(next_path, wanted)
            task = asyncio.ensure_future(self._fetch(path))
            window.planned.append(_Planned(path, wanted, task, ahead=wanted != number))
            frontier = wanted

    def _satisfied(self, walk: _Walk) -> bool:
        return self._limit is not None and walk.taken >= self._limit

    def _next_path(self, raw: DrfPage, walk: _Walk) -> str | None:
        """The next page's path, refusing a link that would loop or run past the list.

        Page-numbered links must move forward (constant memory however long the list);
        other links must never repeat. See the class docstring for the bounds.
        """
        walk.received += len(raw.results)
        walk.page_size = max(walk.page_size, len(raw.results))
        walk.empty_run = 0 if raw.results else walk.empty_run + 1
        if raw.next is None:
            return None
        path = self._rebased(raw.next)
        number = _cursors.page_number(path)
        if number is not None:
            looped = number <= walk.last_page
            walk.last_page = number
        else:
            looped = path in walk.seen_links
            walk.seen_links.add(path)
        if looped:
            self._refuse(
                raw,
                f"the server sent the same next link twice, or one going back ({raw.next!r}): "
                "a pagination loop",
            )
        if walk.empty_run >= MAX_EMPTY_PAGES:
            self._refuse(raw, f"{walk.empty_run} empty pages in a row still link to a next page")
        size, count = walk.page_size, raw.count
        if count is None:
            walk.uncounted += 1
            if walk.uncounted >= MAX_UNCOUNTED_PAGES:
                self._refuse(raw, f"{walk.uncounted} pages without a count still link onward")
        if count is not None and size > 0:
            if number is not None and (number - 1) * size >= count + PAGE_SLACK * size:
                self._refuse(
                    raw,
                    f"the next link asks for page {number}, but a count of {count} at "
                    f"{size} a page makes {-(-count // size)} pages",
                )
            if walk.received > count + YIELD_SLACK_PAGES * size:
                self._refuse(
                    raw,
                    f"{walk.received} items received from a list counting {count}, "
                    "and the server links to more",
                )
        return path

    def _report(self, page: Page[T], path: str) -> None:
        """After the page's good items: raise :class:`BadRecords`, or warn and go on."""
        first = page.skipped[0]
        more = f" and {len(page.skipped) - 1} more" if len(page.skipped) > 1 else ""
        message = (
            f"{self._endpoint}: {len(page.skipped)} record(s) of page {path} did not decode "
            f"(index {first.index}: {first.reason}{more}); its {len(page.items)} other "
            "record(s) were delivered"
        )
        if self._on_bad_record == "skip":
            logger.warning("%s; skipped", message)
            return
        raise BadRecords(
            f"{message}; resume past them with this error's cursor",
            skipped=page.skipped,
            cursor=page.cursor,
            text="[" + ", ".join(record.raw for record in page.skipped) + "]",
            status=200,
        )

    def _refuse(self, raw: DrfPage, reason: str) -> None:
        raise DecodeError(f"{self._endpoint}: {reason}", text=raw.next or "")

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
            cursor_path = None if raw.next is None else self._rebased(raw.next)
            cursor_skip = 0
        if results:
            walk.anchor = Anchor(
                path=path,
                index=skip + len(results) - 1,
                key=_cursors.record_key(results[-1]),
                page_size=max(walk.page_size, len(raw.results)),
            )
        items, skipped = decode_records(self._decode, results, page=path, first=skip)
        self._skipped.extend(skipped)
        walk.taken += len(results)  # a skipped record is consumed too: the cursor is past it
        walk.yielded += len(items)
        cursor = _cursors.encode_cursor(
            Cursor(
                endpoint=self._endpoint,
                next_path=cursor_path,
                count=walk.count,
                yielded=walk.yielded,
                skip=cursor_skip,
                anchor=walk.anchor if cursor_path is not None else None,
            )
        )
        built: list[Page[T]] = []  # the page its response parses to, once it exists
        page = Page(
            items=items,
            count=raw.count,
            next_url=raw.next,
            previous_url=raw.previous,
            cursor=cursor,
            skipped=skipped,
            response=None if raw.response is None else raw.response.parsed_as(lambda: built[0]),
        )
        built.append(page)
        return page

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
