"""``export --out`` never unlinks, truncates or renames what the run did not create.

A FIFO, a character device, a symlink to either, stdout (``-`` or ``/dev/stdout``) are
streams: written to, never removed, never given a cursor file. A directory or an unwritable
path is refused before any request, with one line and its exit code. A regular file that
``--force`` would replace is left as it was when the run fails before its first line.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from lucidgreen.cli import main
from lucidgreen.cli._export import CursorFile
from lucidgreen.testing import FakeLucidGreen
from tests.cli.helpers import export_args, retail_args, source_args

PRODUCTS = "/api/v1.5/products/"


def wrong_secret(fake: FakeLucidGreen) -> list[str]:
    args = source_args(fake)
    args[args.index("--client-secret") + 1] = "not-the-secret"
    return args


class FifoReader:
    """A reader thread on a FIFO, as ``jq < fifo`` would be: it collects every byte."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = b""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with self.path.open("rb") as handle:
            self.data = handle.read()

    def finish(self) -> bytes:
        """Everything read; a writer that never came is stood in for, so the thread ends."""
        self._thread.join(timeout=30)
        if self._thread.is_alive():  # the command never opened the FIFO: give the reader EOF
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self._thread.join(timeout=30)
        assert not self._thread.is_alive()
        return self.data


def make_fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "products.fifo"
    os.mkfifo(fifo)
    return fifo


