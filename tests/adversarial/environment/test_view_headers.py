"""``with_options(headers=)``: a view's headers reach its API requests only, add to the
client's ``default_headers`` (a view of a view adds again), leave the client itself as it
was, and follow the same rules (never ``Authorization``/``Host``, no CR/LF)."""

from __future__ import annotations

import pytest
from aiohttp import web

from lucidgreen._client import USER_AGENT

from ..support import LID, TOKEN, serve, source
from .bad_headers import BAD_HEADERS


async def product(request: web.Request, n: int) -> web.StreamResponse:
    del request, n
    return web.json_response({"uuid": LID, "name": "P"})


async def test_a_views_headers_reach_its_requests_and_not_the_clients() -> None:
    teams = {"X-Team": "payments"}
    async with serve(product) as (url, log), source(url, default_headers=teams) as client:
        view = client.with_options(headers={"X-Trace": "abc", "X-Team": "risk"})
        await view.products.get(LID)
        await client.products.get(LID)
        await view.request("GET", "products/")
    on_view, on_client, on_escape = (headers for _, _, (headers, _) in log)
    assert (on_view["X-Trace"], on_view["X-Team"]) == ("abc", "risk")
    assert "X-Trace" not in on_client
    assert on_client["X-Team"] == "payments"
    assert on_escape["X-Trace"] == "abc"
    for headers in (on_view, on_client, on_escape):
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Accept"] == "application/json"


async def test_a_view_of_a_view_adds_its_headers_to_the_first_views() -> None:
    async with serve(product) as (url, log), source(url) as client:
        inner = client.with_options(headers={"X-A": "1"}).with_options(headers={"X-B": "2"})
        await inner.products.get(LID)
    ((_, _, (headers, _)),) = log
    assert (headers["X-A"], headers["X-B"]) == ("1", "2")


async def test_a_views_user_agent_is_appended_to_the_clients() -> None:
    mine = {"User-Agent": "myapp/2"}
    async with serve(product) as (url, log), source(url, default_headers=mine) as client:
        await client.with_options(headers={"User-Agent": "job/7"}).products.get(LID)
        await client.products.get(LID)
    view_ua, client_ua = (headers["User-Agent"] for _, _, (headers, _) in log)
    assert view_ua == f"{USER_AGENT} myapp/2 job/7"
    assert client_ua == f"{USER_AGENT} myapp/2"


@pytest.mark.parametrize(("headers", "words"), BAD_HEADERS, ids=repr)
async def test_a_header_that_cannot_be_sent_is_refused_naming_the_keyword(
    headers: dict[str, str], words: str
) -> None:
    async with serve(product) as (url, log), source(url) as client:
        with pytest.raises(ValueError, match=words) as caught:
            client.with_options(headers=headers)
    assert "headers" in str(caught.value)
    assert "default_headers" not in str(caught.value)
    assert log == []


async def test_headers_that_are_not_a_mapping_of_strings_are_a_type_error() -> None:
    async with serve(product) as (url, _), source(url) as client:
        with pytest.raises(TypeError):
            client.with_options(headers=[("X-A", "1")])  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            client.with_options(headers={"X-A": 1})  # type: ignore[dict-item]
