"""Malformed and hostile answers end in typed errors or safe behaviour, never a hang or a crash.

What each case gives (the documented behaviour):

* a body cut short of its ``Content-Length`` (the connection closed mid-body): a
  ``TransportError`` ("ClientPayloadError ..."), retried like any lost answer; a GET that meets
  it every time raises it after the retries.
* a body cut in half but with a matching ``Content-Length`` (the HTTP exchange completed, the
  JSON is broken): a ``DecodeError`` whose ``text`` is the raw half body; not retried, since
  the server did answer.
* wrong types in a resource (``uuid: 5``, ``published_on: "garbage"``): ``DecodeError`` naming
  the fields, with the body's JSON in ``text``.
* an nginx HTML 502 page: ``ServerError`` whose message is the page's title, retried.
* a 5 MB body: decoded (a 5 MB field) or ``DecodeError`` (a 5 MB JSON string as a page, its
  ``text`` capped at 100,000 characters), in well under a second or two.
* JSON nested deeper than Python's stack: ``DecodeError`` (success) or the status's error
  type (an error answer), never ``RecursionError``.
* a ``next`` link naming another host: only its path is followed, on the configured origin;
  a link that leaves the list's endpoint raises ``DecodeError`` without being requested.
* ``Retry-After`` of a year: ``RateLimited`` raised at once (``RetryPolicy.max_retry_after``),
  and the product's budget is not paused.
"""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest

from lucidgreen import (
    BadRequest,
    DecodeError,
    RateLimited,
    RetryPolicy,
    ServerError,
    TransportError,
)
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen

PRODUCTS = "/api/v1.5/products/"
BRANDS = "/api/v1.5/brands/"
YEAR = 365 * 24 * 3600
NGINX_502 = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


@pytest.fixture
async def fake():
    async with FakeLucidGreen(products=30, page_size=10, rate_limits=False, seed=6) as started:
        yield started


def _detail(fake: FakeLucidGreen) -> tuple[str, str]:
    uuid = next(iter(fake.state.products))
    return uuid, f"{PRODUCTS}{uuid}/"


async def test_a_body_cut_short_of_its_length_is_a_transport_error_and_retried(fake) -> None:
    """A connection closed mid-body is a lost answer: retried, and the retry succeeds."""
    uuid, path = _detail(fake)
    fake.faults.truncate_mode = "content_length"
    fake.faults.script(path, ["truncate"])
    async with fake.source_client() as client:
        with without_sleeping():
            product = await client.products.get(uuid)
        assert product.uuid == uuid
        assert client.stats.transport_errors == 1
        assert client.stats.retries == 1
    fake.faults.script(path, ["truncate"] * 3)
    async with fake.source_client(retry=RetryPolicy(max_retries=2)) as client:
        with without_sleeping(), pytest.raises(TransportError) as caught:
            await client.products.get(uuid)
    assert "Payload" in str(caught.value)
    assert len(fake.requests.matching(path)) == 2 + 3


async def test_cut_json_with_a_consistent_length_is_a_decode_error_with_the_raw_text(fake) -> None:
    """Half a JSON body that HTTP calls complete raises DecodeError carrying that half."""
    uuid, path = _detail(fake)
    fake.faults.truncate_mode = "cut_json"
    fake.faults.script(path, ["truncate"])
    async with fake.source_client() as client:
        with pytest.raises(DecodeError) as caught:
            await client.products.get(uuid)
    assert caught.value.status == 200
    assert caught.value.text.startswith('{"uuid":"' + uuid)
    assert "not JSON" in str(caught.value)
    assert len(fake.requests.matching(path)) == 1


async def test_wrong_types_in_a_resource_raise_decode_error_with_the_body(fake) -> None:
    """``uuid: 5`` and ``published_on: "garbage"`` name their fields and keep the raw JSON."""
    uuid, path = _detail(fake)
    body = {"uuid": 5, "name": "Hostile", "published_on": "garbage"}
    fake.faults.script(path, [(200, body)])
    async with fake.source_client() as client:
        with pytest.raises(DecodeError) as caught:
            await client.products.get(uuid)
    message = str(caught.value)
    assert "published_on" in message
    assert "garbage" in message
    assert '"published_on": "garbage"' in caught.value.text
    assert '"uuid": 5' in caught.value.text


async def test_a_wrong_item_in_a_page_raises_decode_error(fake) -> None:
    """A page whose item has a wrong-typed field fails the listing with DecodeError."""
    page = {"count": 1, "next": None, "previous": None, "results": [{"uuid": ["x"]}]}
    fake.faults.script(PRODUCTS, [(200, page)])
    async with fake.source_client() as client:
        with pytest.raises(DecodeError) as caught:
            _ = [p async for p in client.products.list()]
    assert "uuid" in str(caught.value)


async def test_html_502_pages_are_readable_server_errors_and_retried(fake) -> None:
    """nginx 502 pages are retried; when they persist, ServerError says "502 Bad Gateway"."""
    uuid, path = _detail(fake)
    page = (502, NGINX_502, {"Content-Type": "text/html"})
    fake.faults.script(path, [page, page])
    async with fake.source_client(retry=RetryPolicy(max_retries=2)) as client:
        with without_sleeping():
            assert (await client.products.get(uuid)).uuid == uuid
            fake.faults.script(path, [page] * 3)
            with pytest.raises(ServerError) as caught:
                await client.products.get(uuid)
    error = caught.value
    assert error.status == 502
    assert error.message == "HTML error page: 502 Bad Gateway"
    assert str(error).startswith(f"HTTP 502 GET {path}: HTML error page: 502 Bad Gateway")
    assert "<" not in str(error)
    assert error.body == NGINX_502
    assert len(fake.requests.matching(path)) == 3 + 3


