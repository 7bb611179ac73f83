"""``default_headers=`` reach every API request, never the export CDN, never replace
``Authorization``; a caller's User-Agent is appended to the SDK's; bad headers are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from lucidgreen import RetailClient, SourceClient
from lucidgreen._client import USER_AGENT
from lucidgreen._transport import AiohttpTransport, Request, Timeout
from tests.adversarial.environment.bad_headers import BAD_HEADERS
from tests.adversarial.support import running

UUID = "UNDTMBovdue9tFWfhamnDM"


@pytest.fixture
async def origins() -> AsyncIterator[tuple[str, str, list[tuple[str, dict[str, str]]]]]:
    """Two loopback servers (the API and a 'CDN'), recording each request's headers."""
    seen: list[tuple[str, dict[str, str]]] = []

    async def any_path(request: web.Request) -> web.Response:
        seen.append((f"{request.host}{request.path}", dict(request.headers)))
        if request.path == "/o/token/":
            return web.json_response({"access_token": "tok-abcdef", "expires_in": 3600})
        return web.json_response({"uuid": UUID})

    def app() -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", any_path)
        return app

    async with running(app()) as api, running(app()) as cdn:
        yield api, cdn, seen


async def test_api_requests_carry_them_and_the_cdn_does_not(
    origins: tuple[str, str, list[tuple[str, dict[str, str]]]],
) -> None:
    api, cdn, seen = origins
    headers = {"X-Team": "payments", "User-Agent": "myapp/2.1"}
    async with SourceClient("id", "secret-xyz", base_url=api, default_headers=headers) as source:
        await source.products.get(UUID)
    token, product = seen
    for _, got in (token, product):
        assert got["X-Team"] == "payments"
        assert got["User-Agent"] == f"{USER_AGENT} myapp/2.1"
    assert product[1]["Authorization"] == "Bearer tok-abcdef"
    transport = AiohttpTransport(
        api_origin=api, api_headers={"X-Team": "payments"}, headers={"User-Agent": USER_AGENT}
    )
    try:
        await transport.send(
            Request("GET", f"{cdn}/exports/p.json", authenticated=False), timeout=Timeout(5)
        )
    finally:
        await transport.aclose()
    assert "X-Team" not in seen[-1][1]
    assert seen[-1][1]["User-Agent"] == USER_AGENT


@pytest.mark.parametrize(("headers", "words"), BAD_HEADERS, ids=repr)
@pytest.mark.parametrize("cls", [SourceClient, RetailClient])
def test_bad_default_headers_are_refused_at_construction(
    headers: dict[str, str], words: str, cls: type[SourceClient | RetailClient]
) -> None:
    with pytest.raises(ValueError, match=words):
        cls(token="t", base_url="http://127.0.0.1:1", default_headers=headers)
