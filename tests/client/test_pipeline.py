"""The request pipeline seen through aioresponses: tokens, headers, retries, errors, writes.

No socket is opened: aioresponses answers every request the client's own ``ClientSession``
makes, and records what was asked, so these tests pin the wire behaviour of one call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

import lucidgreen
from lucidgreen.retry import without_sleeping
from tests.client.helpers import lifted_limiter

BASE = "https://source.lucidgreen.io"
RETAIL_BASE = "https://retail.lucidgreen.io"
TOKEN_URL = f"{BASE}/o/token/"
RETAIL_TOKEN_URL = f"{RETAIL_BASE}/o/token/"
SAMPLES = Path(__file__).parent.parent / "samples"
PRODUCT: dict[str, Any] = json.loads((SAMPLES / "source/product_detail.json").read_text())
PRODUCT_URL = f"{BASE}/api/v1.5/products/{PRODUCT['uuid']}/"
IMPORT_URL = f"{RETAIL_BASE}/api/v1.2/caseids/import/"
IMPORT_ANSWER: dict[str, Any] = json.loads((SAMPLES / "retail/caseids_import.json").read_text())
CASE_IMPORT = {
    "case_uuid": IMPORT_ANSWER["case_uuid"],
    "packaged_product_uuid": IMPORT_ANSWER["packaged_product_uuid"],
    "pos_product_id": "pos-product-1",
    "pos_inventory_id": "pos-inventory-1",
    "package_uid": IMPORT_ANSWER["package_uid"],
}
SECRET = "s3cr3t-client-secret-value"


def token_answer(value: str, expires_in: int = 36000) -> dict[str, Any]:
    return {"access_token": value, "expires_in": expires_in, "token_type": "Bearer"}


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def calls(mocked: aioresponses, method: str, url: str) -> list[RequestCall]:
    return list(mocked.requests.get((method, URL(url)), []))


def source_client(**kwargs: Any) -> lucidgreen.SourceClient:
    # The limiter has its own tests; here it must not space the attempts of one call.
    kwargs.setdefault("rate_limiter", lifted_limiter())
    return lucidgreen.SourceClient("client-id", SECRET, **kwargs)


def retail_client(**kwargs: Any) -> lucidgreen.RetailClient:
    kwargs.setdefault("rate_limiter", lifted_limiter())
    return lucidgreen.RetailClient("client-id", SECRET, **kwargs)


def connector_error() -> aiohttp.ClientConnectorError:
    key = ConnectionKey("retail.lucidgreen.io", 443, True, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))


async def test_token_is_requested_form_encoded_then_sent_as_bearer(mocked: aioresponses) -> None:
    """The token POST carries the client-credentials form; the GET carries the bearer token."""
    mocked.post(TOKEN_URL, payload=token_answer("tok-1"))
    mocked.get(PRODUCT_URL, payload=PRODUCT, headers={"X-Request-ID": "srv-1"})
    async with source_client() as source:
        product = await source.products.get(PRODUCT["uuid"])
    assert product.uuid == PRODUCT["uuid"]
    (token_call,) = calls(mocked, "POST", TOKEN_URL)
    assert token_call.kwargs["data"] == {
        "grant_type": "client_credentials",
        "client_id": "client-id",
        "client_secret": SECRET,
    }
    assert "json" not in token_call.kwargs
    assert "Authorization" not in token_call.kwargs["headers"]
    (get_call,) = calls(mocked, "GET", PRODUCT_URL)
    headers = get_call.kwargs["headers"]
    assert headers["Authorization"] == "Bearer tok-1"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith(f"lucidgreen-python/{lucidgreen.__version__} ")
    assert headers["X-Request-ID"]
    assert get_call.kwargs["allow_redirects"] is False
    assert source.stats.requests == 2


@pytest.mark.parametrize(
    ("first", "counted"),
    [
        ({"status": 503, "body": ""}, "server_errors"),
        ({"exception": aiohttp.ServerDisconnectedError()}, "transport_errors"),
    ],
    ids=["503", "disconnect"],
)
async def test_a_read_that_failed_is_retried(
    mocked: aioresponses, first: dict[str, Any], counted: str
) -> None:
    """A read answered 503, or whose connection drops, is simply sent again (reads are safe
    to repeat) and the second answer (200) is returned; the failure is counted."""
    mocked.post(TOKEN_URL, payload=token_answer("tok-1"))
    mocked.get(PRODUCT_URL, **first)
    mocked.get(PRODUCT_URL, payload=PRODUCT)
    with without_sleeping():
        async with source_client() as source:
            product = await source.products.get(PRODUCT["uuid"])
    assert product.uuid == PRODUCT["uuid"]
    assert len(calls(mocked, "GET", PRODUCT_URL)) == 2
    assert source.stats.retries == 1
    assert getattr(source.stats, counted) == 1


async def test_401_renews_the_token_once_and_replays(mocked: aioresponses) -> None:
    """A 401 drops the token, fetches one new token and replays the call with it."""
    mocked.post(TOKEN_URL, payload=token_answer("tok-old"))
    mocked.post(TOKEN_URL, payload=token_answer("tok-new"))
    mocked.get(PRODUCT_URL, status=401, body="")
    mocked.get(PRODUCT_URL, payload=PRODUCT)
    async with source_client() as source:
        product = await source.products.get(PRODUCT["uuid"])
    assert product.uuid == PRODUCT["uuid"]
    assert len(calls(mocked, "POST", TOKEN_URL)) == 2
    sent = [call.kwargs["headers"]["Authorization"] for call in calls(mocked, "GET", PRODUCT_URL)]
    assert sent == ["Bearer tok-old", "Bearer tok-new"]
    assert source.stats.replays_after_401 == 1
    assert source.stats.retries == 0


async def test_second_401_raises_authentication_error(mocked: aioresponses) -> None:
    """After one renewal, a second 401 raises AuthenticationError without further attempts."""
    mocked.post(TOKEN_URL, payload=token_answer("tok-1"))
    mocked.post(TOKEN_URL, payload=token_answer("tok-2"))
    mocked.get(PRODUCT_URL, status=401, body="", repeat=True)
    async with source_client() as source:
        with pytest.raises(lucidgreen.AuthenticationError) as caught:
            await source.products.get(PRODUCT["uuid"])
    assert caught.value.status == 401
    assert len(calls(mocked, "GET", PRODUCT_URL)) == 2
    assert len(calls(mocked, "POST", TOKEN_URL)) == 2


async def test_404_raises_not_found_with_body_headers_and_request_id(
    mocked: aioresponses,
) -> None:
    """A 404 becomes NotFound carrying the raw body, the headers and the server's request id."""
    mocked.post(TOKEN_URL, payload=token_answer("tok-1"))
    mocked.get(
        PRODUCT_URL,
        status=404,
        payload={"detail": "Not found."},
        headers={"X-Request-ID": "srv-404"},
    )
    async with source_client() as source:
        with pytest.raises(lucidgreen.NotFound) as caught:
            await source.products.get(PRODUCT["uuid"])
    error = caught.value
    assert error.status == 404
    assert json.loads(error.body) == {"detail": "Not found."}
    assert error.headers["x-request-id"] == "srv-404"
    assert error.request_id == "srv-404"
    assert "Not found." in str(error)
    assert len(calls(mocked, "GET", PRODUCT_URL)) == 1


