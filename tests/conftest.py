"""Fixtures shared across the test directories: clients on the loopback fake whose product
budget never waits but counts how often it was spent, a throwaway ``redis-server`` for
the tests marked ``redis``, and the ``aioresponses`` marker: a test that uses aioresponses
(directly or through a fixture) runs where aioresponses works (the lowest-versions pass,
aiohttp 3.13) and is skipped, saying why, where it does not (aiohttp 3.14 and later)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, NoReturn

import aiohttp
import pytest

import lucidgreen.testing.plugin
from benchmarks._redis import redis_server
from lucidgreen import RetailClient, SourceClient
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import FakeLucidGreen
from tests.mocking import aioresponses_broken, uses_aioresponses

#: Given once per session: whether aioresponses answers a request on this aiohttp.
_AIORESPONSES_SKIP = pytest.StashKey[pytest.MarkDecorator | None]()


def pytest_configure(config: pytest.Config) -> None:
    # The pytest11 entry point loads the plugin once lucidgreen is installed; from a bare
    # checkout, register it here instead (never twice).
    manager = config.pluginmanager
    if not manager.is_registered(lucidgreen.testing.plugin):
        manager.register(lucidgreen.testing.plugin, "lucidgreen")
    config.addinivalue_line(
        "markers",
        "aioresponses: uses aioresponses, which works on aiohttp < 3.14 only (set automatically)",
    )
    why = aioresponses_broken()
    config.stash[_AIORESPONSES_SKIP] = (
        None
        if why is None
        else pytest.mark.skip(
            reason=f"aioresponses does not work on aiohttp {aiohttp.__version__} ({why}); "
            "these tests run in the lowest-versions pass (.ci/lowest-constraints.txt)"
        )
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = config.stash[_AIORESPONSES_SKIP]
    for item in items:
        if isinstance(item, pytest.Function) and uses_aioresponses(item):
            item.add_marker(pytest.mark.aioresponses)
            if skip is not None:
                item.add_marker(skip)


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


Record = Callable[[str, dict[str, Any]], None]

_FIGURES = pytest.StashKey[list[tuple[str, dict[str, Any]]]]()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Record:
    """``figures(title, {name: value})``: add a table to the end-of-session report."""
    tables = request.config.stash.setdefault(_FIGURES, [])

    def record(title: str, values: dict[str, Any]) -> None:
        tables.append((title, dict(values)))

    return record


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    del exitstatus
    tables = config.stash.get(_FIGURES, [])
    if not tables:
        return
    terminalreporter.section("lucidgreen reliability figures")
    for title, values in tables:
        terminalreporter.write_line(f"{title}:")
        width = max(len(name) for name in values) if values else 0
        for name, value in values.items():
            terminalreporter.write_line(f"  {name:<{width}}  {value}")
