"""A token renewed after the client sat idle past the server's keep-alive meets the pooled
connection the server gave up (reset, unread), like the read it is renewed for. Both are
retried, each try counted: the call succeeds and the server's count is the SDK's.
"""

from __future__ import annotations

import asyncio

import pytest

from lucidgreen import RetryPolicy
from lucidgreen.retry import without_sleeping
from tests.adversarial.wire.hostile import (
    LID,
    SESSIONS,
    Action,
    Answer,
    Seen,
    Session,
    counted,
    hostile,
)

KEEP_ALIVE = 0.3
TOKEN_LIFE = 1  # seconds: renewed on the first call after the idle stretch


def _api(seen: Seen) -> Action:
    if seen.path == "/o/token/":
        return Answer(200, {"access_token": f"tok-{len(seen.body)}", "expires_in": TOKEN_LIFE})
    return Answer(200, {"uuid": LID, "name": "P"})


@pytest.mark.slow
@pytest.mark.parametrize("session", SESSIONS)
async def test_a_renewal_after_an_idle_stretch_is_retried_and_counted(session: Session) -> None:
    async with (
        hostile(_api, idle_close=KEEP_ALIVE) as server,
        counted(
            server, credentials=True, session=session, retry=RetryPolicy(max_retries=3)
        ) as client,
    ):
        await client.retail.products.get(LID)
        await client.retail.products.get(LID)  # the pooled connection is reused at once
        await asyncio.sleep(TOKEN_LIFE + 0.1)  # past the keep-alive and the token's life
        with without_sleeping():
            await client.retail.products.get(LID)
        client.assert_counted(server)
    assert server.lost_races >= 1  # the stale connection was met
    assert len(server.seen("/o/token/")) >= 2  # and the token was renewed
