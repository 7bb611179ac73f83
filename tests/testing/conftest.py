"""Fixtures for testing the fake itself, with plain aiohttp (no SDK client involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.support import FakeClock


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
