"""The plugin's client fixtures: ``source_client``, ``retail_client``, ``lucidgreen_no_backoff``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from lucidgreen import RetailClient, SourceClient, TokenBucket, retry
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import RateLimit


async def test_source_client_fetches_from_the_fake(source_client, lucidgreen_fake):
    """``source_client`` lists every product of ``lucidgreen_fake`` with the Source credentials."""
    assert isinstance(source_client, SourceClient)
    assert source_client.base_url == lucidgreen_fake.url
    uuids = [product.uuid async for product in source_client.products.list()]
    assert uuids == list(lucidgreen_fake.state.products)
    token_requests = lucidgreen_fake.requests.matching("/o/token/")
    assert [r.form()["client_id"] for r in token_requests] == [
        lucidgreen_fake.source_credentials.client_id
    ]


async def test_retail_client_fetches_from_the_fake(retail_client, lucidgreen_fake):
    """``retail_client`` reads a product detail and the package export from the fake."""
    assert isinstance(retail_client, RetailClient)
    product = next(iter(lucidgreen_fake.state.products.values()))
    detail = await retail_client.products.get(product.uuid)
    assert (detail.uuid, detail.name) == (product.uuid, product.name)
    export = await retail_client.package_uids.export()
    assert await export.download() == lucidgreen_fake.export_file()
    token_requests = lucidgreen_fake.requests.matching("/o/token/")
    assert [r.form()["client_id"] for r in token_requests] == [
        lucidgreen_fake.retail_credentials.client_id
    ]


@pytest.mark.lucidgreen_fake(products=4, page_size=2)
async def test_client_fixtures_follow_the_marker(source_client, lucidgreen_fake):
    """The client fixtures talk to the fake the marker configured."""
    pages = [len(page.items) async for page in source_client.products.list().pages()]
    assert pages == [2, 2]


async def test_clients_are_unlimited_while_the_fake_limiter_is_off(source_client, retail_client):
    """With the fixture's default (fake limiter off) the clients never wait for a budget."""
    for client in (source_client, retail_client):
        assert isinstance(client.rate_limiter, Unlimited)
        assert (await client.rate_limiter.acquire()).waited == 0.0


@pytest.mark.lucidgreen_fake(rate_limits=True, source_limit=RateLimit(5, 0.5))
async def test_client_budget_matches_the_fake_limits(source_client, lucidgreen_fake):
    """With the fake's limiter on, ``source_client`` paces itself so the fake never throttles."""
    bucket = source_client.rate_limiter
    assert isinstance(bucket, TokenBucket)
    assert (bucket.limit, bucket.per) == (5, 0.5)
    products = list(lucidgreen_fake.state.products)[:12]
    for product in products:  # 12 requests: more than two windows' worth
        assert (await source_client.products.get(product)).uuid == product
    assert lucidgreen_fake.stats.throttled == 0
    assert source_client.stats.rate_limited == 0


async def test_no_backoff_fixture_makes_retries_immediate(
    lucidgreen_no_backoff, source_client, lucidgreen_fake
):
    """With ``lucidgreen_no_backoff`` five 503s are retried at once and the call succeeds."""
    assert retry.is_testing()
    product = next(iter(lucidgreen_fake.state.products))
    lucidgreen_fake.faults.script(f"/api/v1.5/products/{product}/", [(503, None)] * 5)
    detail = await source_client.products.get(product)
    assert detail.uuid == product
    assert source_client.stats.retries == 5


INNER_TESTS = textwrap.dedent(
    """
    import pytest

    from lucidgreen import retry

    seen = []


    async def test_first(source_client, lucidgreen_no_backoff):
        seen.append(source_client)
        assert retry.is_testing()
        assert [p.uuid async for p in source_client.products.list(limit=1)]


    def test_second():
        (client,) = seen
        assert client._transport._closed
        assert not retry.is_testing()
    """
)


def test_fixtures_close_the_client_and_restore_sleeping(tmp_path):
    """After a test, its client is closed and the no-backoff switch is back off."""
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "-W",
            "error",
            str(tmp_path / "test_inner.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "2 passed" in completed.stdout
