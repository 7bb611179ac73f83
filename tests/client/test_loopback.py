"""Round trips through the real fake server on loopback: what actually goes over the wire."""

from __future__ import annotations

import logging

import pytest

import lucidgreen
from lucidgreen.testing import FakeLucidGreen
from tests.client.helpers import api_requests, importable_case, product_uuids, token_requests


async def test_source_round_trip_sends_the_documented_headers(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """A SourceClient gets a token, then a product, sending bearer, UA, Accept and request id."""
    fake = lucidgreen_fake
    (uuid,) = product_uuids(fake)
    async with fake.source_client() as source:
        product = await source.products.get(uuid)
    assert product.uuid == uuid
    assert product.name == fake.state.products[uuid].name
    (token_request,) = token_requests(fake)
    assert token_request.form() == {
        "grant_type": "client_credentials",
        "client_id": fake.source_credentials.client_id,
        "client_secret": fake.source_credentials.client_secret,
    }
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert token_request.authorization is None
    (get,) = api_requests(fake)
    assert get.method == "GET"
    assert get.path == f"/api/v1.5/products/{uuid}/"
    assert get.status == 200
    scheme, _, token = (get.authorization or "").partition(" ")
    assert scheme == "Bearer"
    assert token
    user_agent = get.headers["User-Agent"]
    assert user_agent.startswith(f"lucidgreen-python/{lucidgreen.__version__} (Python ")
    assert get.headers["Accept"] == "application/json"
    assert get.headers["X-Request-ID"]
    assert token_request.headers["X-Request-ID"] != get.headers["X-Request-ID"]
    assert "Content-Type" not in get.headers


async def test_retail_write_sends_a_json_body(lucidgreen_fake: FakeLucidGreen) -> None:
    """caseids.import_case POSTs its fields as JSON with Content-Type, and the fake applies it."""
    fake = lucidgreen_fake
    arguments = importable_case(fake)
    async with fake.retail_client() as retail:
        result = await retail.caseids.import_case(**arguments)
    assert result.case_uuid == arguments["case_uuid"]
    (post,) = api_requests(fake)
    assert post.method == "POST"
    assert post.path == "/api/v1.2/caseids/import/"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Accept"] == "application/json"
    assert (post.authorization or "").startswith("Bearer ")
    assert post.json() == arguments
    assert [imp.case_uuid for imp in fake.state.imports] == [arguments["case_uuid"]]


async def test_every_call_gets_its_own_request_id(lucidgreen_fake: FakeLucidGreen) -> None:
    """Each call carries a fresh X-Request-ID, and the server's echo reaches the error."""
    fake = lucidgreen_fake
    uuids = product_uuids(fake, 3)
    async with fake.source_client(rate_limiter=lucidgreen.TokenBucket(10**6)) as source:
        for uuid in uuids:
            await source.products.get(uuid)
        del fake.state.products[uuids[0]]
        with pytest.raises(lucidgreen.NotFound) as caught:
            await source.products.get(uuids[0])
    sent = [r.headers["X-Request-ID"] for r in api_requests(fake)]
    assert len(set(sent)) == 4
    assert caught.value.request_id == sent[-1]


async def test_debug_log_redacts_the_authorization_header(
    lucidgreen_fake: FakeLucidGreen, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, lucidgreen.http logs each request line with Authorization redacted."""
    fake = lucidgreen_fake
    (uuid,) = product_uuids(fake)
    caplog.set_level(logging.DEBUG, logger="lucidgreen.http")
    async with fake.source_client() as source:
        await source.products.get(uuid)
    (get,) = api_requests(fake)
    token = (get.authorization or "").removeprefix("Bearer ")
    lines = [r.getMessage() for r in caplog.records if r.name == "lucidgreen.http"]
    request_lines = [line for line in lines if line.startswith(f"GET {fake.url}/api/v1.5/")]
    assert len(request_lines) == 1
    assert "-> 200" in request_lines[0]
    assert "'Authorization': '<redacted>'" in request_lines[0]
    assert any(line.startswith(f"POST {fake.url}/o/token/") for line in lines)
    everything = caplog.text + "".join(lines)
    assert token not in everything
    assert fake.source_credentials.client_secret not in everything
