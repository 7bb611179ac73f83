"""Property-based pager tests: hypothesis draws the page sequences a server might send.

A script gives each page number a count (changing or missing), a number of items (empty pages
included) and a next link (onward, null, repeating, going back, jumping, wandering through dot
segments or encoded dots, another host, a malformed page number); past the script the server
answers 404, or empty pages forever, or full pages forever. Pages are served by an in-process
fetch, each page's content a function of its number only, so a sequential and a prefetching
walk of the same script can be compared. Invariants:

- no request leaves the list endpoint (judged by yarl, as aiohttp would send it);
- a sequential walk makes at most the documented number of requests, and a prefetching one
  at most ``P * (N + 1)`` for the ``P`` pages it followed;
- prefetch yields at least every item sequential yields (in fact the same, in order), and
  ends the same way.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import attrs
import yarl
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen._envelopes import DrfPage
from lucidgreen._pager import MAX_EMPTY_PAGES, AsyncPager
from lucidgreen.errors import DecodeError, NotFound

ENDPOINT = "/api/v1.5/products/"
ORIGIN = "https://api.example"
#: A server that never stops would be a bug in this test, not a property: pages end here.
LAST_PAGE = 5_000

LINKS = {
    "next": lambda p: f"{ORIGIN}{ENDPOINT}?page={p + 1}",
    "null": lambda p: None,
    "repeat": lambda p: f"{ORIGIN}{ENDPOINT}?page={p}",
    "back": lambda p: f"{ORIGIN}{ENDPOINT}?page={max(1, p - 1)}",
    "jump": lambda p: f"{ORIGIN}{ENDPOINT}?page={p + 3}",
    "dots-on": lambda p: f"{ORIGIN}/api/v1.5/x/../products/./?page={p + 1}",
    "dots-off": lambda p: f"{ORIGIN}{ENDPOINT}../batches/?page={p + 1}",
    "encoded-off": lambda p: f"{ORIGIN}{ENDPOINT}%2e%2E/%2E%2e/o/token/?page={p + 1}",
    "other-host": lambda p: f"https://evil.example{ENDPOINT}?page={p + 1}",
    "filter": lambda p: f"{ORIGIN}{ENDPOINT}?brand=a%20b&page={p + 1}",
    "bad-page": lambda p: f"{ORIGIN}{ENDPOINT}?page=%C2%B2",
}


@attrs.frozen
class Spec:
    count: int | None
    size: int
    link: str


@attrs.frozen
class Script:
    pages: list[Spec]
    tail: str  # "404", "empty" or "full"
    tail_count: int
    tail_size: int

    def page(self, number: int) -> DrfPage:
        """What the server answers for page ``number`` (NotFound past the script's end)."""
        if number <= len(self.pages):
            spec = self.pages[number - 1]
            count, size, link = spec.count, spec.size, LINKS[spec.link](number)
        elif self.tail == "404" or number > LAST_PAGE:
            raise NotFound("Invalid page.", status=404, body='{"detail": "Invalid page."}')
        else:
            count = self.tail_count
            size = 0 if self.tail == "empty" else self.tail_size
            link = LINKS["next"](number)
        items = [f"p{number}-{i}" for i in range(size)]
        return DrfPage(count=count, next=link, previous=None, results=items)

    def bound(self) -> int:
        """The documented bound on a sequential walk's requests, for this script."""
        tail = {"404": 1, "empty": MAX_EMPTY_PAGES, "full": self.tail_count + 2}[self.tail]
        # +1: a first page fetched without ?page= may be asked for again as ?page=1.
        return len(self.pages) + 1 + tail


specs = st.builds(
    Spec,
    count=st.none() | st.integers(0, 60),
    size=st.integers(0, 6),
    link=st.sampled_from(sorted(LINKS)),
)
scripts = st.builds(
    Script,
    pages=st.lists(specs, min_size=1, max_size=12),
    tail=st.sampled_from(["404", "empty", "full"]),
    tail_count=st.integers(0, 40),
    tail_size=st.integers(1, 6),
)


@attrs.define
class Outcome:
    items: list[str]
    error: type[BaseException] | None
    requests: list[str]
    off_endpoint: list[str]


async def run(script: Script, *, prefetch: int, limit: int | None) -> Outcome:
    requests: list[str] = []
    off: list[str] = []

    async def fetch(path: str) -> DrfPage:
        requests.append(path)
        sent = yarl.URL(ORIGIN + path)  # what aiohttp would put on the wire
        if sent.path != ENDPOINT:
            off.append(str(sent))
        number = int(sent.query.get("page", "1"))
        for _ in range(number % 3):  # pages answer in a shuffled order under prefetch
            await asyncio.sleep(0)
        return script.page(number)

    pager: AsyncPager[str] = AsyncPager(
        endpoint=ENDPOINT,
        first_path=ENDPOINT,
        fetch=fetch,
        decode=list,
        limit=limit,
        prefetch=prefetch,
    )
    items: list[str] = []
    error: type[BaseException] | None = None
    try:
        async with pager:
            async for item in pager:
                items.append(item)  # noqa: PERF401 - the items before an error count
    except Exception as exc:
        error = type(exc)
    return Outcome(items, error, requests, off)


@given(
    scripts,
    st.integers(1, 6),
    st.none() | st.integers(0, 30),
)
@settings(max_examples=100, deadline=None)
def test_prefetch_follows_the_same_chain_within_the_bounds(
    script: Script, prefetch: int, limit: int | None
) -> None:
    """On any script: on the endpoint, within the bounds, and prefetch >= sequential."""
    sequential = asyncio.run(run(script, prefetch=0, limit=limit))
    prefetched = asyncio.run(run(script, prefetch=prefetch, limit=limit))

    # A walk ends, or refuses the server (DecodeError), or meets the 404 past the script.
    assert sequential.error in (None, DecodeError, NotFound)
    assert sequential.off_endpoint == []
    assert prefetched.off_endpoint == []
    assert len(sequential.requests) <= script.bound()
    assert len(prefetched.requests) <= len(sequential.requests) * (prefetch + 1)

    assert not Counter(sequential.items) - Counter(prefetched.items)  # a superset...
    assert prefetched.items == sequential.items  # ...and, pages being fixed, the same walk
    assert prefetched.error is sequential.error
    if limit is not None:
        assert len(sequential.items) <= limit


@given(
    st.integers(1, 20),
    st.integers(1, 6),
    st.data(),
    st.integers(1, 8),
)
@settings(max_examples=60, deadline=None)
def test_a_list_growing_or_shrinking_while_walked_loses_nothing_under_prefetch(
    n_pages: int, size: int, data: st.DataObject, prefetch: int
) -> None:
    """An honest list whose count drifts page after page (understated: it grew, so the plan
    falls short; overstated: it shrank, so planned pages answer 404 past a next: null):
    prefetch yields every item a sequential walk yields, and neither walk fails."""
    last_size = data.draw(st.integers(1, size), label="last page size")
    total = (n_pages - 1) * size + last_size
    drifts = data.draw(
        st.lists(st.integers(-2 * size, 5 * size), min_size=n_pages, max_size=n_pages),
        label="count drift per page",
    )
    pages = [
        Spec(
            count=max(number * size, total + drift),
            size=size if number < n_pages else last_size,
            link="next" if number < n_pages else "null",
        )
        for number, drift in enumerate(drifts, start=1)
    ]
    script = Script(pages=pages, tail="404", tail_count=0, tail_size=1)
    sequential = asyncio.run(run(script, prefetch=0, limit=None))
    prefetched = asyncio.run(run(script, prefetch=prefetch, limit=None))
    assert sequential.error is None
    assert len(sequential.items) == total
    assert prefetched.items == sequential.items
    assert prefetched.error is None
    assert prefetched.off_endpoint == []
