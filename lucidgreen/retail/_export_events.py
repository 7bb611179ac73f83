"""The export file's exact reader: ijson's yajl2_c events through a small state machine.

:class:`ExportFileParser` hands the file to this reader for anything its fast lane (plain
``json.loads`` of whole packages) is not sure of: escapes, odd bytes, wrong shapes, errors.
It reads each byte once and holds one package at most, and it can start mid-file, right
after a package or after the end, so the fast lane can hand over at any package boundary
and the result is the one this reader would have given for the whole file.

Why ``basic_parse`` events and not ``ijson.kvitems``: kvitems keeps the full path of every
open container, so its memory grows with the *square* of the nesting depth (20 KB of ``[``
took 250 MB), and it was half as fast here. The events need no path: the only valid depth
is three (file, package, LucidID list), and anything deeper is refused at the first event.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any, Final

import ijson

from ..errors import DecodeError

__all__ = ["Cases", "EventParser", "MakeEntries"]

# The tokenizer is fed at most this much at a time, whatever the caller's chunk: it bounds
# the events held at once and how far past max_package_size a package can grow unseen.
_SLICE: Final = 65536
_WHITESPACE = b" \t\n\r"
_EXCERPT = 1000

Cases = dict[str, list[str]]
# (package_uid, cases, into): append the package's entries to ``into``.
MakeEntries = Callable[[str, Cases, list[Any]], None]


def _first_line(exc: Exception) -> str:
    """yajl's message without the context lines it draws under it."""
    text = str(exc.args[0] if exc.args else exc)
    if text.startswith(("b'", 'b"')):  # ijson passes some messages on as bytes
        text = text[2:-1]
    return text.split("\\n" if "\\n" in text else "\n", 1)[0]


