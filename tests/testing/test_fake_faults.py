"""Each fault knob of the fake does what it says."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from lucidgreen.testing import FakeLucidGreen

BRANDS = "/api/v1.5/brands/"


def _auth(fake: FakeLucidGreen) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.issue_token('source')}"}


async def test_error_rate_answers_5xx_with_empty_or_proxy_bodies(lucidgreen_fake, session):
    """error_rate=1 answers 500/502/503/504; bodies are empty or an nginx HTML page."""
    fake = lucidgreen_fake
    fake.faults.error_rate = 1.0
    seen = set()
    for _ in range(40):
        async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
            body = await resp.text()
            seen.add(resp.status)
            if body:
                assert resp.status in (502, 503)
                assert "nginx" in body
                assert resp.content_type == "text/html"
    assert seen == {500, 502, 503, 504}
    assert fake.stats.faults["error"] == 40
    assert len(fake.state.brands) == 3


async def test_spurious_429_carries_retry_after(lucidgreen_fake, session):
    """rate_limit_rate=1 answers 429 with Retry-After and the DRF detail."""
    fake = lucidgreen_fake
    fake.faults.rate_limit_rate = 1.0
    fake.faults.spurious_retry_after = 3
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 429
        assert resp.headers["Retry-After"] == "3"
        assert "Expected available in 3 seconds." in (await resp.json())["detail"]


async def test_faults_are_deterministic_in_the_seed(session):
    """Two fakes with the same seed inject the same faults into the same request sequence."""
    runs = []
    for _ in range(2):
        async with FakeLucidGreen(seed=3, products=5, rate_limits=False) as fake:
            fake.faults.error_rate = 0.5
            statuses = []
            for _ in range(20):
                async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
                    statuses.append(resp.status)
            runs.append(statuses)
    assert runs[0] == runs[1]
    assert set(runs[0]) > {200}


async def test_dropped_connection_before_handling(lucidgreen_fake, session):
    """drop_rate=1 closes the connection unanswered; the request is recorded without status."""
    fake = lucidgreen_fake
    fake.faults.drop_rate = 1.0
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with session.get(fake.url + BRANDS, headers=_auth(fake)):
            pass
    # aiohttp itself resends an idempotent request once after a disconnect.
    assert fake.stats.dropped == len(fake.requests) >= 1
    assert all(r.status is None and r.fault == "drop" for r in fake.requests)


async def test_drop_after_apply_applies_the_write_and_loses_the_answer(lucidgreen_fake, session):
    """In "after" mode an asset is created although the client never hears back."""
    fake = lucidgreen_fake
    fake.faults.drop_rate = 1.0
    fake.faults.drop_mode = "after"
    fake.faults.methods = ("POST",)
    before = len(fake.state.assets["texts"])
    payload = {"name": "n", "content": "c"}
    url = fake.url + "/api/v1.5/assets/texts/create/"
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with session.post(url, json=payload, headers=_auth(fake)):
            pass
    assert len(fake.state.assets["texts"]) == before + 1
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 200


async def test_scripted_sequence_then_real_answers(lucidgreen_fake, session):
    """A script answers 429 then 503 for matching paths, then the real handler takes over."""
    fake = lucidgreen_fake
    fake.faults.script(
        BRANDS,
        [
            (429, {"detail": "slow down"}, {"Retry-After": "2"}),
            (503, None),
            "pass",
            *("drop", "drop"),  # two: aiohttp resends a GET once after a disconnect
        ],
    )
    async with session.get(fake.url + "/api/v1.5/products/", headers=_auth(fake)) as resp:
        assert resp.status == 200  # another path: untouched, consumes nothing
    answers = []
    for _ in range(3):
        async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
            answers.append((resp.status, resp.headers.get("Retry-After")))
    assert answers == [(429, "2"), (503, None), (200, None)]
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with session.get(fake.url + BRANDS, headers=_auth(fake)):
            pass
    assert fake.faults.pending() == 0
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 200


async def test_scripts_can_target_the_token_endpoint_and_a_method(lucidgreen_fake, session):
    """A script on /o/token/ for POST answers there and nowhere else."""
    fake = lucidgreen_fake
    fake.faults.script("/o/token/", [(503, "<html>down</html>", {"Content-Type": "text/html"})],
                       method="POST")  # fmt: skip
    async with session.post(fake.url + "/o/token/", data={}) as resp:
        assert (resp.status, await resp.text()) == (503, "<html>down</html>")
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 200


async def test_token_faults_are_separate_from_api_faults(lucidgreen_fake, session):
    """error_rate spares /o/token/, token_error_rate hits only /o/token/."""
    fake = lucidgreen_fake
    client_id, secret = fake.source_credentials
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    fake.faults.error_rate = 1.0
    async with session.post(fake.url + "/o/token/", data=form) as resp:
        assert resp.status == 200
    fake.faults.reset()
    fake.faults.token_error_rate = 1.0
    async with session.post(fake.url + "/o/token/", data=form) as resp:
        assert resp.status >= 500
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 200


async def test_latency_fixed_and_per_path(lucidgreen_fake, session):
    """latency delays every API request; path_latency adds to matching paths only."""
    fake = lucidgreen_fake
    fake.faults.latency = 0.1
    fake.faults.path_latency = {BRANDS: 0.15}
    started = time.monotonic()
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 200
    assert time.monotonic() - started >= 0.25
    started = time.monotonic()
    async with session.get(fake.url + "/api/v1.5/products/", headers=_auth(fake)) as resp:
        assert resp.status == 200
    assert 0.1 <= time.monotonic() - started < 0.25


async def test_stall_never_answers_and_close_is_prompt(session):
    """A stalled request times out on the client; closing the fake does not wait for it."""
    fake = FakeLucidGreen(products=5, rate_limits=False)
    await fake.start()
    fake.faults.stall_rate = 1.0
    timeout = aiohttp.ClientTimeout(total=0.3)
    with pytest.raises(asyncio.TimeoutError):
        async with session.get(fake.url + BRANDS, headers=_auth(fake), timeout=timeout):
            pass
    started = time.monotonic()
    await fake.close()
    assert time.monotonic() - started < 1.5
    assert not fake.running


async def test_truncated_responses(lucidgreen_fake, session):
    """content_length mode is a short read; cut_json mode is a complete but invalid body."""
    fake = lucidgreen_fake
    fake.faults.truncate_rate = 1.0
    with pytest.raises(aiohttp.ClientPayloadError):
        async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
            await resp.read()
    fake.faults.truncate_mode = "cut_json"
    async with session.get(fake.url + BRANDS, headers=_auth(fake)) as resp:
        assert resp.status == 200
        text = await resp.text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


async def test_recorded_requests_and_stats(lucidgreen_fake, session):
    """Requests are recorded with all headers, query and status; stats count them."""
    fake = lucidgreen_fake
    headers = {**_auth(fake), "X-Request-ID": "abc"}
    async with session.get(fake.url + "/api/v1.5/products/?page=2", headers=headers) as resp:
        assert resp.headers["X-Request-ID"] == "abc"
    recorded = fake.requests.matching("/api/v1.5/products/")[-1]
    assert recorded.authorization == headers["Authorization"]
    assert recorded.query == {"page": "2"}
    assert recorded.status == 200
    assert fake.stats.requests == len(fake.requests) == 1
    assert fake.stats.by_status[200] == 1


async def test_request_log_can_be_a_ring_buffer(session):
    """max_recorded keeps only the newest requests."""
    async with FakeLucidGreen(products=5, max_recorded=2, rate_limits=False) as fake:
        for path in ("/a/", "/b/", "/c/"):
            async with session.get(fake.url + path):
                pass
        assert [r.path for r in fake.requests] == ["/b/", "/c/"]
        assert fake.stats.requests == 3