async def test_huge_bodies_are_decoded_or_refused_promptly(fake, figures) -> None:
    """A 5 MB field decodes; a 5 MB JSON string as a page is a DecodeError; neither hangs."""
    uuid, path = _detail(fake)
    huge = "x" * (5 * 1024 * 1024)
    product = {"uuid": uuid, "name": "Big", "description": huge}
    json_string = (200, f'"{huge}"', {"Content-Type": "application/json"})
    fake.faults.script(path, [(200, product)])
    # Scripts match by prefix in the order given: the detail GET takes the first one.
    fake.faults.script(PRODUCTS, [json_string])
    async with fake.source_client(timeout=10) as client:
        started = time.monotonic()
        async with asyncio.timeout(10):
            got = await client.products.get(uuid)
        decoded_in = time.monotonic() - started
        assert got.description == huge
        started = time.monotonic()
        with pytest.raises(DecodeError) as caught:
            async with asyncio.timeout(10):
                _ = [p async for p in client.products.list()]
        refused_in = time.monotonic() - started
    figures(
        "5 MB bodies", {"decoded (s)": round(decoded_in, 2), "refused (s)": round(refused_in, 2)}
    )
    assert len(caught.value.text) == 100_000
    assert len(str(caught.value)) < 1000
    assert decoded_in < 5
    assert refused_in < 5


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b"[" * 100_000, DecodeError),
        (200, b"[" * 800 + b"]" * 800, DecodeError),
        (400, b"[" * 100_000, BadRequest),
        (400, b"[" * 800 + b"]" * 800, BadRequest),
        (503, b'{"a":' * 800 + b"1" + b"}" * 800, ServerError),
    ],
    ids=["unparseable-200", "deep-200", "unparseable-400", "deep-400", "deep-503"],
)
async def test_json_nested_deeper_than_the_stack_is_a_typed_error(fake, status, body, error):
    """Hostile nesting depth gives DecodeError or the status's error, never RecursionError."""
    uuid, path = _detail(fake)
    fake.faults.script(path, [(status, body, {"Content-Type": "application/json"})])
    async with fake.source_client(retry=RetryPolicy.none()) as client:
        with pytest.raises(error) as caught:
            await client.products.get(uuid)
    assert len(str(caught.value)) < 1000


async def test_a_next_link_to_another_host_is_followed_on_the_configured_origin(fake) -> None:
    """``next`` links naming the CDN host are fetched from the API origin; nothing goes there."""
    fake.faults.next_host = fake.cdn_url
    async with fake.source_client() as client:
        plain = [p.uuid async for p in client.products.list()]
        prefetched = [p.uuid async for p in client.products.list(prefetch=2)]
    assert plain == prefetched == list(fake.state.products)
    assert fake.requests.matching("", site="cdn") == []
    pages = fake.requests.matching(PRODUCTS, site="api")
    assert len(pages) == 2 * 3
    assert all(r.authorization for r in pages)


async def test_a_next_link_leaving_the_endpoint_is_refused_unrequested(fake) -> None:
    """A ``next`` link to another endpoint raises DecodeError before anything is sent to it."""
    hostile = "http://127.0.0.2:9/api/v1.5/brands/?page=2"  # loopback: never reached
    page = {"count": 20, "next": hostile, "previous": None, "results": []}
    fake.faults.script(PRODUCTS, [(200, page)])
    async with fake.source_client() as client:
        with pytest.raises(DecodeError) as caught:
            _ = [p async for p in client.products.list()]
    assert caught.value.text == hostile
    assert fake.requests.matching(BRANDS) == []
    assert len(fake.requests) == 2  # the token and the first page, nothing else


@pytest.mark.parametrize("form", ["seconds", "http-date"])
async def test_a_retry_after_of_a_year_raises_rate_limited_at_once(fake, form) -> None:
    """A 429 asking for a year's wait raises RateLimited promptly and pauses no budget."""
    uuid, path = _detail(fake)
    value = (
        str(YEAR) if form == "seconds" else email.utils.formatdate(time.time() + YEAR, usegmt=True)
    )
    fake.faults.script(path, [(429, {"detail": "Request was throttled."}, {"Retry-After": value})])
    async with fake.source_client() as client:
        started = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            async with asyncio.timeout(5):
                await client.products.get(uuid)
        assert time.monotonic() - started < 2
        assert caught.value.retry_after == pytest.approx(YEAR, abs=5)
        assert client.stats.retries == 0
        # The budget was not paused for a year: the next call goes out at once.
        async with asyncio.timeout(2):
            assert (await client.products.get(uuid)).uuid == uuid
    assert len(fake.requests.matching(path)) == 2


async def test_a_throttling_server_with_a_year_long_retry_after_does_not_hang(fake) -> None:
    """The fake's throttle answering every call with Retry-After of a year: RateLimited, fast."""
    fake.faults.rate_limit_rate = 1.0
    fake.faults.retry_after = YEAR
    async with fake.source_client() as client:
        with pytest.raises(RateLimited):
            async with asyncio.timeout(5):
                _ = [p async for p in client.products.list()]
    assert len(fake.requests.matching(PRODUCTS)) == 1
