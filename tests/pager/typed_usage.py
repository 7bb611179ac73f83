"""A user's program, type-checked by ``test_typing.py`` under ``mypy --strict``.

It is never run: it only has to type-check, the way a user's code using pagers would.
"""

from __future__ import annotations

import contextlib

from lucidgreen import AsyncPager, Page, SourceClient
from lucidgreen.source.models import ProductSummary


async def uuids(source: SourceClient) -> list[str]:
    """Every product uuid, the pager closed on the way out whatever happens."""
    pager: AsyncPager[ProductSummary] = source.products.list(prefetch=4)
    async with contextlib.aclosing(pager) as products:
        return [product.uuid async for product in products]


async def cursors(source: SourceClient) -> list[str]:
    """Page cursors, the page iterator closed by ``aclosing``."""
    found: list[str] = []
    async with contextlib.aclosing(source.products.list().pages()) as pages:
        async for page in pages:
            first: Page[ProductSummary] = page
            found.append(first.cursor)
    return found


async def first_sku(source: SourceClient) -> str | None:
    """``async with pager`` and ``aclose()`` are typed too."""
    async with source.batches.list(limit=1) as batches:
        async for batch in batches:
            return batch.uuid
    pager = source.products.list()
    await pager.aclose()
    return None
