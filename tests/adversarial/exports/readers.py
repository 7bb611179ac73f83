"""The two export readers side by side, for tests that hold the fast lane to the event
reader: each gives the entries it read, or ``"DecodeError"``. And :func:`read_export`, an
export read to its end the way a caller chooses."""

from __future__ import annotations

import itertools
from typing import Any

from lucidgreen import DecodeError
from lucidgreen.retail._export_events import EventParser
from lucidgreen.retail._export_file import (
    DEFAULT_MAX_PACKAGE_SIZE,
    ExportEntry,
    ExportFileParser,
    _add_entries,
)

Outcome = list[ExportEntry] | str


def fast(chunks: list[bytes]) -> tuple[Outcome, bool]:
    """The whole parser fed ``chunks``: its outcome, and whether the fast lane read it all."""
    parser = ExportFileParser()
    found: list[ExportEntry] = []
    try:
        for chunk in chunks:
            found += parser.feed(chunk)
        parser.close()
    except DecodeError:
        return "DecodeError", parser._reader is None
    return found, parser._reader is None


def events_only(raw: bytes) -> Outcome:
    """The event reader alone, on the whole file."""
    reader = EventParser(max_package_size=DEFAULT_MAX_PACKAGE_SIZE, make_entries=_add_entries)
    try:
        found = reader.feed(raw)
        reader.close()
    except DecodeError:
        return "DecodeError"
    return found


def cut(raw: bytes, cuts: list[int]) -> list[bytes]:
    """``raw`` split at ``cuts`` (taken modulo its length), in order."""
    points = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    return [raw[a:b] for a, b in itertools.pairwise(points)]


READS = ["download", "entries"]


async def read_export(export: Any, read: str) -> None:
    """``export`` read to its end by ``read``: ``"download"`` (all at once) or
    ``"entries"`` (streamed)."""
    if read == "download":
        await export.download()
        return
    async for _ in export.entries():
        pass
