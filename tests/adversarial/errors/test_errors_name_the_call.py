# ruff: noqa: RUF059, PT018
"""An API error names its call and offers case-insensitive headers."""

from __future__ import annotations

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, serve, source


async def test_api_error_headers_case_insensitive_and_str_names_the_call() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"detail": "bad"}, status=400, headers={"X-Thing": "v"})

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.BadRequest) as info:
            await c.products.get(LID)
    e = info.value
    assert e.headers.get("Content-Type", "").startswith("application/json")
    assert e.headers.get("x-thing") == "v" and e.headers.get("X-THING") == "v"
    assert "GET" in str(e) and "/api/v1.5/products/" in str(e)
