"""Fixtures for the flow-helper tests: a SourceClient on the loopback fake whose aiohttp
session reports how many requests are in flight at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import attrs
import pytest

from lucidgreen import SourceClient, TokenBucket
from lucidgreen.testing import FakeLucidGreen


@attrs.define
class InFlight:
    """Requests open on the session right now, and the most ever open at once."""

    now: int = 0
    most: int = 0

    def reset(self) -> None:
        self.now = self.most = 0

    async def start(self, session: Any, context: SimpleNamespace, params: Any) -> None:
        self.now += 1
        self.most = max(self.most, self.now)

    async def end(self, session: Any, context: SimpleNamespace, params: Any) -> None:
        self.now -= 1


@pytest.fixture
def in_flight() -> InFlight:
    return InFlight()


@pytest.fixture
async def source(
    lucidgreen_fake: FakeLucidGreen, limiter: TokenBucket, in_flight: InFlight
) -> AsyncIterator[SourceClient]:
    """A SourceClient on the fake, over a session traced by ``in_flight``."""
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(in_flight.start)
    trace.on_request_end.append(in_flight.end)
    trace.on_request_exception.append(in_flight.end)
    async with (
        aiohttp.ClientSession(trace_configs=[trace]) as session,
        lucidgreen_fake.source_client(rate_limiter=limiter, session=session) as client,
    ):
        yield client
