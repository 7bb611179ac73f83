"""A token that lives less than the token endpoint takes to answer still gets used.

The attack: ``expires_in`` shorter than the answer time. Counted from when the request left,
every token is stale on arrival, and a client that renews stale tokens before spending
budget asks for token after token and never calls the API. A token's life counts from when
its answer arrived, each token serves at least one request, and renewals that never get to
use their token end in a clear error instead of a loop.
"""

from __future__ import annotations

import asyncio
import json

import pytest

import lucidgreen
from lucidgreen._transport import Request, Response
from lucidgreen.auth import ClientCredentials
from lucidgreen.testing import FakeLucidGreen
from tests.client.helpers import token_requests

PRODUCTS = "/api/v1.5/products/"


@pytest.mark.lucidgreen_fake(token_ttl=1)
async def test_a_token_shorter_lived_than_its_answer_time_still_serves_calls(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """expires_in 1 s, the token endpoint answers in 2 s: three calls go through on the
    first token (or a few), instead of an endless run of token requests."""
    fake = lucidgreen_fake
    fake.faults.token_latency = 2.0
    uuids = [product.uuid for product in list(fake.state.products.values())[:3]]
    async with fake.source_client() as source:
        # A safety net for the livelock (it never ends); not a measure of speed.
        products = await asyncio.wait_for(
            asyncio.gather(*(source.products.get(uuid) for uuid in uuids)), timeout=60
        )
    assert [product.uuid for product in products] == uuids
    assert len(fake.requests.matching(PRODUCTS)) == 3
    assert fake.stats.by_status[401] == 0
    assert 1 <= len(token_requests(fake)) <= 3


class _TokenEndpoint:
    """Answers every token request with a token of ``expires_in`` seconds; the clock is the
    test's, so the answer can take as long as the test says."""

    def __init__(self, clock: list[float], *, expires_in: float, answer_time: float) -> None:
        self.clock = clock
        self.expires_in = expires_in
        self.answer_time = answer_time
        self.issued = 0

    async def send(self, request: Request) -> Response:
        del request
        self.clock[0] += self.answer_time
        self.issued += 1
        body = {"access_token": f"token{self.issued}", "expires_in": self.expires_in}
        return Response(200, {"content-type": "application/json"}, json.dumps(body).encode())


def _credentials(endpoint: _TokenEndpoint) -> ClientCredentials:
    return ClientCredentials(
        "client", "secret", "https://example.test/o/token/",
        send=endpoint.send, clock=lambda: endpoint.clock[0],
    )  # fmt: skip


async def test_a_token_stale_on_arrival_is_current_for_its_first_use() -> None:
    """Counted from when its answer arrived, a 0.5 s token asked for with a 1 s answer time
    is current at once: the caller that waited for it sends it."""
    endpoint = _TokenEndpoint([0.0], expires_in=0.5, answer_time=1.0)
    auth = _credentials(endpoint)
    token = await auth.token()
    assert auth.is_current(token)
    assert endpoint.issued == 1


async def test_tokens_that_expire_before_every_first_use_end_in_a_clear_error() -> None:
    """When every renewal's token has expired before anything could send it (here the wait
    between getting it and sending it is longer than its life), a few renewals in a row end
    in AuthenticationError that says why, not in an endless loop of token requests."""
    clock = [0.0]
    endpoint = _TokenEndpoint(clock, expires_in=0.5, answer_time=0.1)
    auth = _credentials(endpoint)

    async def send_after_a_long_wait() -> None:
        for _ in range(50):
            token = await auth.token()
            clock[0] += 2.0  # the rate-limit wait outlives the token
            if auth.is_current(token):
                return

    with pytest.raises(lucidgreen.AuthenticationError, match="expire") as caught:
        await send_after_a_long_wait()
    assert endpoint.issued <= 5
    assert "secret" not in str(caught.value)
    assert not any(f"token{n}" in str(caught.value) for n in range(1, endpoint.issued + 1))


async def test_a_used_token_is_not_reused_past_its_renewal_time() -> None:
    """Using each token once is no licence to keep a stale one: once a token has been sent,
    it is renewed at its usual time."""
    clock = [0.0]
    endpoint = _TokenEndpoint(clock, expires_in=10.0, answer_time=0.0)
    auth = _credentials(endpoint)
    first = await auth.token()
    assert auth.is_current(first)
    clock[0] += 9.5  # past 90 % of its life
    assert not auth.is_current(first)
    second = await auth.token()
    assert second != first
    assert endpoint.issued == 2
