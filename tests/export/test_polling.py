"""``retail.package_uids.export()``: polling 202s, timeouts, local date checks and the
typed errors of 404/422/428, on the loopback fake."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

import lucidgreen.retry
from lucidgreen import (
    APIError,
    BadRequest,
    DispensaryNotConfigured,
    ExportFailed,
    ExportNotReady,
    ExportUnavailable,
    NotFound,
    RetailClient,
)
from lucidgreen.retail.package_uids import PackageExport
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import FakeLucidGreen

EXPORT = "/api/v1.2/package-uids-export/"


def _polls(fake: FakeLucidGreen) -> list[dict[str, str]]:
    """The query of each export request the fake received, in order."""
    return [r.query for r in fake.requests.matching(EXPORT, site="api")]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace the SDK's sleep with one that records the delay and returns at once."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(lucidgreen.retry, "sleep", record)
    return recorded


async def test_three_202s_then_200_polls_four_times_with_backoff(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, sleeps: list[float]
) -> None:
    """Three "still processing" answers are polled through with doubling waits, then the URL."""
    fake = lucidgreen_fake
    fake.export.pending_polls = 3
    export = await retail.package_uids.export()
    assert isinstance(export, PackageExport)
    assert export.url.startswith(fake.cdn_url + "/exports/")
    assert "X-Amz-Signature=" in export.url
    assert export.export_date is None
    assert _polls(fake) == [{}, {}, {}, {}]
    assert [r.status for r in fake.requests.matching(EXPORT)] == [202, 202, 202, 200]
    assert sleeps == [5.0, 10.0, 20.0]
    assert fake.export.pending_polls == 0


async def test_poll_interval_and_cap_shape_the_waits(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, sleeps: list[float]
) -> None:
    """poll_interval starts the doubling and max_poll_interval caps it."""
    lucidgreen_fake.export.pending_polls = 5
    await retail.package_uids.export(poll_interval=0.5, max_poll_interval=3.0)
    assert sleeps == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert len(_polls(lucidgreen_fake)) == 6


async def test_export_date_goes_in_the_query(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A date, a datetime or an ISO string is sent as export_date=YYYY-MM-DD."""
    fake = lucidgreen_fake
    day = datetime.now(UTC).date() - timedelta(days=3)
    for value in (day, datetime.combine(day, datetime.min.time()), day.isoformat()):
        export = await retail.package_uids.export(value)
        assert export.export_date == day.isoformat()
        assert f"package-uids-{day.isoformat()}.json" in export.url
    assert _polls(fake) == [{"export_date": day.isoformat()}] * 3


async def test_wait_false_raises_export_not_ready_at_once(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, sleeps: list[float]
) -> None:
    """With wait=False a 202 raises ExportNotReady after one request and no sleep."""
    fake = lucidgreen_fake
    fake.export.pending_polls = 2
    with pytest.raises(ExportNotReady) as caught:
        await retail.package_uids.export(wait=False)
    assert caught.value.status == 202
    assert caught.value.data == {"error": "Export is still in progress. Try again later."}
    assert len(_polls(fake)) == 1
    assert sleeps == []
    assert fake.export.pending_polls == 1


async def test_timeout_raises_export_not_ready(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """An export still processing when the timeout runs out raises ExportNotReady."""
    fake = lucidgreen_fake
    fake.export.pending_polls = 1000
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ExportNotReady) as caught:
        await retail.package_uids.export(timeout=0.3, poll_interval=0.02, max_poll_interval=0.02)
    elapsed = loop.time() - started
    assert "still processing" in caught.value.message
    assert 0.2 <= elapsed < 5.0
    polls = len(_polls(fake))
    assert 2 <= polls <= 16
    assert fake.export.pending_polls == 1000 - polls


@pytest.mark.parametrize(
    "value",
    [
        datetime.now(UTC).date() + timedelta(days=2),
        (datetime.now(UTC) + timedelta(days=2)).isoformat()[:10],
        datetime.now(UTC) + timedelta(days=2),
        "2999-01-01",
    ],
    ids=["date", "string", "datetime", "far"],
)
async def test_future_date_is_refused_locally(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, value: date | str
) -> None:
    """A future export_date raises ValueError before any request (no token either)."""
    with pytest.raises(ValueError, match="in the future"):
        await retail.package_uids.export(value)
    assert len(lucidgreen_fake.requests) == 0


@pytest.mark.parametrize("value", ["01/02/2025", "2025-13-01", "yesterday"])
async def test_malformed_date_is_refused_locally(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, value: str
) -> None:
    """An export_date that is not YYYY-MM-DD raises ValueError; nothing is sent."""
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        await retail.package_uids.export(value)
    assert len(lucidgreen_fake.requests) == 0


async def test_server_side_future_date_400_keeps_the_error_text(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """If the server's calendar is behind ours, its 400 is a BadRequest with its error."""
    fake = lucidgreen_fake
    today = datetime.now(UTC).date()
    fake.export.today = today - timedelta(days=5)
    with pytest.raises(BadRequest) as caught:
        await retail.package_uids.export(today - timedelta(days=1))
    assert caught.value.message == "export_date specified is a future date."
    assert len(_polls(fake)) == 1


def _missing(fake: FakeLucidGreen) -> None:
    fake.export.missing_dates.add(datetime.now(UTC).date() - timedelta(days=1))


def _failed(fake: FakeLucidGreen) -> None:
    fake.export.failed = True


def _unlinked(fake: FakeLucidGreen) -> None:
    fake.state.dispensary_linked = False


def _disabled(fake: FakeLucidGreen) -> None:
    fake.export.enabled = False


ERROR_CASES: list[tuple[Callable[[FakeLucidGreen], None], int, type[APIError], str]] = [
    (_missing, 404, ExportUnavailable, "Export is not available."),
    (_failed, 422, ExportFailed, "Failed to export package uids."),
    (
        _unlinked,
        428,
        DispensaryNotConfigured,
        "API Key is not associated with a dispensary, or this feature is not enabled.",
    ),
    (
        _disabled,
        428,
        DispensaryNotConfigured,
        "API Key is not associated with a dispensary, or this feature is not enabled.",
    ),
]


@pytest.mark.parametrize(
    "case", ERROR_CASES, ids=["404-missing", "422-failed", "428-unlinked", "428-disabled"]
)
async def test_documented_errors_are_typed_with_the_server_text(
    retail: RetailClient,
    lucidgreen_fake: FakeLucidGreen,
    case: tuple[Callable[[FakeLucidGreen], None], int, type[APIError], str],
) -> None:
    """404, 422 and 428 raise their own exception carrying the server's error text."""
    setup, status, error_type, text = case
    setup(lucidgreen_fake)
    with without_sleeping(), pytest.raises(error_type) as caught:
        await retail.package_uids.export()
    error = caught.value
    assert error.status == status
    assert error.message == text
    assert text in str(error)
    assert error.data == {"error": text}
    assert error.request_id
    assert isinstance(error.__cause__, APIError)
    assert len(_polls(lucidgreen_fake)) == 1  # none of them is retried


async def test_export_unavailable_is_a_not_found(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """An export older than the kept history is a NotFound (ExportUnavailable)."""
    old = datetime.now(UTC).date() - timedelta(days=lucidgreen_fake.export.history_days + 2)
    with pytest.raises(NotFound) as caught:
        await retail.package_uids.export(old)
    assert isinstance(caught.value, ExportUnavailable)


async def test_repr_hides_the_presigned_signature(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A PackageExport's repr shows where the file is, never the URL's signature."""
    export = await retail.package_uids.export()
    assert "X-Amz" not in repr(export)
    assert "/exports/" in repr(export)
