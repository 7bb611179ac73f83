"""pytest plugin (entry point ``lucidgreen``): a started :class:`FakeLucidGreen` per test.

Fixtures:

* ``lucidgreen_fake`` - a running fake with small data, ``page_size=10`` and rate limiting
  **off**, so tests are fast. Customise per test with the marker, whose keyword arguments go
  to :class:`FakeLucidGreen` (and win over the defaults)::

      @pytest.mark.lucidgreen_fake(products=500, rate_limits=True)
      async def test_walk(lucidgreen_fake): ...

* ``lucidgreen_fake_options`` - a dict of constructor arguments applied to every fake in its
  scope; override it in a ``conftest.py`` to change the defaults of a whole directory.

* ``source_client`` / ``retail_client`` - a ``SourceClient`` / ``RetailClient`` pointed at
  ``lucidgreen_fake`` with the fake's credentials, closed after the test::

      async def test_products(source_client, lucidgreen_fake):
          names = [p.name async for p in source_client.products.list()]

* ``lucidgreen_no_backoff`` - no SDK sleep (retry delays, 429 pauses) during the test.

The plugin is loaded wherever ``lucidgreen`` is installed, so it must never break a test run
that does not use it: without pytest-asyncio, the fixture fails only when requested.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ._server import FakeLucidGreen

if TYPE_CHECKING:
    from .._client import RetailClient, SourceClient

__all__ = [
    "FAST_DEFAULTS",
    "lucidgreen_fake",
    "lucidgreen_fake_options",
    "lucidgreen_no_backoff",
    "retail_client",
    "source_client",
]

#: Defaults of the ``lucidgreen_fake`` fixture: small data, short pages, no rate limiting.
FAST_DEFAULTS: dict[str, Any] = {
    "products": 30,
    "brands": 3,
    "batches": 12,
    "items": 60,
    "cases": 6,
    "items_per_case": 6,
    "collections": 6,
    "assets": 3,
    "page_size": 10,
    "rate_limits": False,
    "export_packages": 10,
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``lucidgreen_fake`` marker."""
    config.addinivalue_line(
        "markers",
        "lucidgreen_fake(**kwargs): FakeLucidGreen arguments for the lucidgreen_fake fixture",
    )


@pytest.fixture
def lucidgreen_fake_options() -> dict[str, Any]:
    """Constructor arguments for ``lucidgreen_fake``; override to change a suite's defaults."""
    return {}


def _options(request: pytest.FixtureRequest, options: dict[str, Any]) -> dict[str, Any]:
    merged = {**FAST_DEFAULTS, **options}
    marker = request.node.get_closest_marker("lucidgreen_fake")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError("@pytest.mark.lucidgreen_fake takes keyword arguments only")
        merged.update(marker.kwargs)
    return merged


def _async_fixture(func: Callable[..., Any]) -> Any:
    """``pytest_asyncio.fixture``, or a fixture that fails with the reason when it is missing."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - exercised only without pytest-asyncio

        @pytest.fixture(name=func.__name__)
        def missing() -> None:
            pytest.fail("this fixture needs pytest-asyncio (pip install pytest-asyncio)")

        return missing
    return pytest_asyncio.fixture(func)


@_async_fixture
async def lucidgreen_fake(
    request: pytest.FixtureRequest, lucidgreen_fake_options: dict[str, Any]
) -> AsyncIterator[FakeLucidGreen]:
    """A started :class:`FakeLucidGreen`, closed after the test."""
    async with FakeLucidGreen(**_options(request, lucidgreen_fake_options)) as fake:
        yield fake


@_async_fixture
async def source_client(lucidgreen_fake: FakeLucidGreen) -> AsyncIterator[SourceClient]:
    """A :class:`~lucidgreen.SourceClient` on ``lucidgreen_fake`` with its credentials.

    Its rate limiter matches the fake: none while the fake's limiter is off (the default),
    a :class:`~lucidgreen.TokenBucket` of the fake's limit and window when it is on.
    """
    async with lucidgreen_fake.source_client() as client:
        yield client


@_async_fixture
async def retail_client(lucidgreen_fake: FakeLucidGreen) -> AsyncIterator[RetailClient]:
    """A :class:`~lucidgreen.RetailClient` on ``lucidgreen_fake``, limited like ``source_client``.

    The two unauthenticated lookups keep the client's own 60-a-minute budget.
    """
    async with lucidgreen_fake.retail_client() as client:
        yield client


@pytest.fixture
def lucidgreen_no_backoff() -> Iterator[None]:
    """Every SDK sleep (retry delays, 429 pauses, export polls) returns at once in the test.

    A wrapper of :func:`lucidgreen.retry.without_sleeping`: tests that provoke retries stay
    fast, and the previous setting comes back afterwards.
    """
    from ..retry import without_sleeping

    with without_sleeping():
        yield
