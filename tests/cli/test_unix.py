"""The command behaves as a Unix tool: a closed pipe, waits it explains, files it protects."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest

import lucidgreen.cli._export
from lucidgreen.cli._export import CursorFile
from tests.cli.helpers import read_lines, retail_args, source_args

PRODUCTS = "/api/v1.5/products/"


async def run_with_closed_stdout(*argv: str) -> tuple[int, bytes]:
    """``python -m lucidgreen argv`` whose stdout is a pipe nobody reads any more."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head` does once it has its lines
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lucidgreen", *argv,
            stdout=write_end, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
    finally:
        os.close(write_end)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err


async def test_get_into_a_closed_pipe_ends_quietly(lucidgreen_fake):
    """``lucidgreen get ... | head``: exit 0 and nothing on stderr when the reader is gone."""
    product = next(iter(lucidgreen_fake.state.products))
    code, err = await run_with_closed_stdout(
        "get", "source", "product", product, *source_args(lucidgreen_fake)
    )
    assert (code, err) == (0, b"")
    assert lucidgreen_fake.requests.matching(PRODUCTS)  # it did run, up to the write


@pytest.mark.usefixtures("lucidgreen_no_backoff")
async def test_a_retry_is_announced_in_the_progress_line(lucidgreen_fake, run_cli, tmp_path):
    """An injected 503 shows ``HTTP 503, retry 1 of 5 in 1 s`` on stderr as the wait begins."""
    lucidgreen_fake.faults.script(PRODUCTS, [(503, {"detail": "busy"})])
    out = tmp_path / "products.jsonl"
    result = await run_cli(
        "export", "source", "products", "--out", str(out), *source_args(lucidgreen_fake)
    )
    assert result.code == 0, result.err
    waits = [line for line in result.err.splitlines() if "retry" in line]
    assert len(waits) == 1, result.err
    # Drawn before the first page arrived: nothing exported yet, the cause and the delay named.
    assert waits[0].startswith("export source products 0 ")
    assert re.search(r"\| HTTP 503, retry 1 of 5 in 1(\.\d)? s$", waits[0]), waits[0]
    assert len(read_lines(out)) == len(lucidgreen_fake.state.products)


@pytest.mark.usefixtures("lucidgreen_no_backoff")
async def test_get_without_progress_prints_a_status_line_per_wait(lucidgreen_fake, run_cli):
    """``get`` has no progress line: a 429 pause is a status line on stderr, then the JSON."""
    product = next(iter(lucidgreen_fake.state.products))
    lucidgreen_fake.faults.script(PRODUCTS, [(429, {"detail": "slow down"}, {"Retry-After": "7"})])
    result = await run_cli("get", "source", "product", product, *source_args(lucidgreen_fake))
    assert result.code == 0, result.err
    assert result.err == "lucidgreen: HTTP 429 (rate limited), retry 1 of 5 in 7 s\n"
    assert json.loads(result.out)["uuid"] == product


@pytest.mark.parametrize("existing", ["file", "file-and-cursor", "cursor"])
async def test_export_refuses_to_overwrite_without_force(
    lucidgreen_fake, run_cli, tmp_path, existing
):
    """An existing export (or its cursor) is kept: exit 2 naming --resume and --force."""
    out = tmp_path / "products.jsonl"
    if existing.startswith("file"):
        out.write_text('{"uuid": "kept"}\n')
    if existing.endswith("cursor"):
        CursorFile("source products", "c", 17, 1, 99).save(out)
    before = out.read_bytes() if out.exists() else None
    result = await run_cli(
        "export", "source", "products", "--out", str(out), *source_args(lucidgreen_fake)
    )
    assert result.code == 2
    assert "--resume" in result.err
    assert "--force" in result.err
    assert (out.read_bytes() if out.exists() else None) == before
    assert len(lucidgreen_fake.requests) == 0


async def test_retail_export_refuses_to_overwrite_without_force(lucidgreen_fake, run_cli, tmp_path):
    """The package-UID export protects an earlier file the same way."""
    out = tmp_path / "packages.jsonl"
    out.write_text("{}\n")
    result = await run_cli(
        "export", "retail", "package-uids", "--out", str(out), *retail_args(lucidgreen_fake)
    )
    assert result.code == 2
    assert "--force" in result.err
    assert out.read_text() == "{}\n"


