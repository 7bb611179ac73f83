"""Constants and small helpers shared by the pager tests (imported by basename)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Callable
from typing import Any, TypeVar

from lucidgreen import SourceClient
from lucidgreen._transport import AiohttpTransport
from lucidgreen.testing import FakeLucidGreen, RecordedRequest

T = TypeVar("T")

PRODUCTS = "/api/v1.5/products/"
BATCHES = "/api/v1.5/batches/"
IMAGES = "/api/v1.5/assets/images/"

#: 100 products at 7 a page: 15 pages, the last one holding 2 items.
PAGE_SIZE = 7
N_PRODUCTS = 100
N_PAGES = 15

MakeClient = Callable[[], SourceClient]


def list_requests(fake: FakeLucidGreen, endpoint: str = PRODUCTS) -> list[RecordedRequest]:
    """The GETs the fake received on a list endpoint (not its detail routes), oldest first."""
    return [
        r for r in fake.requests.matching(endpoint, method="GET", site="api") if r.path == endpoint
    ]


def page_numbers(fake: FakeLucidGreen, endpoint: str = PRODUCTS) -> list[int]:
    """The page number of every list request received, in arrival order."""
    return [int(r.query.get("page", "1")) for r in list_requests(fake, endpoint)]


def acquired_connections(client: SourceClient) -> int:
    """Connections the client's aiohttp connector has handed out and not got back."""
    transport = client._transport
    assert isinstance(transport, AiohttpTransport)
    session = transport._session
    assert session is not None
    assert session.connector is not None
    return len(session.connector._acquired)


async def wait_until(condition: Callable[[], bool], *, timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.002)


async def drain(iterable: AsyncIterable[T]) -> list[T]:
    return [item async for item in iterable]


def uuids(items: list[Any]) -> list[str]:
    return [item.uuid for item in items]


async def drain_until_error(iterable: AsyncIterable[T]) -> tuple[list[T], Exception | None]:
    """The items yielded before iteration raised, and what it raised (None: it finished)."""
    got: list[T] = []
    try:
        async for item in iterable:
            got.append(item)  # noqa: PERF401 - the items before the error are the point
    except Exception as exc:
        return got, exc
    return got, None
