"""``lucidgreen export``: a whole list to a JSON Lines file, resumable.

An export writes one JSON object per line. After each page it flushes the page's lines and
only then records, in ``FILE.cursor`` (replaced atomically), the page's cursor together with
the file's length. ``--resume`` cuts the file back to that length (dropping a page that was
being written when the run stopped) and continues from the cursor: no duplicate, no gap.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from .._client import RetailClient, SourceClient
from .._converter import unstructure
from .._pager import AsyncPager
from ._common import UsageError, make_client
from ._progress import Progress

__all__ = [
    "CursorFile",
    "JsonLinesWriter",
    "export_retail",
    "export_source",
    "to_json_line",
]

_CURSOR_VERSION = 1


def to_json_line(model: Any) -> bytes:
    """One model as one compact JSON line (UTF-8, newline-terminated)."""
    text = json.dumps(unstructure(model), ensure_ascii=False, separators=(",", ":"), default=str)
    return (text + "\n").encode()


# -- the cursor sidecar ---------------------------------------------------------------------


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
        os.replace(temporary, target)

    @classmethod
    def load(cls, out: Path) -> CursorFile | None:
        """The sidecar of ``out``, None if there is none; ``UsageError`` if unreadable."""
        path = cls.path_for(out)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
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
        if not (isinstance(size, int) and isinstance(lines, int) and size >= 0 and lines >= 0):
            return None
        if count is not None and not isinstance(count, int):
            return None
        return cls(what, cursor, size, lines, count)


class JsonLinesWriter:
    """The export file and its cursor sidecar (blocking file I/O, one page at a time)."""

    def __init__(self, out: Path, what: str, resume: CursorFile | None) -> None:
        self.out = out
        self.what = what
        self.lines = resume.lines if resume else 0
        self._handle: IO[bytes]
        if resume is None:
            self._handle = out.open("wb")
            CursorFile.path_for(out).unlink(missing_ok=True)
        else:
            self._handle = self._reopen(out, resume.size)

    @staticmethod
    def _reopen(out: Path, size: int) -> IO[bytes]:
        """``out`` cut back to ``size`` bytes (a page cut short goes), open at its end."""
        try:
            handle = out.open("r+b")
        except FileNotFoundError:
            raise UsageError(f"cannot resume: {out} is missing (its cursor file exists)") from None
        length = handle.seek(0, os.SEEK_END)
        if length < size:
            handle.close()
            raise UsageError(
                f"cannot resume: {out} is shorter ({length} bytes) than its cursor records "
                f"({size} bytes); start again without --resume"
            )
        handle.truncate(size)
        handle.seek(size)
        return handle

    def write_page(self, items: Sequence[Any], cursor: str, count: int | None) -> None:
        """Write and flush the page's lines, then record the cursor after them."""
        self._handle.write(b"".join(to_json_line(item) for item in items))
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.lines += len(items)
        CursorFile(self.what, cursor, self._handle.tell(), self.lines, count).save(self.out)

    def write_line(self, item: Any) -> None:
        self._handle.write(to_json_line(item))
        self.lines += 1

    def close(self) -> None:
        self._handle.close()


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
    state = CursorFile.load(out) if args.resume else None
    if state is not None and state.what != what:
        raise UsageError(
            f"cannot resume: {CursorFile.path_for(out)} belongs to an export of "
            f"{state.what!r}, not {what!r}"
        )
    source = make_client(SourceClient, args)
    async with source:
        pager = _source_pager(source, args, state.cursor if state else None)
        writer = JsonLinesWriter(out, what, state)
        progress = Progress(
            f"export {what}",
            total=state.count if state else None,
            done=writer.lines,
            enabled=not args.no_progress,
        )
        try:
            async for page in pager.pages():
                if progress.total is None and page.count is not None:
                    progress.total = page.count
                writer.write_page(page.items, page.cursor, page.count)
                progress.advance(len(page.items))
        finally:
            writer.close()
            progress.close()
    resumed = f" ({writer.lines - state.lines} added by this run)" if state is not None else ""
    print(f"wrote {writer.lines} lines to {out}{resumed}", flush=True)
    return 0


async def export_retail(args: argparse.Namespace) -> int:
    out = Path(args.out)
    retail = make_client(RetailClient, args)
    async with retail:
        try:
            export = await retail.package_uids.export(args.date)
        except ValueError as exc:  # a malformed or future --date
            raise UsageError(str(exc)) from None
        writer = JsonLinesWriter(out, "retail package-uids", None)
        progress = Progress("export package-uids", enabled=not args.no_progress)
        try:
            async for entry in export.entries():
                writer.write_line(entry)
                progress.advance()
        finally:
            writer.close()
            progress.close()
    print(f"wrote {writer.lines} lines to {out}", flush=True)
    return 0
