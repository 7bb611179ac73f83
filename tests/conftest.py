"""Fixtures shared across the test directories: clients on the loopback fake whose product
budget never waits but counts how often it was spent, and a throwaway ``redis-server`` for
the tests marked ``redis``."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import NoReturn

import pytest

from benchmarks._redis import redis_server
from lucidgreen import RetailClient, SourceClient
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import FakeLucidGreen


@pytest.fixture
def limiter() -> Unlimited:
    """The product budget of ``source`` and ``retail``: never waits, counts acquisitions."""
    return Unlimited()


@pytest.fixture
async def source(
    lucidgreen_fake: FakeLucidGreen, limiter: Unlimited
) -> AsyncIterator[SourceClient]:
    """A SourceClient talking to the loopback fake with its generated credentials."""
    async with lucidgreen_fake.source_client(rate_limiter=limiter) as client:
        yield client


@pytest.fixture
async def retail(
    lucidgreen_fake: FakeLucidGreen, limiter: Unlimited
) -> AsyncIterator[RetailClient]:
    """A RetailClient talking to the loopback fake with its generated credentials."""
    async with lucidgreen_fake.retail_client(rate_limiter=limiter) as client:
        yield client


def _unavailable(reason: str) -> NoReturn:
    # CI installs redis-server; there a missing binary is a broken setup, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the redis tests may not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a redis-server started for this test session, stopped afterwards."""
    try:
        import redis  # noqa: F401
    except ImportError:
        _unavailable("the redis package is missing (pip install 'lucidgreen[redis]')")
    with redis_server() as url:
        if url is None:
            _unavailable("redis-server is not on PATH (apt-get install redis-server)")
        yield url
