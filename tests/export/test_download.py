"""``PackageExport.download()`` and ``entries()``: the CDN fetch without Authorization or
rate-limit budget, the typed mapping, bounded-memory streaming and broken files."""

from __future__ import annotations

import asyncio
import json
import sys
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from lucidgreen import DecodeError, RetailClient, TokenBucket, TransportError
from lucidgreen.retail.package_uids import ExportEntry, PackageExport
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import Collection, FakeLucidGreen

EXPORT = "/api/v1.2/package-uids-export/"


def _flatten(mapping: dict[str, dict[str, list[str]]]) -> list[ExportEntry]:
    return [
        ExportEntry(package_uid, case_id, tuple(lucid_ids))
        for package_uid, cases in mapping.items()
        for case_id, lucid_ids in cases.items()
    ]


async def _import_cases(retail: RetailClient, fake: FakeLucidGreen, count: int) -> None:
    """Import ``count`` cases of this dispensary so the export file holds real entries."""
    cases: list[Collection] = [
        c
        for c in fake.state.cases.values()
        if c.uuid not in fake.state.cases_scanned_elsewhere and c.current_ids()
    ][:count]
    for index, case in enumerate(cases):
        packaged = fake.state.items[case.current_ids()[0]].packaged_product_uuid
        await retail.caseids.import_case(
            case_uuid=case.uuid,
            packaged_product_uuid=packaged,
            pos_product_id=f"P{index}",
            pos_inventory_id=f"I{index}",
            package_uid=f"1A40603000000000000000{index:02d}",
        )


async def test_cdn_rejects_authorization_yet_download_succeeds(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, limiter: Any
) -> None:
    """The CDN refuses a bearer header; download() sends none and spends no API budget."""
    fake = lucidgreen_fake
    export = await retail.package_uids.export()
    async with (
        aiohttp.ClientSession() as session,
        session.get(export.url, headers={"Authorization": "Bearer leaked"}) as leaked,
    ):
        assert leaked.status == 403
        assert "Only one auth mechanism allowed" in await leaked.text()
    spent = limiter.acquired
    requests_before = retail.stats.requests

    mapping = await export.download()

    assert mapping == fake.export_file()
    downloads = fake.requests.matching("/exports/", site="cdn")
    assert [r.status for r in downloads] == [403, 200]
    assert downloads[-1].authorization is None
    assert "Authorization" not in downloads[-1].headers
    assert limiter.acquired == spent
    assert retail.stats.requests == requests_before + 1
    api_auth = [r.authorization for r in fake.requests.matching(EXPORT)]
    assert api_auth
    assert all(a is not None and a.startswith("Bearer ") for a in api_auth)


