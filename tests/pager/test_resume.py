"""Resuming from ``page.cursor`` in a new client, as after a crash or a restart."""

from __future__ import annotations

from typing import Any

import pytest

from lucidgreen import _converter
from lucidgreen.source.models import ProductSummary
from lucidgreen.testing import FakeLucidGreen
from tests.pager.helpers import (
    IMAGES,
    N_PAGES,
    PAGE_SIZE,
    PRODUCTS,
    MakeClient,
    list_requests,
    page_numbers,
)
from tests.support import collect, uuids


async def _cursor_after(pages: Any, k: int) -> str:
    """The cursor of the k-th page (1-based) of ``pages``, stopping there."""
    async for number, page in _numbered(pages):
        if number == k:
            cursor: str = page.cursor
            return cursor
    raise AssertionError(f"fewer than {k} pages")


async def _numbered(pages: Any) -> Any:
    number = 0
    async for page in pages:
        number += 1
        yield number, page


@pytest.mark.parametrize("k", [1, 4, N_PAGES - 1])
async def test_resume_after_page_k_yields_exactly_the_remainder(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient, k: int
) -> None:
    """A new client given page k's cursor yields items k*7+1..; it asks for page k again
    first, to verify the page still ends with the last item delivered, then k+1 onwards."""
    everything = list(lucidgreen_fake.state.products)
    cursor = await _cursor_after(make_client().products.list().pages(), k)
    lucidgreen_fake.requests.clear()

    rest = await collect(make_client().products.list(resume_from=cursor))
    assert uuids(rest) == everything[k * PAGE_SIZE :]
    assert page_numbers(lucidgreen_fake) == [k, *range(k + 1, N_PAGES + 1)]


async def test_resume_from_the_last_page_yields_nothing(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient
) -> None:
    """The last page's cursor means "finished": nothing is yielded and nothing is fetched."""
    pages = await collect(make_client().products.list().pages())
    lucidgreen_fake.requests.clear()

    resumed = make_client().products.list(resume_from=pages[-1].cursor)
    assert await collect(resumed) == []
    assert await collect(resumed.pages()) == []
    assert list_requests(lucidgreen_fake) == []


@pytest.mark.parametrize("limit", [3, 10, 14])
async def test_resume_after_a_limit_inside_a_page_yields_exactly_the_rest(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient, limit: int
) -> None:
    """After ``limit`` stopped mid-page, the last cursor resumes with the very next item."""
    everything = list(lucidgreen_fake.state.products)
    pages = await collect(make_client().products.list(limit=limit).pages())
    assert sum(len(page.items) for page in pages) == limit

    rest = await collect(make_client().products.list(resume_from=pages[-1].cursor))
    assert uuids(rest) == everything[limit:]


async def test_resume_with_a_limit_counts_from_the_cursor(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient
) -> None:
    """Chained ``limit`` walks, each resuming from the previous cursor, cover the list once."""
    everything = list(lucidgreen_fake.state.products)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        pages = await collect(make_client().products.list(limit=9, resume_from=cursor).pages())
        if not pages:
            break
        seen += [item.uuid for page in pages for item in page.items]
        cursor = pages[-1].cursor
    assert seen == everything


async def test_a_products_cursor_is_refused_by_batches(make_client: MakeClient) -> None:
    """A cursor belongs to its list: handing a products cursor to batches is a ValueError."""
    cursor = await _cursor_after(make_client().products.list().pages(), 2)
    with pytest.raises(ValueError, match="belongs to"):
        make_client().batches.list(resume_from=cursor)
    with pytest.raises(ValueError, match="belongs to"):
        make_client().assets.list("texts", resume_from=cursor)


async def test_resume_keeps_the_asset_type_of_the_first_call(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient
) -> None:
    """An images cursor resumes on the images path, and is refused for another asset type."""
    everything = list(lucidgreen_fake.state.assets["images"])
    cursor = await _cursor_after(make_client().assets.list("images").pages(), 2)
    lucidgreen_fake.requests.clear()

    rest = await collect(make_client().assets.list("images", resume_from=cursor))
    assert uuids(rest) == everything[2 * PAGE_SIZE :]
    assert all(r.path == IMAGES for r in lucidgreen_fake.requests.matching("/api/"))
    with pytest.raises(ValueError, match="belongs to"):
        make_client().assets.list("videos", resume_from=cursor)


async def test_query_parameters_of_the_first_call_are_kept_on_every_page(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient
) -> None:
    """Filters given to the first page ride along on every next page and after a resume."""

    def pager(resume_from: str | None = None) -> Any:
        client = make_client()

        def decode(rows: list[Any]) -> Any:
            return _converter.structure_list(rows, ProductSummary)

        params = {"brand": "Green Valley", "ordering": "name"}
        return client._api.pager(PRODUCTS, decode, params=params, resume_from=resume_from)

    cursor = await _cursor_after(pager().pages(), 3)
    rest = await collect(pager(resume_from=cursor))
    assert uuids(rest) == list(lucidgreen_fake.state.products)[3 * PAGE_SIZE :]
    # Pages 1-3 before the resume; after it page 3 again (verified), then 4-15.
    assert page_numbers(lucidgreen_fake) == [1, 2, 3, *range(3, N_PAGES + 1)]
    for request in list_requests(lucidgreen_fake):
        assert request.query["brand"] == "Green Valley"
        assert request.query["ordering"] == "name"


@pytest.mark.parametrize("text", ["not-a-cursor", "eyJ2IjoxfQ"])
async def test_a_garbage_cursor_is_refused_before_any_request(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient, text: str
) -> None:
    """A cursor that is not one of ours is a ValueError and nothing is sent."""
    with pytest.raises(ValueError, match="cursor"):
        make_client().products.list(resume_from=text)
    assert len(lucidgreen_fake.requests) == 0
