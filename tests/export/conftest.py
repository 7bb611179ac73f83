"""Fixtures for the package-UID export tests: a RetailClient on the loopback fake whose
product budget counts how often it was spent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lucidgreen import RetailClient, TokenBucket
from lucidgreen.testing import FakeLucidGreen


class CountingBucket(TokenBucket):
    """A roomy :class:`TokenBucket` that counts how often its budget was spent."""

    __slots__ = ("acquired",)

    def __init__(self) -> None:
        super().__init__(limit=1_000_000, per=60.0, burst=1000)
        self.acquired = 0

    async def acquire(self) -> float:
        self.acquired += 1
        return await super().acquire()


@pytest.fixture
def limiter() -> CountingBucket:
    """The Retail product budget of ``retail``: never waits, counts acquisitions."""
    return CountingBucket()


@pytest.fixture
async def retail(
    lucidgreen_fake: FakeLucidGreen, limiter: CountingBucket
) -> AsyncIterator[RetailClient]:
    """A RetailClient talking to the loopback fake with its generated credentials."""
    client_id, secret = lucidgreen_fake.retail_credentials
    async with RetailClient(
        client_id, secret, base_url=lucidgreen_fake.url, rate_limiter=limiter
    ) as client:
        yield client
