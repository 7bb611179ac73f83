# ruff: noqa: E402 - each README block brings its own imports, as a reader copies it
"""The README's "Testing your integration" examples, run as written (one test each).

``tests/test_readme.py`` checks that every Python block of that README section appears in
this file verbatim, so the README's text is proven by these runs.
"""

from __future__ import annotations

import pytest

# -- README: conftest.py ----------------------------------------------------------------------


@pytest.fixture
def lucidgreen_fake_options():
    # Defaults for every fake in this scope; a test's marker still wins.
    return {"products": 40, "page_size": 20}


# -- README: fixtures -------------------------------------------------------------------------

from datetime import UTC, datetime

import lucidgreen


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_sync_reads_every_product(source_client, lucidgreen_fake):
    names = [product.name async for product in source_client.products.list()]
    assert len(names) == 25
    pages = lucidgreen_fake.requests.matching("/api/v1.5/products/", method="GET")
    assert [request.query.get("page") for request in pages] == [None, "2", "3"]


async def test_a_sale_from_the_fakes_stock(retail_client, lucidgreen_fake):
    lucid_ids = lucidgreen_fake.sellable_lucid_ids()[:2]  # a fresh fake has one case in stock
    result = await retail_client.transactions.complete(
        order_id="order-1", items=lucid_ids, performed_at=datetime.now(UTC)
    )
    assert len(lucidgreen_fake.state.products) == 40  # from lucidgreen_fake_options
    assert result.order_id == "order-1"
    assert lucidgreen_fake.state.transactions["order-1"].items == lucid_ids
    assert lucid_ids[0] not in lucidgreen_fake.sellable_lucid_ids()


async def test_more_stock_for_a_bigger_sale(retail_client, lucidgreen_fake):
    stock = lucidgreen_fake.add_inventory()  # another case: its LucidIDs are in inventory now
    await retail_client.transactions.complete(
        order_id="order-2", items=stock.lucid_ids, performed_at=datetime.now(UTC)
    )
    with pytest.raises(lucidgreen.BadRequest):  # not in stock: the documented refusal
        await retail_client.transactions.complete(
            order_id="order-3",
            items=[next(iter(lucidgreen_fake.state.items))],
            performed_at=datetime.now(UTC),
        )


# -- README: fault scripts --------------------------------------------------------------------


async def test_a_503_is_retried(source_client, lucidgreen_fake, lucidgreen_no_backoff):
    lucidgreen_fake.faults.script("/api/v1.5/products/", [(503, {"detail": "busy"})])
    products = [product async for product in source_client.products.list()]
    assert len(products) == len(lucidgreen_fake.state.products)
    assert source_client.stats.retries == 1
    assert lucidgreen_fake.summary()["by_status"]["503"] == 1


async def test_a_500_then_a_429(source_client, lucidgreen_fake, lucidgreen_no_backoff):
    lucidgreen_fake.faults.script(
        "/api/v1.5/products/",
        [(500, None), (429, {"detail": "Request was throttled."}, {"Retry-After": "3"})],
    )
    product = await source_client.products.get("UNDTMBovdue9tFWfhamnDM")
    assert product.uuid == "UNDTMBovdue9tFWfhamnDM"  # the README's example product exists
    assert source_client.stats.retries == 2
    assert lucidgreen_fake.summary()["rate_limited"] == {
        "total": 1, "from_rate_limiter": 0, "injected": 1
    }  # fmt: skip


# -- README: mock transport -------------------------------------------------------------------

from lucidgreen import SourceClient
from lucidgreen.testing import MockTransport, Request, Response, json_response


async def test_product_name_with_a_mock_transport():
    def handler(request: Request) -> Response:
        assert request.headers["Authorization"] == "Bearer t"
        if request.url.endswith("/products/UNDTMBovdue9tFWfhamnDM/"):
            return json_response({"uuid": "UNDTMBovdue9tFWfhamnDM", "name": "Blue Dream 3.5g"})
        return json_response({"detail": "Not found."}, status=404)

    transport = MockTransport(handler)
    unpaced = lucidgreen.TokenBucket(limit=10_000, per=1.0)  # no 1-a-second pacing in tests
    async with SourceClient(token="t", transport=transport, rate_limiter=unpaced) as source:
        product = await source.products.get("UNDTMBovdue9tFWfhamnDM")
        with pytest.raises(lucidgreen.NotFound):
            await source.brands.get("VCtgBNDuuCWJrYqjEd7s97")
    assert product.name == "Blue Dream 3.5g"
    assert [request.method for request in transport.requests] == ["GET", "GET"]


async def test_an_async_handler_can_fail_then_answer(lucidgreen_no_backoff):
    answers = [Response(503, {}, b""), json_response({"uuid": "UNDTMBovdue9tFWfhamnDM"})]

    async def handler(request: Request) -> Response:
        return answers.pop(0)

    unpaced = lucidgreen.TokenBucket(limit=10_000, per=1.0)
    async with SourceClient(
        token="t", transport=MockTransport(handler), rate_limiter=unpaced
    ) as source:
        product = await source.products.get("UNDTMBovdue9tFWfhamnDM")
    assert product.uuid == "UNDTMBovdue9tFWfhamnDM"
    assert source.stats.retries == 1


# -- README: a fake of its own ------------------------------------------------------------

from lucidgreen.testing import FakeLucidGreen


async def test_a_client_on_a_fake_of_its_own():
    async with FakeLucidGreen(products=30) as fake, fake.source_client() as source:
        names = [p.name async for p in source.products.list()]
    assert len(names) == 30
