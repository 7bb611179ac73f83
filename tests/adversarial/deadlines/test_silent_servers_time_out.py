"""A server that never answers: typed errors after the configured timeout, never a hang."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from lucidgreen import RetryPolicy, TransportError, WriteOutcomeUnknown
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen

PRODUCTS = "/api/v1.5/products/"
VOID = "/api/v1.2/transactions/void/"
TIMEOUT = 0.2

# Every test here waits on the real clock (deadlines, timeouts).
pytestmark = pytest.mark.slow


@pytest.fixture
async def fake():
    async with FakeLucidGreen(products=5, rate_limits=False, seed=5) as started:
        yield started


async def test_a_stalled_read_times_out_and_is_retried_per_policy(fake, figures) -> None:
    """Each attempt ends after ``timeout``; a GET is tried 1 + max_retries times, then raises."""
    fake.faults.stall_rate = 1.0
    uuid = next(iter(fake.state.products))
    policy = RetryPolicy(max_retries=3)
    async with fake.source_client(timeout=TIMEOUT, retry=policy) as client:
        started = time.monotonic()
        with without_sleeping(), pytest.raises(TransportError) as caught:
            async with asyncio.timeout(5):
                await client.products.get(uuid)
        elapsed = time.monotonic() - started
    attempts = len(fake.requests.matching(PRODUCTS))
    figures("stalled GET", {"timeout": TIMEOUT, "attempts": attempts, "seconds": round(elapsed, 2)})
    assert not isinstance(caught.value, WriteOutcomeUnknown)
    assert "timed out" in str(caught.value)
    assert attempts == 1 + policy.max_retries
    assert client.stats.transport_errors == attempts
    # Each attempt waited its full timeout, and nothing waited much longer.
    assert attempts * TIMEOUT <= elapsed < attempts * TIMEOUT + 1.0


async def test_the_overall_deadline_bounds_the_whole_call(fake, figures) -> None:
    """With ``RetryPolicy(deadline=...)`` the call ends by the deadline: no attempt starts
    with less than ``min_attempt_seconds`` left, and none overruns it by a whole timeout."""
    fake.faults.stall_rate = 1.0
    uuid = next(iter(fake.state.products))
    # Attempts of 0.3 s with 0.05 s between them: a third would start at 0.7 s with 0.1 s
    # left, under the 0.4 s floor (half the deadline), so it is not sent. Real sleeps.
    deadline = 0.8
    policy = RetryPolicy(max_retries=50, initial_delay=0.05, max_delay=0.05, deadline=deadline)
    async with fake.source_client(timeout=0.3, retry=policy) as client:
        started = time.monotonic()
        with pytest.raises(TransportError):
            async with asyncio.timeout(5):
                await client.products.get(uuid)
        elapsed = time.monotonic() - started
    attempts = len(fake.requests.matching(PRODUCTS))
    figures(f"stalled GET, timeout 0.3 s, deadline {deadline} s",
            {"attempts": attempts, "seconds": round(elapsed, 2)})  # fmt: skip
    assert attempts == 2
    assert elapsed <= deadline + 0.1


async def test_a_stalled_write_raises_write_outcome_unknown_without_a_resend(fake) -> None:
    """A void without ``order_id`` (the API cannot recognise it again, so it is never
    resent) whose answer never comes is reported as maybe-applied and sent exactly once."""
    fake.faults.script(VOID, ["stall"])
    async with fake.retail_client(timeout=TIMEOUT) as client:
        with without_sleeping(), pytest.raises(WriteOutcomeUnknown) as caught:
            async with asyncio.timeout(5):
                await client.transactions.void(performed_at=datetime(2025, 6, 1, tzinfo=UTC))
    assert "may have applied" in str(caught.value)
    assert caught.value.request_sent
    assert len(fake.requests.matching(VOID)) == 1
