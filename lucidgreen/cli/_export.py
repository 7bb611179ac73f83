"""``lucidgreen export``: a whole list to a JSON Lines file, resumable.

An export writes one JSON object per line. After each page it flushes the page's lines and
only then records, in ``FILE.cursor`` (replaced atomically), the page's cursor together with
the file's length. ``--resume`` cuts the file back to that length (dropping a page that was
being written when the run stopped) and continues from the cursor: no duplicate, no gap.

The package-UID export is one file, not pages: its cursor records the export date asked
for and how many lines were written. ``--resume`` downloads the file again, checks that its
first entries are the lines already written (else the export changed: exit 2), and appends
the rest.

Without ``--resume`` an existing file (or cursor) is refused unless ``--force``, and is only
cut once the first lines are in hand; a run that fails before writing a line removes the
empty file it created and nothing else. ``--out`` may also be a stream (``-`` for stdout, a
FIFO, a device: :mod:`._output`), which is written to and never resumed, cut or removed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeGuard

import attrs

from .._client import RetailClient, SourceClient
from .._pager import AsyncPager
from .._serialize import encodable_json, to_dict
from ..errors import PageLayoutChanged
from ._common import UsageError, make_client
from ._output import FileOutput, Output, inspect_output, open_output
from ._progress import Progress
from ._waits import WaitReporter

__all__ = [
    "CursorFile",
    "JsonLinesWriter",
    "export_retail",
    "export_source",
    "to_json_line",
]

_CURSOR_VERSION = 1


def to_json_line(model: Any) -> bytes:
    """One model as one compact JSON line (UTF-8, newline-terminated), with every field the
    server sent (unknown ones included: :func:`lucidgreen.to_dict`). A surrogate code point
    in a string is written as its ``\\uXXXX`` escape, so the line is always valid UTF-8."""
    text = json.dumps(
        to_dict(model) if _is_record(model) else model,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    try:
        return (text + "\n").encode()
    except UnicodeEncodeError:  # rare: look for surrogates only when there is one
        return (encodable_json(text) + "\n").encode()


def _is_record(value: Any) -> bool:
    return attrs.has(type(value))


# -- the cursor sidecar ---------------------------------------------------------------------


def _natural(value: object) -> TypeGuard[int]:
    """An int >= 0 (a JSON ``true`` is not a size)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _count_lines(handle: IO[bytes], size: int) -> tuple[int, bytes]:
    """Newlines in the first ``size`` bytes of ``handle``, and the last of those bytes."""
    handle.seek(0)
    lines, left, last = 0, size, b""
    while left > 0:
        block = handle.read(min(left, 1 << 20))
        if not block:
            break
        lines += block.count(b"\n")
        left -= len(block)
        last = block[-1:]
    return lines, last


@attrs.frozen
class CursorFile:
    """What ``FILE.cursor`` records: after ``lines`` lines (``size`` bytes), ``cursor``."""

    what: str
    cursor: str
    size: int
    lines: int
    count: int | None

    @staticmethod
    def path_for(out: Path) -> Path:
        return out.with_name(out.name + ".cursor")

    def save(self, out: Path) -> None:
        """Write the sidecar atomically: a temporary file, fsync, then ``os.replace``."""
        target = self.path_for(out)
        temporary = target.with_name(target.name + ".tmp")
        payload = {"version": _CURSOR_VERSION, **attrs.asdict(self)}
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)

    @classmethod
    def load(cls, out: Path) -> CursorFile | None:
        """The sidecar of ``out``, None if there is none; ``UsageError`` if unreadable."""
        path = cls.path_for(out)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:  # RecursionError: deep nesting
            raise UsageError(f"cannot read the resume state {path}: {exc}") from None
        state = cls._parse(payload)
        if state is None:
            raise UsageError(f"the resume state {path} is corrupt; start again without --resume")
        return state

    @classmethod
    def _parse(cls, payload: Any) -> CursorFile | None:
        if not isinstance(payload, dict) or payload.get("version") != _CURSOR_VERSION:
            return None
        what, cursor = payload.get("what"), payload.get("cursor")
        size, lines, count = payload.get("size"), payload.get("lines"), payload.get("count")
        if not (isinstance(what, str) and isinstance(cursor, str)):
            return None
        if not (_natural(size) and _natural(lines)):
            return None
        if (size == 0) != (lines == 0):  # lines need bytes, and bytes are lines
            return None
        if count is not None and not _natural(count):
            return None
        return cls(what, cursor, size, lines, count)