@pytest.mark.usefixtures("lucidgreen_no_backoff")
async def test_a_failed_export_leaves_no_empty_file(lucidgreen_fake, run_cli, tmp_path):
    """A run that fails before its first line leaves neither an empty .jsonl nor a cursor."""
    lucidgreen_fake.faults.script(PRODUCTS, [(500, None)] * 3)
    out = tmp_path / "products.jsonl"
    result = await run_cli(
        "export", "source", "products", "--out", str(out), "--no-progress", "--max-retries", "1",
        *source_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 6
    assert not out.exists()
    assert not CursorFile.path_for(out).exists()


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("size", "mid-line", id="size-mid-line"),
        pytest.param("size", 0, id="size-zero"),
        pytest.param("size", "120", id="size-a-string"),
        pytest.param("size", 12.5, id="size-a-float"),
        pytest.param("size", True, id="size-a-bool"),
        pytest.param("lines", 3, id="lines-not-the-file"),
    ],
)
async def test_a_tampered_cursor_exits_2_and_leaves_the_file(
    lucidgreen_fake, run_cli, tmp_path, field, value
):
    """A cursor whose size/lines do not describe the file is refused: exit 2, no output change."""
    out = tmp_path / "products.jsonl"
    args = ["export", "source", "products", "--out", str(out), "--no-progress",
            *source_args(lucidgreen_fake)]  # fmt: skip
    assert (await run_cli(*args)).code == 0
    sidecar = CursorFile.path_for(out)
    payload = json.loads(sidecar.read_text())
    payload[field] = payload["size"] - 5 if value == "mid-line" else value
    sidecar.write_text(json.dumps(payload))
    before = out.read_bytes()
    lucidgreen_fake.requests.clear()
    result = await run_cli(*args, "--resume")
    assert result.code == 2, result.err
    assert "resume state" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert out.read_bytes() == before
    assert len(lucidgreen_fake.requests) == 0


@pytest.mark.lucidgreen_fake(export_packages=12)
@pytest.mark.usefixtures("lucidgreen_no_backoff")
async def test_package_uid_export_resumes_after_an_interruption(
    lucidgreen_fake, run_cli, tmp_path, monkeypatch
):
    """A download cut in half keeps its saved lines; --resume adds the rest: each case once."""
    monkeypatch.setattr(lucidgreen.cli._export, "_RETAIL_BATCH", 3)
    fake = lucidgreen_fake
    expected = [
        (package, case, ids)
        for package, cases in fake.export_file().items()
        for case, ids in cases.items()
    ]
    out = tmp_path / "packages.jsonl"
    args = ["export", "retail", "package-uids", "--out", str(out), "--no-progress",
            "--max-retries", "0", *retail_args(fake)]  # fmt: skip
    fake.faults.script("/exports/", ["truncate"])  # half the file, then the CDN hangs up
    first = await run_cli(*args)
    assert first.code == 5, first.err
    state = CursorFile.load(out)
    assert state is not None
    assert 0 < state.lines < len(expected)
    assert len(read_lines(out)) == state.lines
    with out.open("ab") as handle:  # as if killed while writing the next batch
        handle.write(b'{"package_uid": "torn')

    second = await run_cli(*args, "--resume")

    assert second.code == 0, second.err
    lines = read_lines(out)
    assert [(line["package_uid"], line["case_id"], line["lucid_ids"]) for line in lines] == expected
    assert f"{len(expected) - state.lines} added by this run" in second.out


async def test_package_uid_resume_refuses_an_export_that_changed(
    lucidgreen_fake, run_cli, tmp_path
):
    """If the file's first entries are not the lines already written, resuming would mix two
    exports: exit 2 instead."""
    out = tmp_path / "packages.jsonl"
    args = ["export", "retail", "package-uids", "--out", str(out), "--no-progress",
            *retail_args(lucidgreen_fake)]  # fmt: skip
    assert (await run_cli(*args)).code == 0
    lucidgreen_fake.seed += 1  # a different export file from now on
    result = await run_cli(*args, "--resume")
    assert result.code == 2
    assert "export changed" in result.err


async def test_resume_without_a_cursor_keeps_the_file(lucidgreen_fake, run_cli, tmp_path):
    """--resume on a file with no cursor cannot continue it, and does not overwrite it."""
    out = tmp_path / "products.jsonl"
    out.write_text('{"uuid": "mine"}\n')
    result = await run_cli(
        "export", "source", "products", "--out", str(out), "--resume",
        *source_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 2
    assert "--force" in result.err
    assert out.read_text() == '{"uuid": "mine"}\n'
    assert len(lucidgreen_fake.requests) == 0


def _read_terminal(controller: int) -> bytes:
    drawn = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal's last writer is gone
            return drawn
        if not chunk:
            return drawn
        drawn += chunk


@pytest.mark.lucidgreen_fake(products=30, page_size=10)
async def test_the_progress_line_is_drawn_on_a_terminal_before_the_first_item(
    lucidgreen_fake, tmp_path
):
    """In a real terminal (a pty) the line shows ``0`` items first: drawn at start, not at the
    end, then redrawn in place up to 100 %."""
    import pty

    controller, terminal = pty.openpty()
    try:
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lucidgreen", "export", "source", "products",
            "--out", str(tmp_path / "p.jsonl"), *source_args(lucidgreen_fake),
            stderr=terminal, stdout=asyncio.subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        )  # fmt: skip
        os.close(terminal)
        drawn = await asyncio.to_thread(_read_terminal, controller)
        assert await asyncio.wait_for(command.wait(), timeout=60) == 0
    finally:
        os.close(controller)
    frames = [frame.strip() for frame in drawn.decode().split("\r") if frame.strip()]
    assert frames[0].startswith("export source products 0 ")
    assert "30/30 (100%)" in frames[-1]
