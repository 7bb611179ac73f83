"""A full sync of 2,000 products under 5xx, dropped connections, spurious 429s and token expiry."""

from __future__ import annotations

import pytest

from tests.adversarial.faults.scenario import (
    DROP_RATE,
    ERROR_RATE,
    SPURIOUS_429_RATE,
    expected_failed_calls,
    full_sync,
    retries_for,
)


def test_retry_budget_is_derived_from_the_fault_rates() -> None:
    """The sync's retry budget is the fewest retries that make a failed call negligible."""
    failure_rate = ERROR_RATE + DROP_RATE + SPURIOUS_429_RATE
    calls = 2000 + 40
    budget = retries_for(failure_rate, calls, acceptable=1e-4)
    assert expected_failed_calls(failure_rate, calls, budget) <= 1e-4
    assert expected_failed_calls(failure_rate, calls, budget - 1) > 1e-4
    # The documented default (5 retries) would fail about one run in fifty at these rates.
    assert 0.01 < expected_failed_calls(failure_rate, calls, 5) < 0.05


@pytest.mark.slow
async def test_full_sync_under_faults_delivers_every_product_exactly_once(figures) -> None:
    """Listing with prefetch and fetching every detail concurrently loses and repeats nothing."""
    run = await full_sync(products=2000, page_size=50)
    figures("full sync of 2,000 products (10 % 5xx, 3 % drops, 2 % 429, token expiry)",
            run.figures())  # fmt: skip
    assert sorted(run.listed) == sorted(run.expected)
    assert sorted(run.detailed) == sorted(run.expected)
    assert (run.lost, run.duplicated) == (0, 0)
    # Every kind of fault really happened, and each one the client saw was retried.
    assert run.faults["error"] > 100
    assert run.faults["drop"] > 20
    assert run.faults["rate_limit"] > 10
    assert run.client_rate_limited == run.faults["rate_limit"]
    assert run.client_server_errors == run.faults["error"]
    # A retry answers every failure the client saw (aiohttp itself silently resends a GET
    # whose pooled connection was dropped, so some drops never reach the SDK).
    assert run.client_retries == (
        run.client_server_errors + run.client_rate_limited + run.client_transport_errors
    )
    # The token died mid-run: renewed once (single flight), however many calls got a 401.
    assert run.tokens_expired >= 1
    assert run.renewals_after_401 >= 1
    assert run.tokens_issued == 2
    assert run.by_status[401] == run.renewals_after_401
    # Nothing was sent that the counters cannot explain: the items, their retries, the
    # replays after 401 and the tokens; and on the server's side, besides those, only
    # aiohttp's silent resends of GETs whose pooled connection was dropped.
    silent_resends = run.faults["drop"] - run.client_transport_errors
    assert run.server_requests == run.client_requests + silent_resends
    assert run.client_requests == (
        40 + 2000 + run.client_retries + run.renewals_after_401 + run.tokens_issued
    )
