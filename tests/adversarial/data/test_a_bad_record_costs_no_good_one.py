"""Attack: one record the model refuses (a known field of the wrong type: ``name`` is an
object) sits at item 3 of page 2. The SDK must deliver every good record of that page and
of the pages around it, report the bad one with its index, raw JSON and reason, and let the
page's cursor resume past it: on the pager, in ``pages()``, with prefetch, and in the CLI."""

from __future__ import annotations

import asyncio
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from lucidgreen import BadRecords, Page, SkippedRecord
from lucidgreen.cli import main
from lucidgreen.source.models import ProductSummary
from tests.adversarial.pagination.list_server import ListServer, list_server, product
from tests.adversarial.support import TOKEN
from tests.support import drain_until_error, uuids

#: 15 products at 5 a page; page 2 holds products 5-9, its item 3 is product 7.
TOTAL, SIZE, BAD = 15, 5, 7
POISONED = {**product(BAD), "name": {"first": "not", "a": ["string"]}}
GOOD = [product(i)["uuid"] for i in range(TOTAL) if i != BAD]


def poisoned(server: ListServer, record: Any = POISONED) -> ListServer:
    server.poison[BAD] = record
    return server


def check_report(exc: BaseException | None, record: Any = POISONED) -> BadRecords:
    assert isinstance(exc, BadRecords)
    assert len(exc.skipped) == 1
    (skipped,) = exc.skipped
    assert skipped.index == 2  # item 3 of its page, counted from 0 as the server sent it
    assert json.loads(skipped.raw) == record
    assert skipped.page == "/api/v1.5/products/?page=2"
    assert exc.cursor is not None
    return exc


@pytest.mark.parametrize("prefetch", [0, 3])
async def test_the_walk_delivers_every_good_record_then_reports_the_bad_one(prefetch: int) -> None:
    """Items 0-6 and 8-9 come first, then BadRecords; its cursor resumes with item 10."""
    async with list_server(TOTAL, SIZE) as server:
        poisoned(server)
        async with server.client() as client:
            got, exc = await drain_until_error(client.products.list(prefetch=prefetch))
            report = check_report(exc)
            assert "@ $.name" in report.skipped[0].reason
            assert "expected a string" in report.skipped[0].reason
            assert "index 2" in str(report)
            rest = [p async for p in client.products.list(resume_from=report.cursor)]
    assert uuids(got) + uuids(rest) == GOOD


@pytest.mark.parametrize("prefetch", [0, 2])
async def test_pages_yields_the_page_with_its_good_items_and_skipped_record(prefetch: int) -> None:
    """``pages()`` yields page 2 (4 items, ``skipped`` set), then raises with the same cursor."""
    async with list_server(TOTAL, SIZE) as server:
        poisoned(server)
        async with server.client() as client:
            pages: list[Page[ProductSummary]]
            pages, exc = await drain_until_error(client.products.list(prefetch=prefetch).pages())
    report = check_report(exc)
    assert [len(page.items) for page in pages] == [5, 4]
    assert pages[0].skipped == ()
    assert pages[1].skipped == report.skipped
    assert pages[1].cursor == report.cursor
    assert uuids(list(pages[1].items)) == ["P00005", "P00006", "P00008", "P00009"]


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(5, id="a-number"),
        pytest.param(None, id="null"),
        pytest.param("P00007", id="a-string"),
        pytest.param({"name": "no uuid"}, id="a-required-field-missing"),
        pytest.param({**product(BAD), "is_published": {"yes": 1}}, id="a-bool-as-object"),
    ],
)
async def test_any_record_the_model_refuses_is_reported_not_fatal(record: Any) -> None:
    """Not an object, ``null``, a missing required field: the same report, the same resume."""
    async with list_server(TOTAL, SIZE) as server:
        poisoned(server, record)
        async with server.client() as client:
            got, exc = await drain_until_error(client.products.list())
            report = check_report(exc, record)
            rest = [p async for p in client.products.list(resume_from=report.cursor)]
    assert uuids(got) + uuids(rest) == GOOD


async def test_a_page_of_bad_records_only_still_resumes_after_it() -> None:
    """Every record of page 2 refused: 5 reports, page 3 still reachable from the cursor."""
    async with list_server(TOTAL, SIZE) as server:
        for index in range(5, 10):
            server.poison[index] = {"uuid": ["no"]}
        async with server.client() as client:
            got, exc = await drain_until_error(client.products.list())
            assert isinstance(exc, BadRecords)
            assert [record.index for record in exc.skipped] == [0, 1, 2, 3, 4]
            rest = [p async for p in client.products.list(resume_from=exc.cursor)]
    assert len(got) == 5
    assert len(rest) == 5


async def test_a_limit_ending_on_the_bad_record_counts_it_and_resumes_after_it() -> None:
    """``limit=8`` ends on product 7 (the bad one): 7 items, the report, and then item 8."""
    async with list_server(TOTAL, SIZE) as server:
        poisoned(server)
        async with server.client() as client:
            got, exc = await drain_until_error(client.products.list(limit=8))
            report = check_report(exc)
            rest = [p async for p in client.products.list(resume_from=report.cursor)]
    assert uuids(got) + uuids(rest) == GOOD


def test_the_report_survives_pickle_with_every_skipped_record() -> None:
    """A BadRecords crossing a process keeps its skipped records and cursor."""
    record = SkippedRecord(2, '{"name": {}}', "expected a string @ $.name", "/p/?page=2")
    error = BadRecords("bad", skipped=[record], cursor="abc", text="[...]", status=200)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.skipped, copy.cursor, copy.text, copy.status) == ((record,), "abc", "[...]", 200)


async def test_the_cli_export_keeps_the_good_records_and_resumes_past_the_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The export writes pages 1-2's 9 good lines, exits 6 naming the record; --resume adds
    the 5 of page 3 and exits 0: 14 lines, the bad record's index and reason on stderr."""
    out = tmp_path / "products.jsonl"
    async with list_server(TOTAL, SIZE) as server:
        poisoned(server)
        args = ["export", "source", "products", "--out", str(out), "--no-progress",
                "--base-url", server.url, "--token", TOKEN]  # fmt: skip
        first = await asyncio.to_thread(main, args)
        err = capsys.readouterr().err
        lines = out.read_text().splitlines()
        second = await asyncio.to_thread(main, [*args, "--resume"])
    assert first == 6
    assert "index 2" in err
    assert "$.name" in err
    assert len(lines) == 9
    assert second == 0
    assert [json.loads(line)["uuid"] for line in out.read_text().splitlines()] == GOOD
