"""The package-UID export file, parsed incrementally (pure: feed bytes, get entries).

The file is one JSON object ``{package_uid: {case_id: [lucid_id, ...]}, ...}`` that can be
hundreds of MB for a big dispensary. Two readers share the work, and memory is bounded by
the largest package (plus one chunk), not the file:

- the fast lane (:mod:`._export_pieces`): the packages a chunk completes, cut at the last
  ``}`` outside strings and read by ``json.loads``, at C speed, while the bytes hold no
  backslash and every piece proves, by counting, to be exactly the expected shape;
- the event reader (:mod:`._export_events`, ijson's yajl2_c tokenizer and a state machine)
  for everything else, from the package boundary where the fast lane stopped to the end:
  escapes, odd bytes, wrong shapes, truncation, the size cap and every error message.

Why pieces and not one ``json.loads`` of the file: the garbage collector rescans what it
has already built, so one 10 MB parse ran at half the speed of the same bytes in 64 KiB
pieces (measured in ``benchmarks/exports.py``).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Final

import attrs

from ..errors import DecodeError
from ._export_events import Cases, EventParser
from ._export_pieces import BOM, WHITESPACE, last_close, marks_of, parse_piece

__all__ = [
    "DEFAULT_MAX_PACKAGE_SIZE",
    "ExportEntry",
    "ExportFileParser",
    "check_package",
]

DEFAULT_MAX_PACKAGE_SIZE: Final = 64 * 2**20
"""The largest single package (its JSON text, in bytes) the parser holds: 64 MiB."""

# The fast lane reads at most this much at a time, whatever the caller's chunk: pieces of
# this size parse fastest (the garbage collector's young generations stay small).
_SLICE: Final = 65536
_EXCERPT = 1000


@attrs.frozen
class ExportEntry:
    """One CaseID of one package UID, with the LucidIDs it holds."""

    package_uid: str
    case_id: str
    lucid_ids: tuple[str, ...]


_new_entry = object.__new__
# Filling the slots directly skips the frozen __init__'s checks: a third of an entry's cost.
_set_uid, _set_case, _set_ids = (
    getattr(ExportEntry, field.name).__set__ for field in attrs.fields(ExportEntry)
)


def _entry(package_uid: str, case_id: str, lucid_ids: tuple[str, ...]) -> ExportEntry:
    entry = _new_entry(ExportEntry)
    _set_uid(entry, package_uid)
    _set_case(entry, case_id)
    _set_ids(entry, lucid_ids)
    return entry


def check_package(package_uid: str, value: Any) -> dict[str, list[str]]:
    """One package's ``{case_id: [lucid_id, ...]}``, or ``DecodeError`` naming what is wrong."""
    if not isinstance(value, dict):
        raise DecodeError(
            f"package {package_uid!r}: expected an object of CaseIDs", text=json.dumps(value)[:1000]
        )
    for case_id, lucid_ids in value.items():
        if not isinstance(lucid_ids, list) or not all(isinstance(i, str) for i in lucid_ids):
            raise DecodeError(
                f"package {package_uid!r}, case {case_id!r}: expected a list of LucidIDs",
                text=json.dumps(lucid_ids)[:1000],
            )
    return value


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a synchronous parse, then as it was.

    A parse builds only new, reachable, acyclic objects, so a collection inside it frees
    nothing, yet each full one rescans everything built so far: ``download()``'s mapping
    (10 MB parsed at 0.7x the speed of ``json.loads`` with the collector on, faster than
    it with it off) and the entries of one large package (16 MB: 1,660 ns an entry with
    it on, 458 off). Only around code that never awaits (no other task runs meanwhile);
    another thread may run, and simply sees no automatic collection for that long. The
    collector is switched back on only if it was on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def entries_of(packages: dict[str, Cases]) -> list[ExportEntry]:
    """Every CaseID of ``packages`` as an entry, in file order."""
    made = []
    for package_uid, cases in packages.items():
        for case_id, ids in cases.items():
            entry = _new_entry(ExportEntry)
            _set_uid(entry, package_uid)
            _set_case(entry, case_id)
            _set_ids(entry, tuple(ids))
            made.append(entry)
    return made


def _add_entries(package_uid: str, cases: Cases, into: list[Any]) -> None:
    into.extend(entries_of({package_uid: cases}))