class JsonLinesWriter:
    """An export's lines into its :class:`~._output.Output` and, for a file, the cursor
    sidecar after each page (blocking I/O, one page at a time)."""

    def __init__(self, output: Output, what: str, resume: CursorFile | None) -> None:
        self.output = output
        self.what = what
        self.lines = resume.lines if resume else 0
        if resume is not None and isinstance(output, FileOutput):
            self._reopen(output, resume)

    @staticmethod
    def _reopen(output: FileOutput, state: CursorFile) -> None:
        """The file cut back to ``size`` bytes (a page cut short goes), positioned at its end."""
        out, handle, size = output.file, output.handle, state.size
        length = handle.seek(0, os.SEEK_END)
        if length < size:
            raise UsageError(
                f"cannot resume: {out} is shorter ({length} bytes) than its cursor records "
                f"({size} bytes); start again without --resume"
            )
        lines, last = _count_lines(handle, size)
        if lines != state.lines or (size and last != b"\n"):
            raise UsageError(
                f"cannot resume: the resume state {CursorFile.path_for(out)} does not match "
                f"{out} (it records {state.lines} lines in {size} bytes, the file holds "
                f"{lines} there); start again with --force"
            )
        handle.truncate(size)
        handle.seek(size)

    def write_page(self, items: Sequence[Any], cursor: str, count: int | None) -> None:
        """Write and flush the page's lines, then record the cursor after them."""
        self._write([to_json_line(item) for item in items], cursor, count)

    def write_lines(self, lines: Sequence[bytes], cursor: str) -> None:
        """Write already-encoded lines and record ``cursor`` after them."""
        self._write(lines, cursor, None)

    def _write(self, lines: Sequence[bytes], cursor: str, count: int | None) -> None:
        size = self.output.write(b"".join(lines))
        self.lines += len(lines)
        if self.output.path is not None:  # a stream has nothing to resume
            CursorFile(self.what, cursor, size, self.lines, count).save(self.output.path)

    def close(self, *, failed: bool = False) -> None:
        """Close; a file this run created and wrote no line to is removed on failure."""
        self.output.close(failed=failed and self.lines == 0)


def _open_writer(out: str, what: str, state: CursorFile | None) -> JsonLinesWriter:
    output = open_output(out, resume=state is not None, sidecar=CursorFile.path_for(Path(out)))
    try:
        return JsonLinesWriter(output, what, state)
    except BaseException:
        output.close(failed=False)
        raise


def _summary(writer: JsonLinesWriter, out: Path, state: CursorFile | None) -> None:
    """The last line: on stderr when stdout carries the data."""
    resumed = f" ({writer.lines - state.lines} added by this run)" if state is not None else ""
    where = "stdout" if writer.output.is_stdout else out
    stream = sys.stderr if writer.output.is_stdout else sys.stdout
    print(f"wrote {writer.lines} lines to {where}{resumed}", file=stream, flush=True)


def _check_fresh(out: Path, args: argparse.Namespace) -> None:
    """Without --resume, an earlier export is only replaced when --force says so; with it, a
    file that has no cursor cannot be continued (and is not overwritten either)."""
    if inspect_output(args.out) is not None:  # a stream: nothing to overwrite or resume
        if args.resume:
            raise UsageError(
                f"cannot resume: --out {args.out} is not a regular file, so it has no resume state"
            )
        return
    sidecar = CursorFile.path_for(out)
    if args.resume and out.exists() and not sidecar.exists():
        raise UsageError(
            f"cannot resume: {out} has no resume state ({sidecar.name} is missing); pass "
            "--force to start again and overwrite it"
        )
    if args.resume or args.force:
        return
    if out.exists() or sidecar.exists():
        kind = "a partial or finished export" if sidecar.exists() else "a file"
        raise UsageError(
            f"{out} already exists ({kind}); pass --resume to continue it, or --force to "
            "start again and overwrite it"
        )


# -- export ---------------------------------------------------------------------------------


def _source_pager(
    source: SourceClient, args: argparse.Namespace, resume_from: str | None
) -> AsyncPager[Any]:
    options: dict[str, Any] = {"prefetch": args.prefetch, "resume_from": resume_from}
    try:
        if args.what == "products":
            return source.products.list(**options)
        if args.what == "batches":
            return source.batches.list(**options)
        return source.assets.list(args.asset_type, **options)
    except ValueError as exc:  # a cursor that belongs to another list, or is corrupt
        raise UsageError(f"cannot resume from the saved cursor: {exc}") from None


