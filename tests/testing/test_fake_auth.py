"""Token endpoint, bearer checks, expiry and product scoping of the fake."""

from __future__ import annotations

import base64

from lucidgreen.testing import FakeLucidGreen

TOKEN = "/o/token/"


def _form(fake: FakeLucidGreen, **override: str) -> dict[str, str]:
    client_id, secret = fake.source_credentials
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        **override,
    }


async def test_token_flow_issues_a_bearer_token_that_opens_the_api(lucidgreen_fake, session):
    """Form-encoded client credentials get a Bearer token that the API accepts."""
    fake = lucidgreen_fake
    async with session.post(fake.url + TOKEN, data=_form(fake)) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 36000
    assert body["scope"] == "read write"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with session.get(fake.url + "/api/v1.5/brands/", headers=headers) as resp:
        assert resp.status == 200
    assert fake.stats.tokens_issued == 1
    assert fake.requests[0].form()["client_id"] == fake.source_credentials.client_id


async def test_bad_credentials_and_grant_get_oauth_errors(lucidgreen_fake, session):
    """A wrong secret is 401 invalid_client; a wrong grant type is 400 unsupported_grant_type."""
    fake = lucidgreen_fake
    async with session.post(fake.url + TOKEN, data=_form(fake, client_secret="nope")) as resp:
        assert (resp.status, await resp.json()) == (401, {"error": "invalid_client"})
    async with session.post(fake.url + TOKEN, data=_form(fake, grant_type="password")) as resp:
        assert (resp.status, await resp.json()) == (400, {"error": "unsupported_grant_type"})
    async with session.get(fake.url + TOKEN) as resp:
        assert resp.status == 405


async def test_basic_auth_client_credentials_are_accepted(lucidgreen_fake, session):
    """Credentials in an HTTP Basic header work, as with django-oauth-toolkit."""
    fake = lucidgreen_fake
    # Built by hand: aiohttp.BasicAuth is deprecated from aiohttp 3.14 on.
    pair = ":".join(fake.retail_credentials).encode()
    basic = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    data = {"grant_type": "client_credentials"}
    async with session.post(fake.url + TOKEN, data=data, headers=basic) as resp:
        assert resp.status == 200


async def test_missing_or_unknown_token_is_401_with_empty_body(lucidgreen_fake, session):
    """No token and a made-up token both get 401 with no body."""
    url = lucidgreen_fake.url + "/api/v1.5/products/"
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        async with session.get(url, headers=headers) as resp:
            assert resp.status == 401
            assert await resp.read() == b""
            assert resp.headers["WWW-Authenticate"] == 'Bearer realm="api"'


async def test_tokens_expire_after_token_ttl(clock, session):
    """A token stops working once token_ttl seconds have passed on the fake's clock."""
    async with FakeLucidGreen(products=5, token_ttl=30, clock=clock) as fake:
        async with session.post(fake.url + TOKEN, data=_form(fake)) as resp:
            body = await resp.json()
        assert body["expires_in"] == 30
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        clock.advance(29)
        async with session.get(fake.url + "/api/v1.5/brands/", headers=headers) as resp:
            assert resp.status == 200
        clock.advance(1)
        async with session.get(fake.url + "/api/v1.5/brands/", headers=headers) as resp:
            assert resp.status == 401
            assert await resp.read() == b""


async def test_expire_tokens_invalidates_every_current_token(lucidgreen_fake, session):
    """expire_tokens() makes every issued token answer 401 at once."""
    fake = lucidgreen_fake
    tokens = [fake.issue_token("source"), fake.issue_token("source")]
    assert fake.expire_tokens() == 2
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(fake.url + "/api/v1.5/brands/", headers=headers) as resp:
            assert resp.status == 401


async def test_tokens_are_scoped_to_their_product(lucidgreen_fake, session):
    """A Source token on a Retail path (and the reverse) is 401, like an unknown token."""
    fake = lucidgreen_fake
    product = next(iter(fake.state.products))
    source = {"Authorization": f"Bearer {fake.issue_token('source')}"}
    retail = {"Authorization": f"Bearer {fake.issue_token('retail')}"}
    async with session.get(f"{fake.url}/api/v1.2/products/{product}/", headers=source) as resp:
        assert resp.status == 401
    async with session.get(f"{fake.url}/api/v1.5/products/{product}/", headers=retail) as resp:
        assert resp.status == 401
    async with session.get(f"{fake.url}/api/v1.2/products/{product}/", headers=retail) as resp:
        assert resp.status == 200
