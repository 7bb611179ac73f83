"""A raw response counts every exchange of its call; every page carries its own response."""

from __future__ import annotations

import pydoc

import pytest

import lucidgreen
from lucidgreen._namespace import public_methods
from lucidgreen.testing import EXAMPLE_PRODUCT_UUID, FakeLucidGreen


async def test_attempts_count_the_retries_and_parse_gives_the_plain_result() -> None:
    """Two 503s then the answer: three attempts, and ``parse()`` equals the plain call."""
    async with FakeLucidGreen(products=3) as fake:
        fake.faults.script(f"/api/v1.5/products/{EXAMPLE_PRODUCT_UUID}/", [(503, None)] * 2)
        async with lucidgreen.SourceClient(*fake.source_credentials, base_url=fake.url) as source:
            raw = await source.with_raw_response.products.get(EXAMPLE_PRODUCT_UUID)
            assert (raw.status_code, raw.attempts) == (200, 3)
            assert raw.parse() == await source.products.get(EXAMPLE_PRODUCT_UUID)


async def test_prefetched_pages_each_carry_their_own_response() -> None:
    """Every page of a prefetching walk has a distinct 2xx response whose parse() is it."""
    async with (
        FakeLucidGreen(products=23, page_size=5) as fake,
        lucidgreen.SourceClient(*fake.source_credentials, base_url=fake.url) as source,
    ):
        pages = [page async for page in source.products.list(prefetch=3).pages()]
    ids = {page.response.request_id for page in pages if page.response is not None}
    assert len(pages) == 5
    assert len(ids) == 5
    assert all(page.response is not None and page.response.parse() is page for page in pages)


@pytest.mark.parametrize("client", [lucidgreen.SourceClient, lucidgreen.RetailClient])
def test_help_lists_every_namespace_and_method(client: type) -> None:
    """``help(client)`` names each namespace, with a summary, and each of its methods."""
    text = pydoc.plain(pydoc.render_doc(client))
    for name, descriptor in vars(client).items():
        if not hasattr(descriptor, "kind"):
            continue
        assert f"\n |  {name}\n" in text
        for method in public_methods(descriptor.kind):
            assert f"{method}()" in text, (name, method)
