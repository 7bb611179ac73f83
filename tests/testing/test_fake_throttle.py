"""Sliding-window rate limiting of the fake, DRF style."""

from __future__ import annotations

import asyncio

import pytest

from lucidgreen.testing import FakeLucidGreen, RateLimit, Throttle


async def test_61st_request_in_a_window_is_throttled_until_it_slides(clock, session):
    """60 requests pass, the 61st gets 429 + Retry-After + DRF detail, then the window frees."""
    async with FakeLucidGreen(products=5, source_limit=RateLimit(60, 1.5), clock=clock) as fake:
        headers = {"Authorization": f"Bearer {fake.issue_token('source')}"}
        url = fake.url + "/api/v1.5/brands/"
        for _ in range(60):
            async with session.get(url, headers=headers) as resp:
                assert resp.status == 200
            clock.advance(0.01)
        async with session.get(url, headers=headers) as resp:
            assert resp.status == 429
            assert resp.headers["Retry-After"] == "1"
            assert await resp.json() == {
                "detail": "Request was throttled. Expected available in 1 second."
            }
        clock.advance(1.5)
        async with session.get(url, headers=headers) as resp:
            assert resp.status == 200
        assert fake.stats.throttled == 1
        assert fake.stats.by_status[429] == 1


@pytest.mark.slow
async def test_compressed_window_in_real_time(session):
    """With a real clock and a 0.4 s window, the budget comes back after the window."""
    limit = RateLimit(5, 0.4)
    async with FakeLucidGreen(products=5, source_limit=limit) as fake:
        headers = {"Authorization": f"Bearer {fake.issue_token('source')}"}
        url = fake.url + "/api/v1.5/brands/"
        statuses = []
        for _ in range(6):
            async with session.get(url, headers=headers) as resp:
                statuses.append(resp.status)
        assert statuses == [200] * 5 + [429]
        await asyncio.sleep(0.45)
        async with session.get(url, headers=headers) as resp:
            assert resp.status == 200


async def test_what_counts_against_the_budget(clock, session):
    """404s and 405s use budget; 401s, token requests and refused requests do not."""
    async with FakeLucidGreen(products=5, source_limit=RateLimit(3, 60), clock=clock) as fake:
        client_id, secret = fake.source_credentials
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        for _ in range(5):
            async with session.post(fake.url + "/o/token/", data=form) as resp:
                assert resp.status == 200
                token = (await resp.json())["access_token"]
        async with session.get(fake.url + "/api/v1.5/brands/") as resp:
            assert resp.status == 401
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(f"{fake.url}/api/v1.5/brands/{'2' * 22}/", headers=headers) as r:
            assert r.status == 404
        async with session.put(fake.url + "/api/v1.5/brands/", headers=headers) as r:
            assert r.status == 405
        assert fake.limits.used("source", client_id) == 2
        async with session.get(fake.url + "/api/v1.5/brands/", headers=headers) as r:
            assert r.status == 200
        async with session.get(fake.url + "/api/v1.5/brands/", headers=headers) as r:
            assert r.status == 429
        assert fake.limits.used("source", client_id) == 3


async def test_each_credential_and_product_has_its_own_budget(clock, session):
    """A second Source client and the Retail client are not slowed by a spent Source client."""
    async with FakeLucidGreen(products=5, source_limit=RateLimit(1, 60), clock=clock) as fake:
        other = fake.add_credentials("source")
        form = {"grant_type": "client_credentials", "client_id": other.client_id,
                "client_secret": other.client_secret}  # fmt: skip
        async with session.post(fake.url + "/o/token/", data=form) as resp:
            other_token = (await resp.json())["access_token"]
        url = fake.url + "/api/v1.5/brands/"
        first = {"Authorization": f"Bearer {fake.issue_token('source')}"}
        for expected in (200, 429):
            async with session.get(url, headers=first) as resp:
                assert resp.status == expected
        async with session.get(url, headers={"Authorization": f"Bearer {other_token}"}) as resp:
            assert resp.status == 200


async def test_public_lookup_is_limited_per_ip_and_ignores_authorization(clock, session):
    """The LucidID lookup needs no token, ignores a bad one, and has a per-IP budget."""
    limit = RateLimit(2, 60)
    async with FakeLucidGreen(products=5, public_limit=limit, clock=clock) as fake:
        url = f"{fake.url}/api/v1.2/collections/inventory-pos/lucid-id/{'2' * 22}/"
        statuses = []
        for _ in range(3):
            async with session.get(url, headers={"Authorization": "Bearer garbage"}) as resp:
                statuses.append(resp.status)
        assert statuses == [404, 404, 429]
        async with session.get(url, headers={"X-Forwarded-For": "203.0.113.9"}) as resp:
            assert resp.status == 404


async def test_retry_after_override_and_disabling(clock, session):
    """faults.retry_after replaces the header; limits.enabled = False lifts the limit."""
    async with FakeLucidGreen(products=5, source_limit=RateLimit(1, 60), clock=clock) as fake:
        fake.faults.retry_after = 31536000
        headers = {"Authorization": f"Bearer {fake.issue_token('source')}"}
        url = fake.url + "/api/v1.5/brands/"
        async with session.get(url, headers=headers):
            pass
        async with session.get(url, headers=headers) as resp:
            assert resp.headers["Retry-After"] == "31536000"
        fake.limits.enabled = False
        async with session.get(url, headers=headers) as resp:
            assert resp.status == 200


def test_drf_wait_arithmetic(clock):
    """Wait = time left for the oldest entry, divided by requests then free, ceiled; none if
    the limit was lowered below the window's history."""
    throttle = Throttle(clock=clock, source=RateLimit(2, 10))
    assert throttle.check("source", "a") == (True, None)
    clock.advance(4)
    assert throttle.check("source", "a") == (True, None)
    assert throttle.check("source", "a") == (False, 6)
    throttle.source = RateLimit(1, 10)
    assert throttle.check("source", "a") == (False, None)
    assert RateLimit.parse("60/min") == RateLimit(60, 60.0)
    assert RateLimit.parse("10/1.5") == RateLimit(10, 1.5)