def make_null_device(tmp_path: Path) -> Path:
    """A private character device equal to /dev/null (the real one is never put at risk)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here: {exc}")
    return node


def json_lines(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_a_fifo_survives_a_failed_forced_export(lucidgreen_fake, run_cli, tmp_path):
    """Wrong secret, ``--force``, a FIFO as --out: exit 3, the FIFO stays, no cursor file."""
    fifo = make_fifo(tmp_path)
    reader = FifoReader(fifo)
    result = await run_cli(*export_args(fifo, wrong_secret(lucidgreen_fake), "--force"))
    assert result.code == 3, result.err
    assert reader.finish() == b""
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == [fifo.name]


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_a_fifo_receives_every_line(lucidgreen_fake, run_cli, tmp_path):
    """A FIFO needs no --force and gets the whole export; it stays a FIFO, with no cursor."""
    fifo = make_fifo(tmp_path)
    reader = FifoReader(fifo)
    result = await run_cli(*export_args(fifo, source_args(lucidgreen_fake)))
    assert result.code == 0, result.err
    uuids = [line["uuid"] for line in json_lines(reader.finish())]
    assert uuids == list(lucidgreen_fake.state.products)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == [fifo.name]


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_a_symlink_to_a_fifo_keeps_both(lucidgreen_fake, run_cli, tmp_path):
    """Through a symlink the FIFO is written; a failed run removes neither link nor FIFO."""
    fifo = make_fifo(tmp_path)
    link = tmp_path / "out.jsonl"
    link.symlink_to(fifo)
    reader = FifoReader(fifo)
    failed = await run_cli(*export_args(link, wrong_secret(lucidgreen_fake), "--force"))
    assert failed.code == 3, failed.err
    assert reader.finish() == b""
    reader = FifoReader(fifo)
    done = await run_cli(*export_args(link, source_args(lucidgreen_fake)))
    assert done.code == 0, done.err
    assert len(json_lines(reader.finish())) == len(lucidgreen_fake.state.products)
    # os.* rather than Path: ASYNC240 flags Path's blocking calls in a coroutine.
    assert os.readlink(link) == str(fifo)  # noqa: PTH115
    assert stat.S_ISFIFO(os.stat(link).st_mode)  # noqa: PTH116
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fifo.name, link.name])


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
@pytest.mark.parametrize("connection", [source_args, wrong_secret], ids=["ok", "wrong-secret"])
async def test_a_character_device_is_written_never_removed(
    lucidgreen_fake, run_cli, tmp_path, connection
):
    """A /dev/null-like node: fsync would fail on it (EINVAL); it is written and kept."""
    node = make_null_device(tmp_path)
    result = await run_cli(*export_args(node, connection(lucidgreen_fake), "--force"))
    assert result.code == (0 if connection is source_args else 3), result.err
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert os.lstat(node).st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [node.name]


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_resume_into_a_stream_is_refused(lucidgreen_fake, run_cli, tmp_path):
    """A FIFO has no resume state: --resume exits 2 before any request, the FIFO kept."""
    fifo = make_fifo(tmp_path)
    result = await run_cli(*export_args(fifo, source_args(lucidgreen_fake), "--resume"))
    assert result.code == 2
    assert "resume" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert len(lucidgreen_fake.requests) == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_dash_writes_only_data_to_stdout(lucidgreen_fake, run_cli, tmp_path, monkeypatch):
    """``--out -``: stdout holds the JSON lines and nothing else; the summary is on stderr;
    no file named ``-`` (or its cursor) appears."""
    monkeypatch.chdir(tmp_path)
    result = await run_cli(*export_args("-", source_args(lucidgreen_fake)))
    assert result.code == 0, result.err
    uuids = [line["uuid"] for line in json_lines(result.out.encode())]
    assert uuids == list(lucidgreen_fake.state.products)
    assert "wrote 25 lines" in result.err
    assert list(tmp_path.iterdir()) == []


async def run_piped(*argv: str) -> tuple[int, bytes, bytes]:
    """``python -m lucidgreen argv | cat``: stdout is a pipe the test reads."""
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lucidgreen", *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out, err


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
@pytest.mark.parametrize("target", ["-", "dev-stdout"])
async def test_stdout_under_a_pipe_gets_the_lines(lucidgreen_fake, tmp_path, target):
    """``--out /dev/stdout | jq`` and ``--out - | jq``: no fsync error, data only on stdout.

    ``dev-stdout`` is a private link made as /dev/stdout is (to /proc/self/fd/1), so a
    regression could only ever remove the test's own link, never the machine's.
    """
    if target == "dev-stdout":
        link = tmp_path / "stdout"
        link.symlink_to("/proc/self/fd/1")
        target = str(link)
    code, out, err = await run_piped(*export_args(target, source_args(lucidgreen_fake)))
    assert code == 0, err
    assert [line["uuid"] for line in json_lines(out)] == list(lucidgreen_fake.state.products)
    assert b"wrote 25 lines" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == (["stdout"] if "stdout" in target else [])


@pytest.mark.lucidgreen_fake(export_packages=6)
async def test_the_package_uid_export_streams_into_a_fifo(lucidgreen_fake, run_cli, tmp_path):
    """The Retail export writes to a FIFO too (it never reads its own output back)."""
    fifo = make_fifo(tmp_path)
    reader = FifoReader(fifo)
    result = await run_cli(
        "export", "retail", "package-uids", "--out", str(fifo), "--no-progress",
        *retail_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 0, result.err
    expected = sum(len(cases) for cases in lucidgreen_fake.export_file().values())
    assert len(json_lines(reader.finish())) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [fifo.name]


async def test_a_directory_is_refused_before_any_request(lucidgreen_fake, run_cli, tmp_path):
    """``--out DIR`` (even with --force): exit 2, one line, nothing sent, DIR as it was."""
    (tmp_path / "kept.txt").write_text("kept")
    result = await run_cli(*export_args(tmp_path, source_args(lucidgreen_fake), "--force"))
    assert result.code == 2
    assert "directory" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert len(lucidgreen_fake.requests) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


@pytest.mark.parametrize("where", ["missing-parent", "parent-is-a-file"])
async def test_an_unwritable_path_fails_before_any_request(
    lucidgreen_fake, run_cli, tmp_path, where
):
    """An --out that cannot be created: exit 1 naming it, before a list request is sent (no
    data fetched only to be lost), and nothing created."""
    (tmp_path / "file").write_text("kept")
    out = tmp_path / ("no-such-dir" if where == "missing-parent" else "file") / "out.jsonl"
    result = await run_cli(*export_args(out, source_args(lucidgreen_fake)))
    assert result.code == 1, result.err
    assert str(out) in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert lucidgreen_fake.requests.matching(PRODUCTS) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text() == "kept"


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_a_failed_forced_export_keeps_the_old_file(lucidgreen_fake, run_cli, tmp_path):
    """``--force`` replaces an earlier export only once there is something to replace it
    with: a wrong secret leaves the old file and its cursor byte for byte."""
    out = tmp_path / "products.jsonl"
    out.write_text('{"uuid": "earlier"}\n')
    CursorFile("source products", "earlier-cursor", 20, 1, 99).save(out)
    sidecar = CursorFile.path_for(out)
    before = (out.read_bytes(), sidecar.read_bytes())
    result = await run_cli(*export_args(out, wrong_secret(lucidgreen_fake), "--force"))
    assert result.code == 3, result.err
    assert (out.read_bytes(), sidecar.read_bytes()) == before


@pytest.mark.lucidgreen_fake(export_packages=6)
async def test_the_package_uid_export_checks_its_path_before_any_request(
    lucidgreen_fake, run_cli, tmp_path
):
    """The Retail export opens --out before asking for the export: exit 1, nothing sent."""
    out = tmp_path / "no-such-dir" / "packages.jsonl"
    result = await run_cli(
        *export_args(out, retail_args(lucidgreen_fake), what="retail package-uids")
    )
    assert result.code == 1, result.err
    assert str(out) in result.err
    assert len(lucidgreen_fake.requests) == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.lucidgreen_fake(export_packages=6)
async def test_a_refused_export_date_leaves_no_file(lucidgreen_fake, run_cli, tmp_path):
    """A --date the server does not keep (404, exit 4): the file this run opened is removed."""
    out = tmp_path / "packages.jsonl"
    result = await run_cli(
        "export", "retail", "package-uids", "--out", str(out), "--no-progress",
        "--date", "2001-01-01", *retail_args(lucidgreen_fake),
    )  # fmt: skip
    assert result.code == 4, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.lucidgreen_fake(products=250, page_size=10)
async def test_stdout_closed_by_its_reader_ends_quietly(lucidgreen_fake):
    """``--out - | head -1``: the reader leaves, the command ends with exit 0, no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lucidgreen",
            *export_args("-", source_args(lucidgreen_fake)),
            stdout=write_end, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
    finally:
        os.close(write_end)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert (process.returncode, err) == (0, b"")


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_resume_without_its_file_creates_nothing(lucidgreen_fake, run_cli, tmp_path):
    """A cursor whose file is gone: exit 2 naming the file, and no empty file made for it."""
    out = tmp_path / "products.jsonl"
    assert (await run_cli(*export_args(out, source_args(lucidgreen_fake)))).code == 0
    out.unlink()
    lucidgreen_fake.requests.clear()
    result = await run_cli(*export_args(out, source_args(lucidgreen_fake), "--resume"))
    assert result.code == 2, result.err
    assert "missing" in result.err
    assert not out.exists()
    assert len(lucidgreen_fake.requests) == 0


@pytest.mark.lucidgreen_fake(products=25, page_size=10)
async def test_dash_into_a_text_only_stdout(lucidgreen_fake, monkeypatch):
    """An application that runs ``main`` with a text-only ``sys.stdout`` (no ``.buffer``)
    still gets ``--out -`` as the JSON lines, as text."""
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stdout", captured)
    code = await asyncio.to_thread(main, export_args("-", source_args(lucidgreen_fake)))
    assert code == 0
    uuids = [line["uuid"] for line in json_lines(captured.getvalue().encode())]
    assert uuids == list(lucidgreen_fake.state.products)
