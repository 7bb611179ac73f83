# ruff: noqa: SIM105
"""An odd Retry-After neither crashes nor hangs the client."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, aimed_at, product, source


@pytest.mark.parametrize(
    "ra",
    [
        "NaN",
        "inf",
        "-inf",
        "1e308",
        "-5",
        "Fri, 01 Jan 1999 00:00:00 GMT",
        "Fri, 01 Jan 9999 00:00:00 GMT",
        "0x10",
        "\u00b2",
        "1" * 400,
    ],
)
async def test_odd_retry_after_neither_crashes_nor_hangs(ra: str) -> None:
    """429 with an odd Retry-After then 200: the call succeeds or raises RateLimited within 5 s."""

    async def h(r: web.Request, n: int) -> web.Response:
        if n == 1:
            return web.Response(status=429, headers={"Retry-After": ra})
        return web.json_response(product(n))

    async with aimed_at(
        h,
        source,
        rate_limiter=lucidgreen.TokenBucket(limit=50, per=1.0),
        retry=lucidgreen.RetryPolicy(max_retries=1, initial_delay=0, max_retry_after=2),
    ) as (c, _):
        try:
            await asyncio.wait_for(c.products.get(LID), 5)
        except lucidgreen.RateLimited:
            pass
