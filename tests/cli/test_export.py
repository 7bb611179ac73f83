"""``lucidgreen export``: exact line counts, resumable after an interruption, progress."""

from __future__ import annotations

import re

import pytest

from lucidgreen.cli._export import CursorFile
from tests.cli.helpers import read_lines, retail_args, source_args

PRODUCTS = "/api/v1.5/products/"


@pytest.mark.lucidgreen_fake(products=95, page_size=10)
@pytest.mark.parametrize("prefetch", ["0", "3"])
async def test_export_writes_exactly_count_lines_in_list_order(
    lucidgreen_fake, run_cli, tmp_path, prefetch
):
    """Every product of the list is written once, in the list's order, with or without prefetch."""
    out = tmp_path / "products.jsonl"
    result = await run_cli(
        "export", "source", "products", "--out", str(out), "--prefetch", prefetch,
        "--no-progress", *source_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 0, result.err
    lines = read_lines(out)
    assert len(lines) == 95
    assert [line["uuid"] for line in lines] == list(lucidgreen_fake.state.products)
    first = lucidgreen_fake.state.products[str(lines[0]["uuid"])]
    assert (lines[0]["name"], lines[0]["sku"]) == (first.name, first.sku)
    assert result.out.strip() == f"wrote 95 lines to {out}"
    state = CursorFile.load(out)
    assert state is not None
    assert (state.lines, state.size, state.count) == (95, out.stat().st_size, 95)


@pytest.mark.lucidgreen_fake(page_size=2)
async def test_export_assets_of_one_type(lucidgreen_fake, run_cli, tmp_path):
    """``export source assets --asset-type images`` writes that type's assets, and only those."""
    out = tmp_path / "images.jsonl"
    result = await run_cli(
        "export", "source", "assets", "--asset-type", "images", "--out", str(out),
        "--no-progress", *source_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 0, result.err
    uuids = [line["uuid"] for line in read_lines(out)]
    assert uuids == list(lucidgreen_fake.state.assets["images"])


@pytest.mark.lucidgreen_fake(products=95, page_size=10)
@pytest.mark.parametrize(
    "interruption",
    [
        pytest.param(((500, None), 6), id="5xx-exhausts-retries"),
        pytest.param(("drop", 5), id="drop"),
    ],
)
@pytest.mark.usefixtures("lucidgreen_no_backoff")
async def test_resume_after_interruption_has_no_gap_and_no_duplicate(
    lucidgreen_fake, run_cli, tmp_path, interruption
):
    """A run that dies on page 4 keeps 3 pages; --resume drops a torn page and finishes."""
    failure, exit_code = interruption
    out = tmp_path / "products.jsonl"
    fake = lucidgreen_fake
    # Pages 1-3 pass, then page 4 fails on every attempt (1 + 2 retries; steps to spare, as
    # aiohttp itself resends a GET once when a reused connection is dropped).
    fake.faults.script(PRODUCTS, ["pass", "pass", "pass", *[failure] * 6])
    args = ["export", "source", "products", "--out", str(out), "--no-progress", "--max-retries",
            "2", *source_args(fake)]  # fmt: skip
    first = await run_cli(*args)
    assert first.code == exit_code
    *waits, error = first.err.strip().splitlines()
    shown = [line.split(",")[1] for line in waits]
    assert len(shown) == 2, shown
    for n, line in enumerate(shown, start=1):  # the documented 1 and 2 s, jittered upward
        assert re.fullmatch(rf" retry {n} of 2 in {n}(\.\d)? s", line), line
    assert error.startswith("lucidgreen: ")
    assert len(read_lines(out)) == 30
    fake.faults.clear_scripts()
    # As if the process had died while writing page 4: a partial line after the last cursor.
    with out.open("ab") as handle:
        handle.write(b'{"uuid": "half-written')
    fake.requests.clear()

    second = await run_cli(*args, "--resume")

    assert second.code == 0, second.err
    uuids = [line["uuid"] for line in read_lines(out)]
    assert len(uuids) == 95 == len(set(uuids))
    assert uuids == list(fake.state.products)
    pages = [r.query.get("page") for r in fake.requests.matching(PRODUCTS)]
    # Page 3 once more (the resume verifies it still ends with the last line), then 4-10.
    assert pages == [str(n) for n in range(3, 11)]
    assert "wrote 95 lines" in second.out
    assert "65 added by this run" in second.out


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_resume_of_a_finished_export_fetches_nothing(lucidgreen_fake, run_cli, tmp_path):
    """Resuming a complete export leaves the file as it is and sends no list request."""
    out = tmp_path / "products.jsonl"
    args = ["export", "source", "products", "--out", str(out), "--no-progress",
            *source_args(lucidgreen_fake)]  # fmt: skip
    assert (await run_cli(*args)).code == 0
    before = out.read_bytes()
    lucidgreen_fake.requests.clear()
    result = await run_cli(*args, "--resume")
    assert result.code == 0, result.err
    assert out.read_bytes() == before
    assert lucidgreen_fake.requests.matching(PRODUCTS) == []
    assert "0 added by this run" in result.out


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_a_forced_export_replaces_the_file_and_its_cursor(lucidgreen_fake, run_cli, tmp_path):
    """With --force an old file and cursor are replaced, not appended to."""
    out = tmp_path / "products.jsonl"
    out.write_text('{"uuid": "stale"}\n')
    CursorFile("source products", "stale-cursor", 18, 1, 99).save(out)
    result = await run_cli(
        "export", "source", "products", "--out", str(out), "--no-progress", "--force",
        *source_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert [line["uuid"] for line in read_lines(out)] == list(lucidgreen_fake.state.products)
    state = CursorFile.load(out)
    assert state is not None
    assert (state.lines, state.count) == (25, 25)


async def test_resume_refuses_a_cursor_of_another_list(lucidgreen_fake, run_cli, tmp_path):
    """A cursor saved by a products export cannot resume a batches export (exit 2)."""
    out = tmp_path / "export.jsonl"
    args = [f"--out={out}", "--no-progress", *source_args(lucidgreen_fake)]
    assert (await run_cli("export", "source", "products", *args)).code == 0
    lucidgreen_fake.requests.clear()
    result = await run_cli("export", "source", "batches", *args, "--resume")
    assert result.code == 2
    assert "source products" in result.err
    assert len(lucidgreen_fake.requests) == 0


async def test_resume_refuses_a_corrupt_cursor_file(lucidgreen_fake, run_cli, tmp_path):
    """An unreadable cursor file is a usage error, reported in one line, with no request sent."""
    out = tmp_path / "export.jsonl"
    out.write_text("")
    CursorFile.path_for(out).write_text('{"version": 1, "what": "source products"}')
    result = await run_cli(
        "export", "source", "products", f"--out={out}", "--resume", *source_args(lucidgreen_fake)
    )
    assert result.code == 2
    assert "corrupt" in result.err
    assert len(lucidgreen_fake.requests) == 0


@pytest.mark.lucidgreen_fake(products=42, page_size=10)
async def test_progress_total_comes_from_the_first_page_count(lucidgreen_fake, run_cli, tmp_path):
    """The progress line on stderr counts against the list's ``count`` (not a tty: plain text)."""
    out = tmp_path / "products.jsonl"
    result = await run_cli(
        "export", "source", "products", "--out", str(out), *source_args(lucidgreen_fake)
    )
    assert result.code == 0, result.err
    assert "export source products 42/42 (100%)" in result.err.splitlines()[-1]
    assert "\r" not in result.err


async def test_retail_package_uid_export_writes_one_line_per_case(
    lucidgreen_fake, run_cli, tmp_path
):
    """``export retail package-uids`` writes every (package, CaseID) of the file with its IDs."""
    out = tmp_path / "packages.jsonl"
    result = await run_cli(
        "export", "retail", "package-uids", "--out", str(out), "--no-progress",
        *retail_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 0, result.err
    expected = {
        (package, case): lucid_ids
        for package, cases in lucidgreen_fake.export_file().items()
        for case, lucid_ids in cases.items()
    }
    lines = read_lines(out)
    assert expected
    assert {(line["package_uid"], line["case_id"]): line["lucid_ids"] for line in lines} == expected
    assert len(lines) == len(expected)
    assert result.out.strip() == f"wrote {len(lines)} lines to {out}"
