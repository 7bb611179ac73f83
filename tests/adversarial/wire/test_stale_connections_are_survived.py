"""A server whose keep-alive is shorter than the client's: reads survive by a counted retry,
and a write the SDK will not resend is never reported outcome-unknown for a connection the
server had already given up.

Three reads pool three connections; they sit idle past the server's keep-alive (0.5, 1 or
2 s, gunicorn's default); then a read, a sale and an unrecognisable write go together.

- **timer**: the server closed each idle connection (FIN) on time. The client notices and
  opens new ones: every call succeeds at its first attempt.
- **race**: the requests arrive just as the server gives the connections up (reset, unread),
  the worst moment. The read and the sale are retried, counted, and succeed (the sale is not
  "replayed": it was never applied). The unrecognisable write travels on a fresh connection
  of the client's own session and succeeds, sent once. With a caller's ``session=`` its pool
  decides, and the SDK, unable to prove the server did not read it, reports
  ``WriteOutcomeUnknown``: sent once, and indeed never applied.

In every case the server's count is the SDK's (stats, hooks, spans).
"""

from __future__ import annotations

import asyncio
from typing import Literal

import pytest

from lucidgreen import RetryPolicy
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import outcome_of
from tests.adversarial.support import NOW
from tests.adversarial.wire.hostile import (
    LID,
    SESSIONS,
    Ledger,
    Session,
    counted,
    hostile,
)

Mode = Literal["timer", "race"]
PUT_PATH = "/api/v1.2/thing/"


def _expected(mode: Mode, session: Session) -> list[str]:
    write = "WriteOutcomeUnknown" if (mode, session) == ("race", "caller") else "success"
    return ["success", "success", write]


@pytest.mark.slow
@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("mode", ["timer", "race"])
@pytest.mark.parametrize("keep_alive", [0.5, 1.0, 2.0])
async def test_connections_the_server_closed_while_idle(
    keep_alive: float, mode: Mode, session: Session
) -> None:
    """Idle past the server's keep-alive, then a read, a sale and a PUT together."""
    ledger = Ledger()
    limits = {"idle_timer": keep_alive} if mode == "timer" else {"idle_close": keep_alive}
    async with (
        hostile(ledger.answer, **limits) as server,
        counted(server, session=session, retry=RetryPolicy(max_retries=5)) as client,
    ):
        retail = client.retail
        await asyncio.gather(*(retail.products.get(LID) for _ in range(3)))
        await asyncio.sleep(keep_alive + 0.1)  # every pooled connection idle past it
        with without_sleeping():
            outcomes = await asyncio.gather(
                outcome_of(retail.products.get(LID)),
                outcome_of(
                    retail.transactions.complete(order_id="O-1", items=[LID], performed_at=NOW)
                ),
                outcome_of(retail.operations.request("PUT", "thing/", json={"n": 1})),
            )
        client.assert_counted(server)
        retries = client.client.stats.retries
    gives = ["success" if not isinstance(o, BaseException) else type(o).__name__ for o in outcomes]
    assert gives == _expected(mode, session), outcomes
    assert not getattr(outcomes[1], "replayed", True)
    assert ledger.applied_twice() == []
    assert len(server.seen(PUT_PATH)) == 1  # never resent, in any case
    if mode == "timer":
        assert server.lost_races == 0
        assert retries == 0
        assert len(server.requests) == 6
    else:
        assert server.lost_races >= 2  # the read's and the sale's first attempts
        assert retries == server.lost_races - (session == "caller")
        assert ledger.applied[f"PUT {PUT_PATH} " + '{"n":1}'] == (session == "default")