async def test_request_id_falls_back_to_the_one_sent(mocked: aioresponses) -> None:
    """Without an X-Request-ID in the answer, the error carries the id the SDK sent."""
    mocked.post(TOKEN_URL, payload=token_answer("tok-1"))
    mocked.get(PRODUCT_URL, status=404, payload={"detail": "Not found."})
    async with source_client() as source:
        with pytest.raises(lucidgreen.NotFound) as caught:
            await source.products.get(PRODUCT["uuid"])
    (get_call,) = calls(mocked, "GET", PRODUCT_URL)
    assert caught.value.request_id == get_call.kwargs["headers"]["X-Request-ID"]


async def test_write_sends_json_with_content_type(mocked: aioresponses) -> None:
    """A write sends its body as compact JSON with Content-Type: application/json."""
    mocked.post(RETAIL_TOKEN_URL, payload=token_answer("tok-1"))
    mocked.post(IMPORT_URL, payload=IMPORT_ANSWER)
    async with retail_client() as retail:
        result = await retail.caseids.import_case(**CASE_IMPORT)
    assert result.case_uuid == CASE_IMPORT["case_uuid"]
    (post,) = calls(mocked, "POST", IMPORT_URL)
    assert post.kwargs["headers"]["Content-Type"] == "application/json"
    assert post.kwargs["headers"]["Authorization"] == "Bearer tok-1"
    assert json.loads(post.kwargs["data"]) == CASE_IMPORT


