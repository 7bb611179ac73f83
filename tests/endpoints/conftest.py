"""Fixtures for the per-endpoint tests: clients on the loopback fake, and clients under
aioresponses (no socket at all) with a way to read back exactly what was sent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypedDict

import attrs
import pytest
from aiohttp import web
from aioresponses import aioresponses

from lucidgreen import RetailClient, RetryPolicy, SourceClient, TokenBucket
from tests.adversarial.support import running
from tests.endpoints.helpers import Scripted

SOURCE_HOST = "https://source.lucidgreen.io"
RETAIL_HOST = "https://retail.lucidgreen.io"
#: Retries that never sleep.
NO_WAIT = RetryPolicy(initial_delay=0, max_delay=0)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    """aioresponses patching every aiohttp session: a request it does not expect fails."""
    with aioresponses() as mock:
        yield mock


@pytest.fixture
async def source_unit(mocked: aioresponses, limiter: TokenBucket) -> AsyncIterator[SourceClient]:
    """A SourceClient on the production host with a static token, under aioresponses."""
    async with SourceClient(token="source-token", rate_limiter=limiter) as client:
        yield client


@pytest.fixture
async def retail_unit(mocked: aioresponses, limiter: TokenBucket) -> AsyncIterator[RetailClient]:
    """A RetailClient on the production host with a static token, under aioresponses."""
    async with RetailClient(token="retail-token", rate_limiter=limiter) as client:
        yield client


@attrs.frozen
class Sent:
    """One request as aioresponses saw it: raw path, decoded query, headers, JSON body."""

    method: str
    host: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def sent_requests(mock: aioresponses) -> list[Sent]:
    """Every request aioresponses intercepted (grouped by URL, each group in order)."""
    found: list[Sent] = []
    for (method, url), calls in mock.requests.items():
        for call in calls:
            data = call.kwargs.get("data")
            found.append(
                Sent(
                    method=method,
                    host=f"{url.scheme}://{url.host}",
                    raw_path=url.raw_path,
                    query=dict(url.query),
                    headers=dict(call.kwargs.get("headers") or {}),
                    body=None if data is None else json.loads(data),
                )
            )
    return found


@pytest.fixture
def sent(mocked: aioresponses) -> Any:
    """``sent()``: the requests intercepted so far, see :func:`sent_requests`."""
    return lambda: sent_requests(mocked)


@pytest.fixture
async def scripted() -> AsyncIterator[Scripted]:
    """A :class:`Scripted` server on 127.0.0.1, port 0."""
    script = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    async with running(app) as url:
        script.url = url
        yield script


class OnScript(TypedDict):
    base_url: str
    rate_limiter: TokenBucket
    retry: RetryPolicy


def on_script(scripted: Scripted, limiter: TokenBucket) -> OnScript:
    """Client options aimed at the scripted server, with retries that never sleep."""
    return {"base_url": scripted.url, "rate_limiter": limiter, "retry": NO_WAIT}


@pytest.fixture
async def scripted_retail(scripted: Scripted, limiter: TokenBucket) -> AsyncIterator[RetailClient]:
    """A RetailClient with a static token on the scripted server, retries without sleeping."""
    async with RetailClient(token="retail-token", **on_script(scripted, limiter)) as client:
        yield client


@pytest.fixture
async def scripted_source(scripted: Scripted, limiter: TokenBucket) -> AsyncIterator[SourceClient]:
    """A SourceClient with a static token on the scripted server, retries without sleeping."""
    async with SourceClient(token="source-token", **on_script(scripted, limiter)) as client:
        yield client
