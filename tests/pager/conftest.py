"""Fixtures for the pager tests: a loopback fake with short pages and clients bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import lucidgreen.testing.plugin
from lucidgreen import SourceClient, TokenBucket
from lucidgreen.testing import FakeLucidGreen
from tests.pager.helpers import N_PRODUCTS, PAGE_SIZE, MakeClient
from tests.support import all_closed


def pytest_configure(config: pytest.Config) -> None:
    # The pytest11 entry point loads the plugin once lucidgreen is installed; from a bare
    # checkout, register it here instead (never twice).
    manager = config.pluginmanager
    if not manager.is_registered(lucidgreen.testing.plugin):
        manager.register(lucidgreen.testing.plugin, "lucidgreen")


@pytest.fixture
def lucidgreen_fake_options() -> dict[str, Any]:
    """Short pages and a partial last page for every list the pager tests walk."""
    return {
        "products": N_PRODUCTS,
        "batches": 40,
        "assets": 30,
        "brands": 4,
        "page_size": PAGE_SIZE,
    }


@pytest.fixture
async def make_client(lucidgreen_fake: FakeLucidGreen) -> AsyncIterator[MakeClient]:
    """A factory of SourceClients on the fake (each with its own session, like a restart)."""

    def build() -> SourceClient:
        # Far above anything these tests send: the limiter never paces them.
        return lucidgreen_fake.source_client(rate_limiter=TokenBucket(limit=1_000_000, per=60.0))

    async with all_closed(build) as make:
        yield make


@pytest.fixture
def source(make_client: MakeClient) -> SourceClient:
    """One client on the fake."""
    return make_client()
