"""Bearer tokens end to end against the fake: single flight, renewal, refusals."""

from __future__ import annotations

import asyncio
import time
import traceback

import pytest

import lucidgreen
from lucidgreen.testing import FakeLucidGreen
from tests.client.helpers import api_requests, lifted_limiter, product_uuids, token_requests


async def test_a_thousand_concurrent_calls_cause_one_token_request(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """1,000 calls started at once on a fresh client share a single POST /o/token/."""
    fake = lucidgreen_fake
    uuids = product_uuids(fake, 10)
    async with fake.source_client(rate_limiter=lifted_limiter()) as source:
        products = await asyncio.gather(
            *(source.products.get(uuids[i % len(uuids)]) for i in range(1000))
        )
        auth = source._auth
        assert isinstance(auth, lucidgreen.auth.ClientCredentials)
        issued_by_client = auth.tokens_issued
    assert [p.uuid for p in products] == [uuids[i % len(uuids)] for i in range(1000)]
    assert fake.stats.tokens_issued == 1
    assert len(token_requests(fake)) == 1
    assert issued_by_client == 1
    assert len(api_requests(fake)) == 1000  # one exchange per call: no 401, no retry
    assert len({r.authorization for r in api_requests(fake)}) == 1


async def test_expiry_mid_run_costs_exactly_one_renewal(lucidgreen_fake: FakeLucidGreen) -> None:
    """Expiring the token with hundreds of calls in flight leads to one renewal; all succeed."""
    fake = lucidgreen_fake
    uuids = product_uuids(fake, 10)
    calls = 600
    answered = 0
    expired_at_answer: list[int] = []

    def on_request(event: lucidgreen.RequestSent) -> None:
        nonlocal answered
        if "/api/" not in event.url:
            return
        answered += 1
        if answered == 150:
            # 150 answered, 450 calls still in flight (queued in the limiter, the token
            # lock or the connection pool, or on the wire): every token now dies at once.
            expired_at_answer.append(fake.expire_tokens())

    async with fake.source_client(
        rate_limiter=lifted_limiter(),
        hooks=lucidgreen.Hooks(on_request=on_request),
    ) as source:
        products = await asyncio.gather(
            *(source.products.get(uuids[i % len(uuids)]) for i in range(calls))
        )
        replays = source.stats.replays_after_401
    assert expired_at_answer == [1]  # one live token was expired, once
    assert [p.uuid for p in products] == [uuids[i % len(uuids)] for i in range(calls)]
    refused = fake.stats.by_status[401]
    assert refused > 0, "no call met the expired token: the test did not test anything"
    assert fake.stats.tokens_issued == 2
    assert len(token_requests(fake)) == 2
    assert replays == refused  # each refused call was replayed once, with the new token
    assert len(api_requests(fake)) == calls + refused


@pytest.mark.lucidgreen_fake(token_ttl=2.0)
async def test_a_short_lived_token_is_renewed_before_it_expires(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """With expires_in=2 s, the token is renewed 10 % early: no call ever meets a 401."""
    fake = lucidgreen_fake
    uuids = product_uuids(fake, 10)
    token_sent_at: list[float] = []

    def on_request(event: lucidgreen.RequestSent) -> None:
        if event.url.endswith("/o/token/"):
            token_sent_at.append(time.monotonic() - event.elapsed)  # when it left the client

    # The bucket paces ~39 calls a second, so 100 calls span ~2.5 s: past the first expiry.
    paced = lucidgreen.TokenBucket(limit=40, per=1.0)
    async with fake.source_client(
        rate_limiter=paced,
        hooks=lucidgreen.Hooks(on_request=on_request),
    ) as source:
        await asyncio.gather(*(source.products.get(uuids[i % len(uuids)]) for i in range(100)))
        replays = source.stats.replays_after_401
    first_arrived = token_requests(fake)[0].time
    calls = api_requests(fake)
    assert calls[-1].time > first_arrived + 2.0, "the run ended before the first token expired"
    assert fake.stats.by_status[401] == 0
    assert replays == 0
    assert fake.stats.tokens_issued == 2
    assert all(r.status == 200 for r in calls)
    assert len({r.authorization for r in calls}) == 2
    # Renewed once 90 % of the lifetime had passed, counted from when the first token
    # answer arrived (a loopback answer is quick, so about when the request left); a
    # renewal without a margin would come at 2.0 s or later.
    first, second = token_sent_at
    assert 1.8 - 0.01 <= second - first < 1.99


async def test_bad_credentials_raise_without_showing_the_secret(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """Refused credentials raise AuthenticationError with the server's message, never the secret."""
    fake = lucidgreen_fake
    client_id, real_secret = fake.source_credentials
    wrong_secret = "Wr0ngSecretValue-" + "x" * 40
    async with lucidgreen.SourceClient(client_id, wrong_secret, base_url=fake.url) as source:
        with pytest.raises(lucidgreen.AuthenticationError) as caught:
            await source.products.get(product_uuids(fake)[0])
    error = caught.value
    assert error.status == 401
    texts = [
        str(error),
        repr(error),
        repr(error.args),
        "".join(traceback.format_exception(error)),  # the chained cause included
    ]
    for text in texts[:3]:
        assert "invalid_client" in text
    for text in texts:
        assert wrong_secret not in text
        assert real_secret not in text
    assert len(token_requests(fake)) == 1
    assert api_requests(fake) == []


async def test_a_refused_static_token_fails_after_one_request(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """A static token= the server refuses raises AuthenticationError after exactly one request."""
    fake = lucidgreen_fake
    async with lucidgreen.SourceClient(token="NotALiveToken123", base_url=fake.url) as source:
        with pytest.raises(lucidgreen.AuthenticationError) as caught:
            await source.products.get(product_uuids(fake)[0])
    assert caught.value.status == 401
    assert "NotALiveToken123" not in str(caught.value)
    assert len(fake.requests) == 1
    assert token_requests(fake) == []


async def test_a_valid_static_token_is_used_as_is(lucidgreen_fake: FakeLucidGreen) -> None:
    """A live static token= is sent as the bearer, and /o/token/ is never asked."""
    fake = lucidgreen_fake
    token = fake.issue_token("source")
    async with lucidgreen.SourceClient(token=token, base_url=fake.url) as source:
        await source.products.get(product_uuids(fake)[0])
    (call,) = api_requests(fake)
    assert call.authorization == f"Bearer {token}"
    assert token_requests(fake) == []