async def test_unsafe_post_503_is_not_retried(mocked: aioresponses) -> None:
    """A 503 to a write the API cannot deduplicate raises ServerError after exactly one
    attempt (``import_case`` is resent: the API tells a duplicate import apart)."""
    mocked.post(RETAIL_TOKEN_URL, payload=token_answer("tok-1"))
    mocked.post(IMPORT_URL, status=503, body="", repeat=True)
    with without_sleeping():
        async with retail_client() as retail:
            with pytest.raises(lucidgreen.ServerError) as caught:
                await retail.operations.request("POST", "caseids/import/", json=CASE_IMPORT)
    assert caught.value.status == 503
    assert len(calls(mocked, "POST", IMPORT_URL)) == 1
    assert retail.stats.retries == 0


async def test_unsafe_post_429_is_retried(mocked: aioresponses) -> None:
    """A 429 to a write is retried: throttling refuses a request before the view acts."""
    mocked.post(RETAIL_TOKEN_URL, payload=token_answer("tok-1"))
    mocked.post(IMPORT_URL, status=429, payload={"detail": "throttled"})
    mocked.post(IMPORT_URL, payload=IMPORT_ANSWER)
    with without_sleeping():
        async with retail_client() as retail:
            result = await retail.caseids.import_case(**CASE_IMPORT)
    assert result.package_uid == CASE_IMPORT["package_uid"]
    assert len(calls(mocked, "POST", IMPORT_URL)) == 2
    assert retail.stats.rate_limited == 1


async def test_post_disconnect_raises_write_outcome_unknown(mocked: aioresponses) -> None:
    """A write the API cannot deduplicate whose connection drops after sending raises
    WriteOutcomeUnknown and is not resent."""
    mocked.post(RETAIL_TOKEN_URL, payload=token_answer("tok-1"))
    mocked.post(IMPORT_URL, exception=aiohttp.ServerDisconnectedError(), repeat=True)
    with without_sleeping():
        async with retail_client() as retail:
            with pytest.raises(lucidgreen.WriteOutcomeUnknown) as caught:
                await retail.operations.request("POST", "caseids/import/", json=CASE_IMPORT)
    assert caught.value.request_sent is True
    assert len(calls(mocked, "POST", IMPORT_URL)) == 1


async def test_post_connector_error_is_retried(mocked: aioresponses) -> None:
    """A write whose connection never opened is sent again (nothing reached the server)."""
    mocked.post(RETAIL_TOKEN_URL, payload=token_answer("tok-1"))
    mocked.post(IMPORT_URL, exception=connector_error())
    mocked.post(IMPORT_URL, payload=IMPORT_ANSWER)
    with without_sleeping():
        async with retail_client() as retail:
            result = await retail.caseids.import_case(**CASE_IMPORT)
    assert result.case_uuid == CASE_IMPORT["case_uuid"]
    assert len(calls(mocked, "POST", IMPORT_URL)) == 2
    assert retail.stats.transport_errors == 1
    assert retail.stats.retries == 1


async def test_test_environment_uses_the_test_hosts(mocked: aioresponses) -> None:
    """environment="test" sends the token request and the API call to the documented test host."""
    test_host = "https://source-test.lucidgreen.io"
    mocked.post(f"{test_host}/o/token/", payload=token_answer("tok-1"))
    mocked.get(f"{test_host}/api/v1.5/products/{PRODUCT['uuid']}/", payload=PRODUCT)
    async with source_client(environment="test") as source:
        await source.products.get(PRODUCT["uuid"])
    assert [key[1].host for key in mocked.requests] == ["source-test.lucidgreen.io"] * 2
