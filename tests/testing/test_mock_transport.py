"""``MockTransport``: a client driven by a function, the whole SDK stack above it."""

from __future__ import annotations

import json

import aiohttp
import pytest

import lucidgreen
from lucidgreen import RetailClient, SourceClient
from lucidgreen.testing import MockTransport, Request, Response, json_response

EXPORT_URL = "https://cdn.example/exports/p.json?X-Amz-Signature=abc"
FILE = {"1A4060300000000000000001": {"Khf8UxYKJFnCC7n4UkNUQu": ["UNDTMBovdue9tFWfhamnDM"]}}


def retail_handler(request: Request) -> Response:
    if request.url.endswith("/o/token/"):
        return json_response({"access_token": "tok", "expires_in": 3600, "token_type": "Bearer"})
    if "/package-uids-export/" in request.url:
        return json_response({"export_url": EXPORT_URL})
    if request.url == EXPORT_URL:
        return Response(200, {"Content-Type": "application/json"}, json.dumps(FILE).encode())
    return json_response({"detail": "Not found."}, status=404)


async def test_download_and_entries_stream_through_the_mock():
    """``stream()`` serves downloads: the export file arrives whole, by download or entry."""
    transport = MockTransport(retail_handler)
    async with RetailClient("id", "secret", transport=transport) as retail:
        export = await retail.package_uids.export()
        assert await export.download() == FILE
        entries = [entry async for entry in export.entries(chunk_size=7)]
    assert [(e.package_uid, e.case_id, list(e.lucid_ids)) for e in entries] == [
        ("1A4060300000000000000001", "Khf8UxYKJFnCC7n4UkNUQu", ["UNDTMBovdue9tFWfhamnDM"])
    ]
    token_request = transport.requests[0]
    assert token_request.form is not None
    assert token_request.form["client_id"] == "id"
    # The presigned file is fetched without the bearer token, as from the real CDN.
    downloads = [r for r in transport.requests if r.url == EXPORT_URL]
    assert downloads
    assert all("Authorization" not in r.headers for r in downloads)


async def test_error_statuses_map_to_the_error_tree():
    """The handler's 403 is PermissionDenied with the body's message, as from a server."""

    def handler(request: Request) -> Response:
        return json_response({"detail": "You do not have permission."}, status=403)

    async with SourceClient(token="t", transport=MockTransport(handler)) as source:
        with pytest.raises(lucidgreen.PermissionDenied) as denied:
            await source.products.get("UNDTMBovdue9tFWfhamnDM")
    assert denied.value.status == 403


async def test_a_connect_error_from_the_handler_is_retried_then_raised(lucidgreen_no_backoff):
    """A handler raising ConnectError stands for a network failure: retried, then raised."""
    calls = []

    def handler(request: Request) -> Response:
        calls.append(request)
        raise lucidgreen.errors.ConnectError("refused", request_sent=False)

    retry = lucidgreen.RetryPolicy(max_retries=2)
    unpaced = lucidgreen.TokenBucket(limit=10_000, per=1.0)
    async with SourceClient(
        token="t", transport=MockTransport(handler), retry=retry, rate_limiter=unpaced
    ) as source:
        with pytest.raises(lucidgreen.errors.ConnectError):
            await source.products.get("UNDTMBovdue9tFWfhamnDM")
    assert len(calls) == 3


async def test_a_handler_returning_the_wrong_type_fails_loudly():
    """A handler that returns a dict instead of a Response gets a TypeError naming it."""
    async with SourceClient(token="t", transport=MockTransport(lambda r: {"uuid": "x"})) as s:  # type: ignore[arg-type,return-value]
        with pytest.raises(TypeError, match="dict"):
            await s.products.get("UNDTMBovdue9tFWfhamnDM")


async def test_session_and_transport_together_are_refused():
    """Either your aiohttp session or a transport: both at once is a ValueError."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ValueError, match="session= or transport="):
            SourceClient(token="t", session=session, transport=MockTransport(json_response))


async def test_closing_the_client_closes_the_transport():
    transport = MockTransport(lambda request: json_response({}))
    async with SourceClient(token="t", transport=transport):
        pass
    assert transport.closed
