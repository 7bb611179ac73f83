"""An HTTP-date ``Retry-After`` is read against the answer's own ``Date``, not our clock.

The attack: a server whose clock is 10 minutes ahead says "retry at <its now + 30 s>". Read
against the local clock that is 630 s (past the longest wait the SDK accepts: it gives up at
once); 10 minutes behind, it is in the past (no wait at all). Both clocks are in the same
answer, so the wait is the difference between ``Retry-After`` and ``Date``. Without a usable
``Date`` the local clock is all there is.

The server is raw asyncio on loopback, so the answer carries exactly the headers the test
writes (aiohttp's server would add its own ``Date``).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

import lucidgreen
from lucidgreen import _envelopes
from lucidgreen.ratelimit import Unlimited
from tests.adversarial.support import tcp_server

WAIT = 30.0
TEN_MINUTES = 600.0


def http_date(unix: float) -> str:
    return email.utils.formatdate(unix, usegmt=True)


@asynccontextmanager
async def throttling_once(date: str | None, retry_after: str) -> AsyncIterator[str]:
    """A server answering 429 (with these ``Date`` and ``Retry-After``), then 200."""
    answers = 0

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal answers
        await reader.readuntil(b"\r\n\r\n")
        answers += 1
        if answers == 1:
            head = f"HTTP/1.1 429 Too Many Requests\r\nRetry-After: {retry_after}\r\n"
            body = b'{"detail": "slow down"}'
        else:
            head = "HTTP/1.1 200 OK\r\n"
            body = b'{"status": "success"}'
        if date is not None:
            head += f"Date: {date}\r\n"
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write((head + "Connection: close\r\n\r\n").encode() + body)
        await writer.drain()

    async with tcp_server(answer) as url:
        yield url


async def retry_delays(url: str) -> list[float]:
    """The delays the SDK scheduled for one GET that met the throttling server."""
    delays: list[float] = []
    hooks = lucidgreen.Hooks(on_retry=lambda event: delays.append(event.delay))
    # An unlimited budget: a lone 429 makes a TokenBucket count the window as full (another
    # client must share the key), which is not what this measures.
    client = lucidgreen.RetailClient(
        token="t0ken", base_url=url, hooks=hooks, rate_limiter=Unlimited()
    )
    async with client as retail:
        await retail.operations.request("GET", "thing/")
    return delays


@pytest.mark.usefixtures("lucidgreen_no_backoff")
@pytest.mark.parametrize("server_ahead", [TEN_MINUTES, -TEN_MINUTES, 0.0, 3 * 86400.0])
async def test_the_wait_is_retry_after_minus_the_answers_date(server_ahead: float) -> None:
    """Whatever the server's clock says the time is, "retry at its now + 30 s" waits 30 s."""
    server_now = float(int(time.time() + server_ahead))
    date, retry_at = http_date(server_now), http_date(server_now + WAIT)
    async with throttling_once(date, retry_at) as url:
        delays = await retry_delays(url)
    assert delays == [WAIT]


@pytest.mark.usefixtures("lucidgreen_no_backoff")
@pytest.mark.parametrize("date", [None, "", "yesterday-ish", "Mon, 99 Foo 2026 25:61:00 GMT"])
async def test_without_a_usable_date_the_local_clock_counts(date: str | None) -> None:
    """No ``Date``, or one that is not a date: the wait is read against the local clock."""
    retry_at = http_date(time.time() + WAIT)
    async with throttling_once(date, retry_at) as url:
        delays = await retry_delays(url)
    assert len(delays) == 1
    # Whole-second HTTP dates and the exchange itself take up to ~2 s off the wait.
    assert WAIT - 3 <= delays[0] <= WAIT


@pytest.mark.parametrize(
    ("retry_after", "date", "expected"),
    [
        ("Wed, 21 Oct 2026 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:30 GMT", 0.0),  # past
        ("Wednesday, 21-Oct-26 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),  # RFC 850
        ("Wed Oct 21 07:28:30 2026", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),  # asctime
        ("12", "Wed, 21 Oct 2026 07:28:00 GMT", 12.0),  # delta-seconds ignore Date
    ],
)
def test_parse_retry_after_reads_the_date_against_the_date_header(
    retry_after: str, date: str, expected: float
) -> None:
    """Pure: ``Retry-After`` minus ``Date``, whatever ``now`` is (here a year off)."""
    a_year_off = time.time() + 365 * 86400
    assert _envelopes.parse_retry_after(retry_after, now=a_year_off, date=date) == expected
