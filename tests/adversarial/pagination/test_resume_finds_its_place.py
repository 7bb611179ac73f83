"""Attack: between a cursor and its resume the server changes its page size or its list
(records removed or added before the cursor's place). The resume must continue right
after the last record delivered (no gap, no repeat) or raise PageLayoutChanged naming what
changed, yielding nothing; old cursors without an anchor still resume where they say."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest

from lucidgreen import PageLayoutChanged
from lucidgreen._relocate import MAX_RELOCATE_PAGES
from lucidgreen.cli import main
from tests.adversarial.pagination.list_server import ListServer, list_server, product
from tests.adversarial.support import TOKEN
from tests.support import uuids


async def cursor_after(server: ListServer, items: int, *, limit: int | None = None) -> str:
    """The cursor of the page on which the walk had delivered ``items`` records."""
    async with server.client() as client:
        delivered = 0
        async for page in client.products.list(limit=limit).pages():
            delivered += len(page.items)
            if delivered >= items:
                return page.cursor
    raise AssertionError(f"the list has fewer than {items} records")


async def resume(server: ListServer, cursor: str, **options: Any) -> list[str]:
    server.pages.clear()
    async with server.client() as client:
        return uuids([p async for p in client.products.list(resume_from=cursor, **options)])


def after(server: ListServer, key: str) -> list[str]:
    """The records the server holds now after ``key``: what a resume owes the caller."""
    keys = [record["uuid"] for record in server.records]
    return keys[keys.index(key) + 1 :]


@pytest.mark.parametrize("prefetch", [0, 3])
@pytest.mark.parametrize(("before", "now"), [(50, 100), (100, 50), (50, 30), (30, 70)])
async def test_a_new_page_size_loses_nothing_and_repeats_nothing(
    before: int, now: int, prefetch: int
) -> None:
    """The issue's case: walked at 50 a page, stopped at 200, the server moves to 100 a
    page: the resume yields records 200-399 exactly (and every other size change too)."""
    async with list_server(400, before) as server:
        stop = 200 if before in (50, 100) else 210
        cursor = await cursor_after(server, stop)
        server.size = now
        rest = await resume(server, cursor, prefetch=prefetch)
    assert rest == [product(i)["uuid"] for i in range(stop, 400)]


@pytest.mark.parametrize("now", [20, 50, 80])
async def test_a_limit_inside_a_page_then_a_new_page_size_resumes_with_the_next_record(
    now: int,
) -> None:
    """``limit=130`` stops inside page 3 (at 50 a page); at any new size the resume yields
    record 130 first and every later one once."""
    async with list_server(400, 50) as server:
        cursor = await cursor_after(server, 130, limit=130)
        server.size = now
        rest = await resume(server, cursor)
    assert rest == [product(i)["uuid"] for i in range(130, 400)]


@pytest.mark.parametrize("removed", [1, 3, 9, 12, 35])
async def test_records_removed_before_the_cursor_move_nothing_out_of_reach(removed: int) -> None:
    """The walk stopped after record 39 (page 4 of 10 a page); ``removed`` records before it
    go: the resume yields exactly the records after 39, none missed, none twice."""
    async with list_server(100, 10) as server:
        cursor = await cursor_after(server, 40)
        del server.records[:removed]
        rest = await resume(server, cursor)
        assert rest == after(server, "P00039")
    assert len(rest) == 60
    assert len(server.pages) <= 60 // 10 + MAX_RELOCATE_PAGES


@pytest.mark.parametrize("added", [1, 3, 9, 12, 45])
async def test_records_added_before_the_cursor_are_not_delivered_twice(added: int) -> None:
    """``added`` new records before record 39 push it onto a later index or page: the resume
    yields the 60 records after it, not one of the 40 already delivered."""
    async with list_server(100, 10) as server:
        cursor = await cursor_after(server, 40)
        server.records[:0] = [{"uuid": f"N{i:05d}", "name": "new"} for i in range(added)]
        rest = await resume(server, cursor)
    assert rest == [product(i)["uuid"] for i in range(40, 100)]


async def test_records_removed_and_added_around_the_cursor_still_resume_after_it() -> None:
    """One record removed before the cursor and one added after it keep ``count`` the same:
    page 5 now starts with record 41, and record 40 (moved onto page 4) is still yielded."""
    async with list_server(100, 10) as server:
        cursor = await cursor_after(server, 40)
        del server.records[0]
        server.records.insert(80, {"uuid": "N00000", "name": "new"})
        rest = await resume(server, cursor)
        assert rest == after(server, "P00039")
    assert rest[0] == "P00040"


def moved_far(server: ListServer) -> None:
    """35 records gone before the cursor's record and 35 new ones after it: the count says
    nothing moved, yet the record is three pages earlier."""
    del server.records[:35]
    server.records += [{"uuid": f"N{i:05d}", "name": "new"} for i in range(35)]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        pytest.param(lambda s: s.records.pop(39), "'P00039'", id="its-record-removed"),
        pytest.param(moved_far, "page 4", id="moved-far-count-unchanged"),
        pytest.param(lambda s: s.records.clear(), "counted", id="list-emptied"),
    ],
)
async def test_a_place_that_cannot_be_found_is_a_typed_error_and_nothing_is_yielded(
    change: Any, words: str
) -> None:
    """The cursor's record gone, or moved further than its neighbour pages: PageLayoutChanged
    naming the record, the old page and size, before anything is yielded."""
    async with list_server(100, 10) as server:
        cursor = await cursor_after(server, 40)
        change(server)
        server.pages.clear()
        got: list[Any] = []
        async with server.client() as client:
            with pytest.raises(PageLayoutChanged) as caught:
                got.extend([p async for p in client.products.list(resume_from=cursor)])
    assert got == []
    assert words in str(caught.value)
    assert "10 a page" in str(caught.value)
    assert caught.value.cursor == cursor
    assert len(server.pages) <= MAX_RELOCATE_PAGES


def without_anchor(cursor: str) -> str:
    """``cursor`` as the SDK wrote it before anchors existed."""
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    old = {key: payload[key] for key in ("v", "e", "n", "c", "y", "s")}
    return base64.urlsafe_b64encode(json.dumps(old).encode()).decode().rstrip("=")


async def test_an_old_cursor_without_an_anchor_still_resumes_where_it_says() -> None:
    """A cursor saved by an earlier release resumes at its next page, fetching nothing else."""
    async with list_server(100, 10) as server:
        cursor = without_anchor(await cursor_after(server, 40))
        rest = await resume(server, cursor)
        assert server.pages == [5, 6, 7, 8, 9, 10]
    assert rest == [product(i)["uuid"] for i in range(40, 100)]


async def test_an_unchanged_list_costs_the_resume_one_request() -> None:
    """Nothing changed: page 4 is asked again to verify it, then pages 5-10, each once."""
    async with list_server(100, 10) as server:
        cursor = await cursor_after(server, 40)
        rest = await resume(server, cursor)
        assert server.pages == [4, 5, 6, 7, 8, 9, 10]
    assert len(rest) == 60


async def test_cli_resume_follows_a_new_page_size_and_reports_a_lost_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export --resume`` after a page-size change finishes with every line once (exit 0);
    after its last record vanished it exits 2 naming it, the file left as it was."""
    async with list_server(100, 10) as server:
        out = tmp_path / "products.jsonl"
        args = ["export", "source", "products", "--out", str(out), "--no-progress",
                "--base-url", server.url, "--token", TOKEN]  # fmt: skip
        server.poison[45] = {"uuid": "P00045", "name": {}}  # stops the first run on page 5
        assert await asyncio.to_thread(main, args) == 6
        server.poison.clear()
        server.size = 25
        assert await asyncio.to_thread(main, [*args, "--resume"]) == 0
        lines = [json.loads(line)["uuid"] for line in out.read_text().splitlines()]
        assert lines == [product(i)["uuid"] for i in range(100) if i != 45]

        server.size = 10
        server.poison[45] = {"uuid": "P00045", "name": {}}
        assert await asyncio.to_thread(main, [*args, "--force"]) == 6
        written = out.read_bytes()
        server.records.pop(49)  # the last record of the first run's last page
        capsys.readouterr()
        assert await asyncio.to_thread(main, [*args, "--resume"]) == 2
        err = capsys.readouterr().err
    assert "'P00049'" in err
    assert "cannot resume" in err
    assert out.read_bytes() == written
