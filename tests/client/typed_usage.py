"""A user's program, type-checked by ``test_client_typing.py`` under ``mypy --strict`` and
``pyright --strict``. It is never run: it only has to type-check."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import lucidgreen
from lucidgreen import RetailClient, RetryPolicy, SourceClient, Timeout
from lucidgreen.source.models import Product


async def quick_product(source: SourceClient, uuid: str) -> Product:
    """A view with its own timeout and retries for one call."""
    quick = source.with_options(timeout=Timeout(total=5, connect=1), retry=RetryPolicy.none())
    return await quick.products.get(uuid)


async def names(source: SourceClient) -> list[str]:
    """A pager closed on the way out."""
    async with contextlib.aclosing(source.products.list(prefetch=4)) as products:
        return [product.name or "" async for product in products]


async def sell(retail: RetailClient, order_id: str, lucid_ids: list[str]) -> str | None:
    """Typed errors carry typed data; every error says whether a write may have applied."""
    try:
        result = await retail.transactions.complete(
            order_id=order_id, items=lucid_ids, performed_at=datetime.now(UTC)
        )
    except lucidgreen.NonImportedLucidIDs as exc:
        refused: list[str] = exc.lucid_ids
        return ", ".join(refused)
    except lucidgreen.TransactionAlreadyProcessed as exc:
        return exc.order_id
    except lucidgreen.DeadlineExceeded as exc:
        sent: bool = exc.request_sent
        return "sent" if sent else "never sent"
    except lucidgreen.APIError as exc:
        content_type: str | None = exc.headers.get("Content-Type")
        return f"{exc.method} {exc.url} {exc.outcome_unknown} {content_type}"
    return result.warning
