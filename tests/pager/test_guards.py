"""Retries inside the pager and its guards: loops, foreign hosts, drifting counts, bad pages."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from lucidgreen import SourceClient
from lucidgreen.errors import DecodeError
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen, ScriptStep
from tests.pager.helpers import (
    N_PAGES,
    N_PRODUCTS,
    PAGE_SIZE,
    PRODUCTS,
    MakeClient,
    acquired_connections,
    list_requests,
    page_numbers,
)
from tests.support import collect, drain_until_error, uuids


async def test_errors_on_page_5_are_retried_there_not_from_page_1(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """A 429 then a 503 on page 5 are retried on page 5; page 1 is requested once."""
    throttled = (429, {"detail": "Request was throttled."}, {"Retry-After": "3"})
    steps: list[ScriptStep] = ["pass", "pass", "pass", "pass", throttled, (503, None)]
    lucidgreen_fake.faults.script(PRODUCTS, steps)
    with without_sleeping():
        items = await collect(source.products.list())
    assert uuids(items) == list(lucidgreen_fake.state.products)
    numbers = page_numbers(lucidgreen_fake)
    assert numbers.count(1) == 1
    assert numbers == [1, 2, 3, 4, 5, 5, 5, *range(6, N_PAGES + 1)]
    assert [r.status for r in list_requests(lucidgreen_fake)][4:7] == [429, 503, 200]
    assert source.stats.retries == 2


async def test_errors_during_prefetch_are_retried_on_their_page(
    lucidgreen_fake: FakeLucidGreen, make_client: MakeClient
) -> None:
    """With prefetch, a 503 on a planned page is retried on that page and order is kept."""
    steps: list[ScriptStep] = ["pass", "pass", "pass", (503, None), (502, None)]
    lucidgreen_fake.faults.script(PRODUCTS, steps)
    client = make_client()
    with without_sleeping():
        items = await collect(client.products.list(prefetch=4))
    assert uuids(items) == list(lucidgreen_fake.state.products)
    numbers = page_numbers(lucidgreen_fake)
    assert numbers.count(1) == 1
    assert sorted(set(numbers)) == list(range(1, N_PAGES + 1))
    assert len(numbers) == N_PAGES + 2
    assert client.stats.retries == 2


def _page_body(fake: FakeLucidGreen, next_page: int) -> dict[str, Any]:
    return {
        "count": N_PRODUCTS,
        "next": f"{fake.url}{PRODUCTS}?page={next_page}",
        "previous": f"{fake.url}{PRODUCTS}",
        "results": [],
    }


@pytest.mark.parametrize(
    ("real_pages", "looping_next"),
    [(1, 2), (2, 2)],
    ids=["page-2-links-to-itself", "page-3-links-back-to-page-2"],
)
async def test_the_same_next_link_twice_is_a_decode_error(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient, real_pages: int, looping_next: int
) -> None:
    """A next link seen before raises DecodeError instead of looping forever."""
    body = _page_body(lucidgreen_fake, looping_next)
    steps: list[ScriptStep] = ["pass"] * real_pages
    lucidgreen_fake.faults.script(PRODUCTS, [*steps, *[(200, body)] * 5])
    got, error = await drain_until_error(source.products.list())
    assert isinstance(error, DecodeError)
    assert "same next link twice" in str(error)
    assert error.text == body["next"]
    assert uuids(got) == list(lucidgreen_fake.state.products)[: real_pages * PAGE_SIZE]
    assert len(list_requests(lucidgreen_fake)) == real_pages + 1


async def test_a_next_link_to_another_origin_is_followed_on_the_configured_host(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """Links naming the CDN origin are fetched from the API origin; the CDN sees no request."""
    lucidgreen_fake.faults.next_host = lucidgreen_fake.cdn_url
    pages = await collect(source.products.list().pages())
    # The links really named the other origin...
    assert pages[0].next_url == f"{lucidgreen_fake.cdn_url}{PRODUCTS}?page=2"
    # ...yet every page came from the API origin, and the token went nowhere else.
    assert [item.uuid for page in pages for item in page.items] == list(
        lucidgreen_fake.state.products
    )
    assert lucidgreen_fake.requests.matching(site="cdn") == []
    authorized = [r for r in lucidgreen_fake.requests if r.authorization is not None]
    assert len(authorized) == N_PAGES
    assert {r.site for r in authorized} == {"api"}


async def test_a_next_link_to_an_unreachable_host_never_leaves_the_configured_origin(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """A next link naming a foreign host name still resolves to the fake: the walk completes."""
    lucidgreen_fake.faults.next_host = "http://attacker.invalid:9"
    items = await collect(source.products.list(prefetch=3))
    assert uuids(items) == list(lucidgreen_fake.state.products)


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_count_changing_mid_walk_warns_once_and_completes(
    lucidgreen_fake: FakeLucidGreen,
    source: SourceClient,
    caplog: pytest.LogCaptureFixture,
    prefetch: int,
) -> None:
    """A count that moves after page 1 logs one warning on lucidgreen.pager; nothing stops."""
    lucidgreen_fake.faults.count_drift = 3
    with caplog.at_level(logging.WARNING, logger="lucidgreen.pager"):
        items = await collect(source.products.list(prefetch=prefetch))
    assert uuids(items) == list(lucidgreen_fake.state.products)
    warnings = [r for r in caplog.records if r.name == "lucidgreen.pager"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "from 100 to 103" in warnings[0].getMessage()


async def test_a_steady_count_logs_nothing(
    source: SourceClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Without drift the walk logs no pager warning."""
    with caplog.at_level(logging.DEBUG, logger="lucidgreen.pager"):
        await collect(source.products.list())
    assert [r for r in caplog.records if r.name == "lucidgreen.pager"] == []


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("<html><body>Down for maintenance</body></html>", {"Content-Type": "text/html"}),
        (json.dumps({"detail": "not a page"}), {"Content-Type": "application/json"}),
        (json.dumps({"count": "many", "results": []}), {"Content-Type": "application/json"}),
    ],
    ids=["html", "object-without-results", "string-count"],
)
async def test_a_malformed_page_is_a_decode_error_carrying_the_raw_text(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient, body: str, headers: dict[str, str]
) -> None:
    """A 200 whose body is not a page raises DecodeError with the body's raw text."""
    lucidgreen_fake.faults.script(PRODUCTS, ["pass", "pass", (200, body, headers)])
    got, error = await drain_until_error(source.products.list())
    assert isinstance(error, DecodeError)
    assert error.text == body
    assert len(got) == 2 * PAGE_SIZE
    assert page_numbers(lucidgreen_fake) == [1, 2, 3]


async def test_breaking_out_early_leaves_no_connection_checked_out(
    lucidgreen_fake: FakeLucidGreen, source: SourceClient
) -> None:
    """After ``break`` in the middle of page 2 the connector holds no acquired connection."""
    lucidgreen_fake.faults.latency = 0.01
    seen = 0
    async for _ in source.products.list():
        seen += 1
        if seen == PAGE_SIZE + 3:
            break
    await asyncio.sleep(0)
    assert acquired_connections(source) == 0
    assert page_numbers(lucidgreen_fake) == [1, 2]

    async for _ in source.products.list().pages():
        break
    await asyncio.sleep(0)
    assert acquired_connections(source) == 0
