"""Retry decisions are pure: same inputs, same answer, no clock and no event loop."""

from __future__ import annotations

import random

import pytest

from lucidgreen import errors
from lucidgreen.retry import Replay, RetryPolicy


def api_error(status: int, **extra: object) -> errors.APIError:
    classes: dict[int, type[errors.APIError]] = {
        400: errors.BadRequest,
        401: errors.AuthenticationError,
        403: errors.PermissionDenied,
        404: errors.NotFound,
        405: errors.MethodNotAllowed,
        429: errors.RateLimited,
    }
    cls = classes.get(status, errors.ServerError if status >= 500 else errors.APIError)
    return cls("x", status=status, **extra)  # type: ignore[arg-type]


def test_documented_schedule_is_1_2_4_8_16_then_give_up() -> None:
    """5xx is retried after 1, 2, 4, 8, 16 s (without jitter) and not a sixth time."""
    policy = RetryPolicy(jitter="none")
    delays = [policy.next_delay(api_error(503), retry_number=n) for n in range(1, 7)]
    assert delays == [1, 2, 4, 8, 16, None]


def test_default_jitter_never_shortens_the_documented_delay() -> None:
    """By default each delay is drawn from [d, 1.25 d]: never under the documented one."""
    policy = RetryPolicy()
    for seed in range(200):
        rng = random.Random(seed)
        delays = [policy.next_delay(api_error(503), retry_number=n, rng=rng) for n in range(1, 6)]
        for documented, drawn in zip([1, 2, 4, 8, 16], delays, strict=True):
            assert drawn is not None
            assert documented <= drawn <= documented * 1.25


def test_default_jitter_spreads_tasks_that_failed_together() -> None:
    """Many tasks failing at once do not all retry at the same instant (no lockstep)."""
    policy = RetryPolicy()
    firsts = {policy.backoff_delay(1) for _ in range(100)}
    assert len(firsts) > 50
    assert max(firsts) - min(firsts) > 0.1


def test_retry_after_is_obeyed_exactly_despite_jitter() -> None:
    policy = RetryPolicy()
    error = api_error(429, retry_after=7.5)
    assert {policy.next_delay(error, retry_number=n) for n in range(1, 6)} == {7.5}


def test_delays_are_capped() -> None:
    """Doubling stops at max_delay."""
    policy = RetryPolicy(max_retries=10, max_delay=60, jitter="none")
    assert policy.next_delay(api_error(500), retry_number=8) == 60


@pytest.mark.parametrize("status", [429, 500, 501, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    """429 and 500-504 are retried."""
    assert RetryPolicy(jitter="none").next_delay(api_error(status), retry_number=1) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 422, 428, 505])
def test_never_retried_statuses(status: int) -> None:
    """400/401/403/404/405 and other client errors are never retried."""
    assert RetryPolicy().next_delay(api_error(status), retry_number=1) is None


def test_retry_after_wins_over_computed_delay() -> None:
    """A Retry-After replaces the backoff delay, longer or shorter."""
    policy = RetryPolicy()
    assert policy.next_delay(api_error(429, retry_after=30.0), retry_number=1) == 30
    assert policy.next_delay(api_error(429, retry_after=0.5), retry_number=4) == 0.5


def test_absurd_retry_after_fails_fast() -> None:
    """A Retry-After beyond max_retry_after (a year) is not waited for."""
    year = 365 * 24 * 3600.0
    assert RetryPolicy().next_delay(api_error(429, retry_after=year), retry_number=1) is None


def test_deadline_stops_retries_that_would_cross_it() -> None:
    """No retry is scheduled when its delay would cross the overall deadline."""
    policy = RetryPolicy(deadline=10, jitter="none")
    assert policy.next_delay(api_error(500), retry_number=3, elapsed=5.0) == 4
    assert policy.next_delay(api_error(500), retry_number=3, elapsed=7.0) is None


def test_transport_errors_are_retried_for_safe_requests() -> None:
    """A dropped connection or timeout is retried when replay is safe."""
    error = errors.TransportError("dropped", request_sent=True)
    assert RetryPolicy(jitter="none").next_delay(error, retry_number=1, replay=Replay.SAFE) == 1


def test_unsafe_write_retried_only_when_server_cannot_have_acted() -> None:
    """An unsafe write is retried after 429 or a failed connect, never 5xx or a lost answer."""
    policy = RetryPolicy(jitter="none")
    unsafe = Replay.UNSAFE
    assert policy.next_delay(api_error(429), retry_number=1, replay=unsafe) == 1
    not_sent = errors.TransportError("refused", request_sent=False)
    assert policy.next_delay(not_sent, retry_number=1, replay=unsafe) == 1
    lost = errors.TransportError("dropped", request_sent=True)
    assert policy.next_delay(lost, retry_number=1, replay=unsafe) is None
    assert policy.next_delay(api_error(503), retry_number=1, replay=unsafe) is None


def test_non_api_errors_are_not_retried() -> None:
    """A DecodeError is a bug or a hostile body, not a transient fault."""
    assert RetryPolicy().next_delay(errors.DecodeError("bad"), retry_number=1) is None


def test_full_jitter_stays_within_the_computed_delay() -> None:
    """Full jitter draws each delay from [0, computed]."""
    policy = RetryPolicy(jitter="full")
    rng = random.Random(1)
    for n in range(1, 6):
        delay = policy.next_delay(api_error(503), retry_number=n, rng=rng)
        assert delay is not None
        assert 0 <= delay <= 2 ** (n - 1)


def test_random_jitter_adds_up_to_a_second() -> None:
    """Random jitter adds between 0 and 1 s to the computed delay."""
    delay = RetryPolicy(jitter="random").next_delay(
        api_error(503), retry_number=2, rng=random.Random(3)
    )
    assert delay is not None
    assert 2 <= delay <= 3


def test_no_retries_policy() -> None:
    """RetryPolicy.none() never retries."""
    assert RetryPolicy.none().next_delay(api_error(503), retry_number=1) is None


def test_policy_validates_its_numbers() -> None:
    """Negative retry counts are refused at construction."""
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
