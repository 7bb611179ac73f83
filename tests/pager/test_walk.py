"""Walking whole lists against the loopback fake: every item once, lazily, with ``limit``."""

from __future__ import annotations

import math

import pytest

from lucidgreen import AsyncPager, Page, SourceClient
from lucidgreen.testing import FakeLucidGreen
from tests.pager.helpers import (
    BATCHES,
    IMAGES,
    N_PAGES,
    N_PRODUCTS,
    PAGE_SIZE,
    PRODUCTS,
    list_requests,
    page_numbers,
)
from tests.support import collect, uuids


async def test_products_come_exactly_once_across_pages(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """Every product of a 15-page list (partial last page) is yielded once, in server order."""
    items = await collect(source.products.list())
    assert uuids(items) == list(lucidgreen_fake.state.products)
    assert len(set(uuids(items))) == N_PRODUCTS
    assert page_numbers(lucidgreen_fake) == list(range(1, N_PAGES + 1))


async def test_batches_come_exactly_once_across_pages(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """Every batch is yielded once across its pages."""
    items = await collect(source.batches.list())
    assert uuids(items) == list(lucidgreen_fake.state.batches)
    assert len(list_requests(lucidgreen_fake, BATCHES)) == math.ceil(40 / PAGE_SIZE)


async def test_assets_of_one_type_come_exactly_once(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """Every image asset is yielded once, and every page request stays on the images path."""
    items = await collect(source.assets.list("images"))
    assert uuids(items) == list(lucidgreen_fake.state.assets["images"])
    assert len(list_requests(lucidgreen_fake, IMAGES)) == math.ceil(30 / PAGE_SIZE)
    assert not lucidgreen_fake.requests.matching("/api/v1.5/assets/texts/")


async def test_pages_expose_envelope_fields_and_a_string_cursor(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """``pages()`` yields Page objects carrying items, count, both links and a str cursor."""
    pages = await collect(source.products.list().pages())
    assert len(pages) == N_PAGES
    assert all(isinstance(page, Page) for page in pages)
    assert [len(page.items) for page in pages] == [PAGE_SIZE] * 14 + [2]
    assert {page.count for page in pages} == {N_PRODUCTS}
    first, second, last = pages[0], pages[1], pages[-1]
    assert first.previous_url is None
    assert first.next_url == f"{lucidgreen_fake.url}{PRODUCTS}?page=2"
    assert second.previous_url == f"{lucidgreen_fake.url}{PRODUCTS}"
    assert last.next_url is None
    assert {type(page.cursor) for page in pages} == {str}
    assert len({page.cursor for page in pages}) == N_PAGES


async def test_bare_array_list_is_a_pager_with_one_page(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """``brands.list()`` (a bare JSON array) is still an AsyncPager yielding one page."""
    pager = source.brands.list()
    assert isinstance(pager, AsyncPager)
    pages = await collect(pager.pages())
    assert len(pages) == 1
    (page,) = pages
    assert uuids(list(page.items)) == list(lucidgreen_fake.state.brands)
    assert page.count == len(lucidgreen_fake.state.brands)
    assert page.next_url is None
    assert page.previous_url is None
    assert isinstance(page.cursor, str)
    assert uuids(await collect(source.brands.list())) == list(lucidgreen_fake.state.brands)


async def test_creating_a_pager_sends_nothing(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """Building pagers (and their page iterators) sends no request, not even for a token."""
    pager = source.products.list(prefetch=4)
    source.batches.list(limit=3)
    source.brands.list()
    pager.pages()
    pager.__aiter__()
    assert len(lucidgreen_fake.requests) == 0
    assert (await collect(pager))[0].uuid == next(iter(lucidgreen_fake.state.products))


async def test_iterating_twice_starts_over(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """A second ``async for`` over the same pager fetches from page 1 again and yields the same."""
    pager = source.products.list()
    first = uuids(await collect(pager))
    second = uuids(await collect(pager))
    assert first == second == list(lucidgreen_fake.state.products)
    assert page_numbers(lucidgreen_fake) == list(range(1, N_PAGES + 1)) * 2


@pytest.mark.parametrize(
    ("limit", "pages_needed"),
    [(0, 0), (1, 1), (7, 1), (8, 2), (30, 5), (99, 15), (100, 15), (500, 15)],
)
async def test_limit_stops_after_exactly_n_items_and_fetches_no_extra_page(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient, limit: int, pages_needed: int
) -> None:
    """``limit=N`` yields the first N items and requests only the pages that hold them."""
    items = await collect(source.products.list(limit=limit))
    assert uuids(items) == list(lucidgreen_fake.state.products)[:limit]
    assert page_numbers(lucidgreen_fake) == list(range(1, pages_needed + 1))


async def test_negative_limit_is_refused(source: SourceClient) -> None:
    """A negative limit is a ValueError when the pager is created."""
    with pytest.raises(ValueError, match="limit"):
        source.products.list(limit=-1)


async def test_breaking_out_early_fetches_nothing_more(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """Stopping after the first item of page 2 leaves page 3 unrequested."""
    seen = 0
    async for _ in source.products.list():
        seen += 1
        if seen == PAGE_SIZE + 1:
            break
    assert page_numbers(lucidgreen_fake) == [1, 2]