async def export_source(args: argparse.Namespace) -> int:
    out = Path(args.out)
    what = f"source {args.what}" + (f" {args.asset_type}" if args.what == "assets" else "")
    _check_fresh(out, args)
    state = CursorFile.load(out) if args.resume else None
    if state is not None and state.what != what:
        raise UsageError(
            f"cannot resume: {CursorFile.path_for(out)} belongs to an export of "
            f"{state.what!r}, not {what!r}"
        )
    progress = Progress(
        f"export {what}",
        total=state.count if state else None,
        done=state.lines if state else 0,
        enabled=not args.no_progress,
    )
    source = make_client(SourceClient, args, waits=WaitReporter(progress, args.max_retries))
    async with source:
        pager = _source_pager(source, args, state.cursor if state else None)
        writer = _open_writer(args.out, what, state)
        failed = True
        progress.start()
        try:
            async for page in pager.pages():
                if progress.total is None and page.count is not None:
                    progress.total = page.count
                writer.write_page(page.items, page.cursor, page.count)
                progress.advance(len(page.items))
            failed = False
        except PageLayoutChanged as exc:  # only a --resume raises it, before any page
            raise UsageError(f"{exc} (pass --force instead of --resume)") from None
        finally:
            writer.close(failed=failed)
            progress.close()
    _summary(writer, out, state)
    return 0


_PACKAGE_UIDS = "retail package-uids"
#: Lines written between two cursor saves of the package-UID export.
_RETAIL_BATCH = 500


async def export_retail(args: argparse.Namespace) -> int:
    out = Path(args.out)
    _check_fresh(out, args)
    state = CursorFile.load(out) if args.resume else None
    if state is not None:
        if state.what != _PACKAGE_UIDS:
            raise UsageError(
                f"cannot resume: {CursorFile.path_for(out)} belongs to an export of "
                f"{state.what!r}, not {_PACKAGE_UIDS!r}"
            )
        if args.date is not None and args.date != state.cursor:
            raise UsageError(
                f"cannot resume: the interrupted export was for --date "
                f"{state.cursor or '(latest)'}, not {args.date}"
            )
    day = (state.cursor or None) if state is not None else args.date
    progress = Progress(
        "export package-uids", done=state.lines if state else 0, enabled=not args.no_progress
    )
    retail = make_client(RetailClient, args, waits=WaitReporter(progress, args.max_retries))
    async with retail:
        writer = _open_writer(args.out, _PACKAGE_UIDS, state)  # before a request: see _output
        failed = True
        try:
            try:
                export = await retail.package_uids.export(day)
            except ValueError as exc:  # a malformed or future --date
                raise UsageError(str(exc)) from None
            with progress:
                progress.start()
                await _write_entries(
                    export.entries(), writer=writer, out=out, state=state, day=day or "",
                    progress=progress,
                )  # fmt: skip
            failed = False
        finally:
            writer.close(failed=failed)
    _summary(writer, out, state)
    return 0


async def _write_entries(
    entries: AsyncIterator[Any],
    *,
    writer: JsonLinesWriter,
    out: Path,
    state: CursorFile | None,
    day: str,
    progress: Progress,
) -> None:
    """Skip (and check) the lines a resumed run already holds, write the rest in batches."""
    skip = state.lines if state is not None else 0
    # Only a resumed file is read back (a stream may be a FIFO: reading it would steal lines).
    with out.open("rb") if skip else contextlib.nullcontext() as written:
        batch: list[bytes] = []
        seen = 0
        async for entry in entries:
            line = to_json_line(entry)
            if seen < skip:
                seen += 1
                assert written is not None  # noqa: S101 - skip > 0: a resumed regular file
                if written.read(len(line)) != line:
                    raise UsageError(
                        f"cannot resume: the export changed since {out} was written (line "
                        f"{seen} differs); start again with --force"
                    )
                continue
            batch.append(line)
            progress.advance()
            if len(batch) >= _RETAIL_BATCH:
                writer.write_lines(batch, day)
                batch = []
        if seen < skip:
            raise UsageError(
                f"cannot resume: the export now has {seen} lines, fewer than the {skip} "
                f"already in {out}; start again with --force"
            )
        writer.write_lines(batch, day)