class ExportFileParser:
    """Feed the file's bytes in chunks; collect the entries each chunk completes.

    ``on_packages`` is called with the packages as they complete, a batch at a time (a
    package listed twice in the file comes twice; ``download()`` merges them, so both
    readers read a file alike); with ``entries=False`` no :class:`ExportEntry` is made and
    :meth:`feed` returns an empty list.

    ``chars_scanned`` and ``chars_decoded`` count the bytes read, each once: each is the
    file's length at most, whatever the chunking (the parse is linear).
    """

    def __init__(
        self,
        *,
        max_package_size: int = DEFAULT_MAX_PACKAGE_SIZE,
        on_packages: Callable[[dict[str, Cases]], None] | None = None,
        entries: bool = True,
    ) -> None:
        self._max_package_size = max_package_size
        self._on_packages = on_packages
        self._make_entries = entries
        self._reader: EventParser | None = None  # once the fast lane has handed over
        self._opened = False  # the file's "{" was seen
        self._first = True  # no piece read yet: the next one starts at the file's start
        self._done = False  # a piece closed the file
        self._head = ""  # the file's beginning, for error excerpts
        self._offset = 0  # the bytes read into packages, before the pending ones
        self._hold_reset()

    @property
    def chars_scanned(self) -> int:
        if self._reader is not None:
            return self._reader.chars_scanned
        return self._offset + self._pending

    @property
    def chars_decoded(self) -> int:
        return self.chars_scanned

    def feed(self, chunk: bytes) -> list[ExportEntry]:
        with collector_paused():  # no await inside: no other task runs meanwhile
            return self._feed(chunk)

    def _feed(self, chunk: bytes) -> list[ExportEntry]:
        entries: list[ExportEntry] = []
        for start in range(0, len(chunk), _SLICE):
            reader = self._reader
            if reader is not None:  # handed over: the reader takes the rest as it is
                return entries + reader.feed(chunk[start:])
            self._take(bytes(chunk[start : start + _SLICE]), entries)
        return entries

    def close(self) -> None:
        """The file ended: anything but a complete top-level object is a ``DecodeError``."""
        reader = self._reader
        if reader is None:
            if self._done:
                return
            reader = self._hand_over(b"", [])
        reader.close()

    # -- the fast lane --------------------------------------------------------------------------

    def _take(self, chunk: bytes, entries: list[ExportEntry]) -> None:
        if self._done:
            if chunk.strip(WHITESPACE):
                self._hand_over(chunk, entries)  # data after the end: the reader's error
            else:
                self._offset += len(chunk)
            return
        if (not self._opened and not self._open(chunk)) or self._reader is not None:
            return
        if b"\\" in chunk:
            self._hand_over(chunk, entries)
            return
        marks = marks_of(chunk)
        close = last_close(chunk, marks, self._quotes)
        if close is None:
            self._hand_over(chunk, entries)
        elif close[0] < 0:
            self._hold(chunk, marks, entries)
        else:
            self._read_piece(chunk, marks, close, entries)

    def _open(self, chunk: bytes) -> bool:
        """Whether the file's ``{`` is in the bytes so far; if they cannot lead to one, the
        reader takes them (and names the error)."""
        lead = b"".join([*self._parts, chunk])
        cut_short = len(lead) < len(BOM) and BOM.startswith(lead)  # a byte-order mark, perhaps
        rest = b"" if cut_short else lead.removeprefix(BOM).lstrip(WHITESPACE)
        if not rest:
            self._parts.append(chunk)
            self._pending += len(chunk)
            return False
        if rest[:1] != b"{":
            self._hand_over(chunk, [])
            return False
        self._opened = True
        self._head = rest[:_EXCERPT].decode("utf-8", errors="replace")
        return True

    def _read_piece(
        self, chunk: bytes, marks: bytes, close: tuple[int, int], entries: list[ExportEntry]
    ) -> None:
        end, marks_end = close[0] + 1, close[1] + 1
        piece = b"".join([*self._parts, chunk[:end]])
        parsed = None
        if len(piece) <= self._max_package_size:
            parsed = parse_piece(
                piece, b"".join([*self._marks, marks[:marks_end]]), first=self._first
            )
        if parsed is None:
            self._hand_over(chunk, entries)
            return
        packages, self._done = parsed
        self._offset += len(piece)
        self._first = False
        self._hold_reset()
        if self._on_packages is not None:
            self._on_packages(packages)
        if self._make_entries:
            entries += entries_of(packages)
        if end < len(chunk):
            tail = chunk[end:]
            if self._done:
                self._take(tail, entries)
            else:
                self._hold(tail, marks[marks_end:], entries)

    def _hold(self, data: bytes, marks: bytes, entries: list[ExportEntry]) -> None:
        """Keep bytes of a package not yet complete, while they can still be one."""
        self._parts.append(data)
        self._marks.append(marks)
        self._pending += len(data)
        self._quotes += marks.count(b'"')
        self._opens += marks.count(b"{")
        self._lists += marks.count(b"[") - marks.count(b"]")
        # Past one package's "{" (and the file's) or one open list, it is nesting, or a
        # bracket inside a string: the reader refuses the one at once and reads the other.
        nested = self._opens > (2 if self._first else 1) or not 0 <= self._lists <= 1
        if nested or self._pending > self._max_package_size:
            self._hand_over(b"", entries)

    def _hold_reset(self) -> None:
        self._parts: list[bytes] = []
        self._marks: list[bytes] = []
        self._pending = 0
        self._quotes = self._opens = self._lists = 0

    def _hand_over(self, chunk: bytes, entries: list[ExportEntry]) -> EventParser:
        """The event reader takes the file from the last package boundary on."""
        deliver = self._on_packages
        reader = EventParser(
            max_package_size=self._max_package_size,
            on_package=None if deliver is None else partial(_one_package, deliver),
            make_entries=_add_entries if self._make_entries else None,
        )
        if not self._first:
            reader.resume(self._offset, self._head, done=self._done)
        held = b"".join([*self._parts, chunk])
        self._hold_reset()
        self._reader = reader
        entries += reader.feed(held)
        return reader


def _one_package(
    deliver: Callable[[dict[str, Cases]], None], package_uid: str, cases: Cases
) -> None:
    deliver({package_uid: cases})
