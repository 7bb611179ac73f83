"""Client configuration: constructor checks, environment credentials, ``with_options`` views,
and what the hooks carry."""

from __future__ import annotations

import math

import pytest

import lucidgreen
from lucidgreen import RetryPolicy, SourceClient, Timeout
from lucidgreen._settings import Credentials, credentials_from, environment_from
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen

# --- constructor checks (no loop, no request) ----------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, True, "30"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_refused(bad: object) -> None:
    """0, negatives, NaN and infinity once silently meant "no timeout"; now they raise."""
    with pytest.raises((TypeError, ValueError), match=r"timeout|total"):
        SourceClient(token="t", timeout=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("rate_limiter", 5), ("retry", {"max_retries": 2}), ("hooks", print), ("session", object())],
)
def test_arguments_of_the_wrong_kind_are_refused_at_construction(
    keyword: str, value: object
) -> None:
    """``rate_limiter=5`` fails here, naming the argument, not later with AttributeError."""
    with pytest.raises(TypeError, match=keyword):
        SourceClient(token="t", **{keyword: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["https://proxy.example/lucid", "http://127.0.0.1:8080/api/", "https://h/x?y=1"]
)
def test_a_base_url_with_a_path_is_refused(url: str) -> None:
    """Every path and next link starts at ``/api/`` on the origin, so a path cannot work."""
    with pytest.raises(ValueError, match="base_url"):
        SourceClient(token="t", base_url=url)


def test_timeout_accepts_a_number_none_or_separate_bounds() -> None:
    assert Timeout.of(5) == Timeout(total=5)
    assert Timeout.of(None) == Timeout(total=None)
    assert Timeout(total=10, connect=2).cut_to(1.5) == Timeout(total=1.5, connect=1.5)
    with pytest.raises(ValueError, match="connect"):
        Timeout(connect=0)


# --- environment ---------------------------------------------------------------------------


def test_product_variables_win_over_generic_ones_and_ids_over_tokens() -> None:
    env = {
        "LUCIDGREEN_CLIENT_ID": "generic-id",
        "LUCIDGREEN_CLIENT_SECRET": "generic-secret",
        "LUCIDGREEN_RETAIL_TOKEN": "retail-token",
        "LUCIDGREEN_SOURCE_CLIENT_ID": "source-id",
        "LUCIDGREEN_SOURCE_CLIENT_SECRET": "source-secret",
        "LUCIDGREEN_SOURCE_TOKEN": "ignored",
        "LUCIDGREEN_ENVIRONMENT": "test",
    }
    assert credentials_from(env, "source") == Credentials("source-id", "source-secret")
    assert credentials_from(env, "retail") == Credentials(token="retail-token")
    assert credentials_from({}, "retail") == Credentials()
    assert environment_from(env, "source") == "test"
    assert environment_from({}, "source") == "production"


async def test_a_client_reads_credentials_and_environment_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, lucidgreen_fake: FakeLucidGreen
) -> None:
    """No arguments but ``base_url``: the client authenticates with the variables' values."""
    client_id, secret = lucidgreen_fake.source_credentials
    monkeypatch.setenv("LUCIDGREEN_SOURCE_CLIENT_ID", client_id)
    monkeypatch.setenv("LUCIDGREEN_CLIENT_SECRET", "wrong, but the product pair is complete")
    monkeypatch.setenv("LUCIDGREEN_SOURCE_CLIENT_SECRET", secret)
    async with SourceClient(base_url=lucidgreen_fake.url) as source:
        assert [p async for p in source.products.list(limit=2)]
    monkeypatch.setenv("LUCIDGREEN_SOURCE_ENVIRONMENT", "test")
    assert SourceClient().base_url == "https://source-test.lucidgreen.io"


def test_missing_credentials_name_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "TOKEN"):
        monkeypatch.delenv(f"LUCIDGREEN_{name}", raising=False)
        monkeypatch.delenv(f"LUCIDGREEN_RETAIL_{name}", raising=False)
    with pytest.raises(ValueError, match="LUCIDGREEN_RETAIL_CLIENT_ID or LUCIDGREEN_CLIENT_ID"):
        lucidgreen.RetailClient()


# --- with_options --------------------------------------------------------------------------


async def test_a_view_shares_budget_token_and_stats_but_has_its_own_policy(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """``with_options(retry=RetryPolicy.none())`` fails at the first 503 where the client
    retries; both spend one budget, one token and count into one ``stats``."""
    fake = lucidgreen_fake
    uuid = next(iter(fake.state.products))
    bucket = lucidgreen.TokenBucket(limit=1000, per=1.0)
    async with fake.source_client(rate_limiter=bucket) as source:
        view = source.with_options(retry=RetryPolicy.none(), timeout=Timeout(total=5, connect=1))
        assert view.rate_limiter is source.rate_limiter
        await view.products.get(uuid)
        fake.faults.script(f"/api/v1.5/products/{uuid}/", [(503, {"detail": "busy"})])
        with pytest.raises(lucidgreen.ServerError):
            await view.products.get(uuid)
        fake.faults.script(f"/api/v1.5/products/{uuid}/", [(503, {"detail": "busy"})])
        with without_sleeping():
            assert (await source.products.get(uuid)).uuid == uuid
        await view.aclose()  # a view owns nothing: the client keeps working
        assert (await source.products.get(uuid)).uuid == uuid
        assert source.stats is view.stats
        assert source.stats.retries == 1
        assert source._auth.tokens_issued == 1  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="closed"):
        await view.products.get(uuid)


# --- what hooks carry ----------------------------------------------------------------------


async def test_hooks_carry_the_request_id_and_the_retry_status(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """A success is traceable (its request id reaches ``on_request``), and a retry event has
    the HTTP status as a number, so nobody parses reason strings."""
    fake = lucidgreen_fake
    uuid = next(iter(fake.state.products))
    sent: list[lucidgreen.RequestSent] = []
    retries: list[lucidgreen.RetryScheduled] = []
    hooks = lucidgreen.Hooks(on_request=sent.append, on_retry=retries.append)
    bucket = lucidgreen.TokenBucket(limit=1000, per=1.0)
    fake.faults.script(f"/api/v1.5/products/{uuid}/", [(503, {"detail": "busy"})])
    with without_sleeping():
        async with fake.source_client(rate_limiter=bucket, hooks=hooks) as source:
            await source.products.get(uuid)
    token, *attempts = sent
    assert token.url.endswith("/o/token/")
    # One id per call, kept across its attempts, so the server's logs tie them together.
    assert [event.attempt for event in attempts] == [1, 2]
    assert attempts[0].request_id == attempts[1].request_id != token.request_id
    assert all(event.request_id for event in sent)
    [retry] = retries
    assert (retry.status, retry.error_type, retry.max_retries) == (503, "ServerError", 5)
