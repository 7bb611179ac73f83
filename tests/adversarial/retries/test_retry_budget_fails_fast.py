"""A dead API does not get five retries from each of 1,000 tasks: the client-wide retry
budget caps retries at a share of recent first attempts plus a small floor. One task in a
short blip still gets every retry the policy allows."""

from __future__ import annotations

import asyncio

import pytest

import lucidgreen
from lucidgreen import SourceClient
from lucidgreen._retry_budget import RetryBudget
from lucidgreen.testing import MockTransport, Request, Response, json_response

UUID = "UNDTMBovdue9tFWfhamnDM"


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_floor_alone_pays_for_a_lone_tasks_retries() -> None:
    clock = _Clock()
    budget = RetryBudget(floor=10, ratio=0.2, window=10, clock=clock)
    budget.first_attempt()
    assert [budget.try_retry() for _ in range(5)] == [True] * 5


def test_an_outage_gets_a_share_of_first_attempts_plus_the_floor() -> None:
    clock = _Clock()
    budget = RetryBudget(floor=10, ratio=0.2, window=10, clock=clock)
    for _ in range(1000):
        budget.first_attempt()
    granted = sum(budget.try_retry() for _ in range(5000))
    assert granted == 10 + 200


def test_the_budget_refills_as_the_window_moves_on() -> None:
    clock = _Clock()
    budget = RetryBudget(floor=2, ratio=0.0, window=10, clock=clock)
    assert [budget.try_retry() for _ in range(3)] == [True, True, False]
    clock.now = 10.5
    assert budget.try_retry()


@pytest.mark.parametrize("bad", [{"ratio": -1.0}, {"floor": -1}, {"window": 0.0}, {"floor": True}])
def test_nonsense_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryBudget(**bad)  # type: ignore[arg-type]


async def test_a_thousand_tasks_meeting_a_dead_api_fail_fast(lucidgreen_no_backoff: None) -> None:
    """Each would retry 5 times (6,000 attempts); the budget stops far short of that."""
    attempts = 0

    def dead(request: Request) -> Response:
        nonlocal attempts
        attempts += 1
        return json_response({"detail": "down"}, status=503)

    unpaced = lucidgreen.TokenBucket(limit=100_000, per=1.0)
    async with SourceClient(token="t", transport=MockTransport(dead), rate_limiter=unpaced) as s:
        results = await asyncio.gather(
            *(s.products.get(UUID) for _ in range(1000)), return_exceptions=True
        )
    assert all(isinstance(r, lucidgreen.errors.ServerError) for r in results)
    defaults = RetryBudget()
    assert attempts <= 1000 + defaults.floor + defaults.ratio * 1000 < 2000


async def test_one_task_in_a_short_blip_keeps_its_full_retries(
    lucidgreen_no_backoff: None,
) -> None:
    answers = iter([503, 503, 503, 503, 503, 200])

    def blip(request: Request) -> Response:
        status = next(answers)
        return json_response({"uuid": "x"} if status == 200 else {}, status=status)

    async with SourceClient(token="t", transport=MockTransport(blip)) as source:
        product = await source.products.get(UUID)
    assert product.uuid == "x"
    assert source.stats.retries == 5
