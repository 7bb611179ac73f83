"""A sliding-window server answers 0 x 429 to a mix of reads, sales and writes the API cannot
recognise, while it drops 1 answer in 4 and loses the keep-alive race on stale connections:
every request it reads (a write's fresh connection included) is one the limiter, stats,
hooks and spans counted, and no write is applied twice.

``test_the_limit_holds_under_drops.py`` proves it for reads; writes take other paths (a
fresh connection for a write that will not be resent, the duplicate answer of a resent sale),
each of which could reach the wire behind the limiter's back.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

import lucidgreen
from lucidgreen import RetryPolicy, TokenBucket
from lucidgreen.retail.transactions import TransactionResult
from tests.adversarial.support import NOW
from tests.adversarial.wire.hostile import LID, SESSIONS, Ledger, Session, counted, hostile
from tests.adversarial.wire.window import SlidingWindow, _Plan

QUICK = RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.05)


async def _mixed(client: Any, n: int) -> str:
    """Call ``n``: a read, a sale (order ``O-n``) or an unrecognisable PUT, in turn."""
    try:
        if n % 3 == 0:
            await client.retail.products.get(LID)
            return "read"
        if n % 3 == 1:
            sold = await client.retail.transactions.complete(
                order_id=f"O-{n}", items=[LID], performed_at=NOW
            )
            assert isinstance(sold, TransactionResult)
            return "sale replayed" if sold.replayed else "sale"
        await client.retail.operations.request("PUT", "thing/", json={"n": n})
    except lucidgreen.WriteOutcomeUnknown:
        return "write unknown" if n % 3 == 2 else "sale unknown"
    return "write"


@pytest.mark.slow
@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("stale", [False, True], ids=["drops", "drops and stale connections"])
async def test_the_window_never_overflows_with_writes_in_the_mix(
    session: Session, stale: bool
) -> None:
    """60 mixed calls from 6 tasks through TokenBucket(20, 0.5 s) against a server enforcing
    20 per 0.5 s: no 429, reads and sales all succeed (some sales replayed), the PUTs whose
    answer was dropped are WriteOutcomeUnknown, none applied twice, every count agrees."""
    window = SlidingWindow(20, 0.5)
    ledger = Ledger()
    plan = _Plan(window, ledger, drop_every=4)
    options: dict[str, Any] = {"idle_close": 0.02, "race_every": 3} if stale else {}
    queue = itertools.count()
    outcomes: list[str] = []
    async with (
        hostile(plan, **options) as server,
        counted(
            server, session=session, rate_limiter=TokenBucket(limit=20, per=0.5), retry=QUICK
        ) as client,
    ):

        async def worker() -> None:
            for n in queue:
                if n >= 60:
                    return
                outcomes.append(await _mixed(client, n))

        await asyncio.gather(*(worker() for _ in range(6)))
        client.assert_counted(server)
    assert window.throttled == 0
    assert client.client.stats.rate_limited == 0
    assert ledger.applied_twice() == []
    assert plan.dropped > 0
    assert "sale unknown" not in outcomes
    assert outcomes.count("read") == 20
    assert outcomes.count("sale") + outcomes.count("sale replayed") == 20