class EventParser:
    """Feed the file's bytes in chunks; collect the entries each chunk completes.

    ``on_package`` is called with each package as it completes; ``make_entries`` appends a
    completed package's entries to the list :meth:`feed` returns (none without it).

    ``chars_scanned`` and ``chars_decoded`` count the bytes given to the tokenizer, which
    reads each byte once and builds the values in the same pass: each is the file's length
    at most, whatever the chunking (the parse is linear).
    """

    def __init__(
        self,
        *,
        max_package_size: int,
        on_package: Callable[[str, Cases], None] | None = None,
        make_entries: MakeEntries | None = None,
    ) -> None:
        self._max_package_size = max_package_size
        self._on_package = on_package
        self._make_entries = make_entries
        self._events: list[tuple[str, Any]] = ijson.sendable_list()
        self._tokens = ijson.basic_parse_coro(self._events)
        self._lead = b""  # the file's first bytes while a byte-order mark may be split
        self._bom_checked = False
        self._started = False  # the opening brace was seen
        self._done = False  # ... and the closing one
        self._bytes = 0
        self._pending = 0  # bytes fed since a package last completed
        self._head = ""  # the file's beginning, for error excerpts
        # The state machine: depth 1 in the file, 2 in a package, 3 in a LucidID list.
        self._depth = 0
        self._package_uid = ""
        self._cases: Cases = {}
        self._case_id = ""
        self._ids: list[str] | None = None  # the open LucidID list, None outside one
        self._steps = (self._at_start, self._in_file, self._in_package, self._in_list)

    @property
    def chars_scanned(self) -> int:
        return self._bytes

    @property
    def chars_decoded(self) -> int:
        return self._bytes

    def feed(self, chunk: bytes) -> list[Any]:
        entries: list[Any] = []
        if not self._started:
            chunk = self._opening(chunk)
        if len(chunk) <= _SLICE:
            if chunk:
                self._send(chunk, entries)
            return entries
        view = memoryview(chunk)
        for start in range(0, len(chunk), _SLICE):
            self._send(view[start : start + _SLICE], entries)
        return entries

    def resume(self, offset: int, head: str, *, done: bool) -> None:
        """Start mid-file, ``offset`` bytes in: after a package (or after the end, ``done``).

        The tokenizer is brought to the same state with a stand-in prefix whose package is
        neither reported nor counted; ``head`` is the file's beginning, for error excerpts.
        """
        on_package, self._on_package = self._on_package, None
        self._send(b"{}" if done else b'{"":{}', [])
        self._on_package = on_package
        self._bom_checked = self._started = True
        self._bytes, self._pending, self._head = offset, 0, head

    def close(self) -> None:
        """The file ended: anything but a complete top-level object is a ``DecodeError``."""
        if not self._started:
            raise self._truncated("no JSON object")
        try:
            self._tokens.close()
        except (ijson.JSONError, ValueError) as exc:
            raise self._truncated(_first_line(exc)) from exc
        self._consume([])
        if not self._done:
            raise self._truncated("the file ends inside its object")

    # -- the opening: a byte-order mark, whitespace, then ``{`` ---------------------------------

    def _opening(self, chunk: bytes | memoryview) -> bytes:
        """What follows the file's opening whitespace once ``{`` is seen, else ``b""``."""
        lead = self._lead + bytes(chunk)
        if not self._bom_checked:
            if len(lead) < len(codecs.BOM_UTF8) and codecs.BOM_UTF8.startswith(lead):
                self._lead = lead  # perhaps a byte-order mark cut short: wait for the rest
                return b""
            # A byte-order mark is read past, as json.loads does for bytes (and utf-8-sig).
            self._bom_checked = True
            self._bytes += len(lead)
            lead = lead.removeprefix(codecs.BOM_UTF8)
            self._bytes -= len(lead)
        self._lead = b""
        rest = lead.lstrip(_WHITESPACE)
        self._bytes += len(lead) - len(rest)
        if not rest:
            return b""  # whitespace is insignificant: nothing to keep
        self._head = rest[:_EXCERPT].decode("utf-8", errors="replace")
        if rest[:1] != b"{":
            got = rest[:4].decode("utf-8", errors="replace")[:1]
            raise DecodeError(
                f"the export file is malformed at byte {self._bytes:,}: "
                f"expected one of '{{', got {got!r}",
                text=self._head,
            )
        self._started = True
        return rest

    # -- feeding the tokenizer ------------------------------------------------------------------

    def _send(self, piece: bytes | memoryview, entries: list[Any]) -> None:
        try:
            self._tokens.send(piece)
        except (ijson.JSONError, ValueError) as exc:  # yajl2_c: bad escapes are ValueErrors
            self._consume(entries)  # a shape error before the syntax error is the clearer one
            raise self._syntax_error(exc) from exc
        self._bytes += len(piece)
        if self._consume(entries):
            self._pending = 0
            return
        self._pending += len(piece)
        if self._pending > self._max_package_size:
            raise DecodeError(
                f"a package of the export file is larger than max_package_size "
                f"({self._max_package_size:,} bytes)",
                text=self._head,
            )

    def _consume(self, entries: list[Any]) -> bool:
        """Run the state machine over the events; True when a package completed.

        The events of a CaseID (its key, its list, the LucidIDs, the list's end) are nearly
        all of any file: they are handled here with the state in locals; the rest (a
        package's start and end, the file's, and every error) goes through ``_steps``.
        """
        completed = False
        ids, cases, case_id, depth = self._ids, self._cases, self._case_id, self._depth
        for event, value in self._events:
            if ids is not None and event == "string":
                ids.append(value)
            elif ids is not None and event == "end_array":
                # A CaseID listed twice in a package keeps its last list, as json.loads does.
                cases[case_id] = ids
                ids, depth = None, 2
            elif depth == 2 and event == "map_key":
                case_id = value
            elif depth == 2 and event == "start_array":
                ids, depth = [], 3
            else:
                self._ids, self._case_id, self._depth = ids, case_id, depth
                completed = self._steps[depth](event, value, entries) or completed
                ids, cases, case_id, depth = self._ids, self._cases, self._case_id, self._depth
        self._ids, self._case_id, self._depth = ids, case_id, depth
        del self._events[:]
        return completed

    # -- the states: each answers whether a package just completed ------------------------------

    def _at_start(self, event: str, value: Any, entries: list[Any]) -> bool:
        if event != "start_map":  # unreachable after _opening's check; kept as a guard
            raise self._malformed(f"expected an object, got {event}")
        self._depth = 1
        return False

    def _in_file(self, event: str, value: Any, entries: list[Any]) -> bool:
        if event == "map_key":
            self._package_uid = value
        elif event == "start_map":
            self._cases, self._depth = {}, 2
        elif event == "end_map":
            self._done, self._depth = True, 0
        else:
            raise self._malformed(f"package {self._package_uid!r}: expected an object of CaseIDs")
        return False

    def _in_package(self, event: str, value: Any, entries: list[Any]) -> bool:
        if event == "map_key":
            self._case_id = value
        elif event == "start_array":
            self._ids, self._depth = [], 3
        elif event == "end_map":
            self._depth = 1
            self._complete(entries)
            return True
        else:
            raise self._malformed(self._bad_list())
        return False

    def _in_list(self, event: str, value: Any, entries: list[Any]) -> bool:
        # Strings and the list's end never get here: _consume handles them.
        raise self._malformed(self._bad_list())

    def _complete(self, entries: list[Any]) -> None:
        package_uid, cases = self._package_uid, self._cases
        if self._on_package is not None:
            self._on_package(package_uid, cases)
        if self._make_entries is not None:
            self._make_entries(package_uid, cases, entries)

    # -- errors ---------------------------------------------------------------------------------

    def _bad_list(self) -> str:
        return f"package {self._package_uid!r}, case {self._case_id!r}: expected a list of LucidIDs"

    def _malformed(self, what: str) -> DecodeError:
        return DecodeError(
            f"the export file is malformed near byte {self._bytes:,}: {what}",
            text=self._head,
        )

    def _syntax_error(self, exc: Exception) -> DecodeError:
        if self._done:
            return DecodeError(
                f"the export file has data after its end, near byte {self._bytes:,}",
                text=self._head,
            )
        return DecodeError(
            f"the export file is malformed near byte {self._bytes:,}: {_first_line(exc)}",
            text=self._head,
        )

    def _truncated(self, why: str) -> DecodeError:
        return DecodeError(
            f"the export file is truncated or malformed near byte {self._bytes:,}: {why}",
            text=self._head,
        )