async def test_download_is_the_typed_mapping_of_the_imports(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """With no synthetic packages the file is exactly the applied imports, typed."""
    fake = lucidgreen_fake
    fake.export.packages = 0
    await _import_cases(retail, fake, 3)
    export = await retail.package_uids.export()
    mapping = await export.download()
    expected = fake.state.export_mapping()
    assert len(expected) == 3
    assert mapping == expected
    for package_uid, cases in mapping.items():
        assert isinstance(package_uid, str)
        for case_id, lucid_ids in cases.items():
            assert isinstance(case_id, str)
            assert isinstance(lucid_ids, list)
            assert all(isinstance(i, str) for i in lucid_ids)


async def test_entries_stream_what_download_returns(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, limiter: Any
) -> None:
    """entries() yields one ExportEntry per CaseID, in file order, equal to download()."""
    fake = lucidgreen_fake
    await _import_cases(retail, fake, 2)
    fake.export.packages = 40
    export = await retail.package_uids.export()
    spent = limiter.acquired
    streamed = [entry async for entry in export.entries(chunk_size=97)]
    assert streamed == _flatten(fake.export_file())
    assert streamed[0].package_uid in fake.state.export_mapping()
    assert limiter.acquired == spent
    (download,) = fake.requests.matching("/exports/", site="cdn")
    assert download.authorization is None


@pytest.fixture
async def big_export_fake() -> AsyncIterator[dict[str, Any]]:
    """A fake in its own process serving a 100,000-entry export (see export_fake_process)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("export_fake_process.py")),
        "100000",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        yield json.loads(line)
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_entries_of_a_100k_file_run_in_bounded_memory(
    big_export_fake: dict[str, Any],
) -> None:
    """Streaming 100,000 entries peaks far below the file's size, and every entry arrives.

    The fake runs in another process, so tracemalloc counts the client's memory alone.
    """
    served = big_export_fake
    async with RetailClient(
        served["client_id"],
        served["client_secret"],
        base_url=served["url"],
        rate_limiter=TokenBucket(limit=1_000_000, per=60.0, burst=100),
    ) as retail:
        export = await retail.package_uids.export()
        count = 0
        least_bytes = 0  # the file holds at least these bytes: ids, keys and punctuation
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            async for entry in export.entries():
                count += 1
                least_bytes += (
                    len(entry.package_uid) + len(entry.case_id) + 8 + 24 * len(entry.lucid_ids)
                )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == served["entries"] == 100_000
    assert least_bytes > 7_000_000
    assert peak < least_bytes * 0.25, f"peak {peak} bytes for a file of > {least_bytes} bytes"


async def test_truncated_json_body_is_a_decode_error(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A CDN body cut short (valid length, broken JSON) raises DecodeError either way."""
    fake = lucidgreen_fake
    export = await retail.package_uids.export()
    fake.faults.truncate_mode = "cut_json"
    fake.faults.script("/exports/", ["truncate", "truncate"])
    with pytest.raises(DecodeError) as whole:
        await export.download()
    assert whole.value.text.startswith("{")
    with pytest.raises(DecodeError, match="truncated or malformed"):
        async for _ in export.entries():
            pass
    assert fake.faults.pending("/exports/") == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"PKG-1": ["not", "cases"]}', "expected an object of CaseIDs"),
        (b'{"PKG-1": {"CASE": [1, 2]}}', "expected a list of LucidIDs"),
        (b'["PKG-1"]', "expected one of"),
        (b"<html>gateway</html>", "expected one of"),
    ],
)
async def test_malformed_file_is_a_decode_error(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, body: bytes, message: str
) -> None:
    """A file whose shape is wrong raises DecodeError from entries() and download()."""
    fake = lucidgreen_fake
    export = await retail.package_uids.export()
    fake.faults.script("/exports/", [(200, body), (200, body)])
    with pytest.raises(DecodeError, match=message):
        async for _ in export.entries():
            pass
    with pytest.raises(DecodeError):
        await export.download()


async def test_cut_connection_download_retries_entries_raises(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A short read is retried by download(); entries() reports it as a TransportError."""
    fake = lucidgreen_fake
    export = await retail.package_uids.export()
    fake.faults.truncate_mode = "content_length"
    fake.faults.script("/exports/", ["truncate"])
    with without_sleeping():
        mapping = await export.download()
    assert mapping == fake.export_file()
    assert retail.stats.retries == 1
    fake.faults.script("/exports/", ["truncate"])
    with pytest.raises(TransportError):
        async for _ in export.entries():
            pass


async def test_expired_presigned_url_is_a_clear_error(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """An export URL whose signature the CDN refuses raises an error naming the 403."""
    fake = lucidgreen_fake
    export = await retail.package_uids.export()
    forged = PackageExport(
        export._api,
        url=export.url.replace("X-Amz-Signature=", "X-Amz-Signature=0"),
        export_date=None,
    )
    with pytest.raises(Exception, match="403") as caught:
        await forged.download()
    assert not isinstance(caught.value, DecodeError)
    assert fake.requests.matching("/exports/", site="cdn")[-1].status == 403
