"""Constants and small helpers shared by the pager tests (imported by basename)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
    session = getattr(transport._sessions, "pooled", None)
    assert session is not None
    assert session.connector is not None
    return len(session.connector._acquired)
