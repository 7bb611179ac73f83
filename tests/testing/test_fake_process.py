"""The pytest plugin's fixtures and ``python -m lucidgreen.testing``."""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp
import pytest

from lucidgreen.testing import FakeLucidGreen
from lucidgreen.testing.plugin import FAST_DEFAULTS


async def test_fixture_defaults_are_small_and_unthrottled(lucidgreen_fake):
    """The fixture gives a started fake with small data and the limiter off."""
    assert isinstance(lucidgreen_fake, FakeLucidGreen)
    assert lucidgreen_fake.running
    assert len(lucidgreen_fake.state.products) == FAST_DEFAULTS["products"]
    assert lucidgreen_fake.page_size == 10
    assert lucidgreen_fake.limits.enabled is False


@pytest.mark.lucidgreen_fake(products=7, page_size=3, rate_limits=True)
async def test_marker_overrides_fixture_defaults(lucidgreen_fake):
    """Marker keyword arguments reach the FakeLucidGreen constructor."""
    assert len(lucidgreen_fake.state.products) == 7
    assert lucidgreen_fake.page_size == 3
    assert lucidgreen_fake.limits.enabled is True


async def test_module_runs_as_a_process_and_answers():
    """``python -m lucidgreen.testing`` prints its URL and credentials and serves them."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lucidgreen.testing", "--products", "5", "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        info = json.loads(line)
        form = {
            "grant_type": "client_credentials",
            "client_id": info["source_client_id"],
            "client_secret": info["source_client_secret"],
        }
        async with aiohttp.ClientSession() as session:
            async with session.post(info["url"] + "/o/token/", data=form) as resp:
                token = (await resp.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            async with session.get(info["url"] + "/api/v1.5/products/", headers=headers) as resp:
                assert (await resp.json())["count"] == 5
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
