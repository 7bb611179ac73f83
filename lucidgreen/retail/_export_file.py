"""The package-UID export file, parsed incrementally (pure: feed text, get entries).

The file is one JSON object ``{package_uid: {case_id: [lucid_id, ...]}, ...}`` that can be
large for a big dispensary. :class:`ExportFileParser` walks the top level itself and
decodes one package at a time, so memory is bounded by the largest package, not the file.

The parse is linear: each character is scanned once to find where a key or package ends
(however many chunks it spans), then the complete text is decoded once by ``json``. Nothing
is re-parsed when a chunk arrives, and a package larger than ``max_package_size``
characters is a ``DecodeError`` rather than unbounded memory.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from ..errors import DecodeError

__all__ = [
    "DEFAULT_MAX_PACKAGE_SIZE",
    "ExportEntry",
    "ExportFileParser",
    "check_package",
]

DEFAULT_MAX_PACKAGE_SIZE: Final = 64 * 2**20
"""The largest single package (its JSON text, in characters) the parser holds: 64 Mi."""

_WHITESPACE = " \t\n\r"
_SKIP_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Out of a string, the next token that can change the nesting: a whole string or a whole
# flat array of strings (a package's LucidID list, skipped in one step: the common case),
# else one structural character (a lone quote opens a string that goes on past this chunk).
# Possessive quantifiers: a failed match never backtracks, so each attempt is linear.
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_TOKEN = re.compile(rf'\[(?:[^\[\]{{}}"]++|{_STRING})*+\]|{_STRING}|[{{}}\[\]"]')
_STRING_BODY = re.compile(r'[^"\\]*')


@attrs.frozen
class ExportEntry:
    """One CaseID of one package UID, with the LucidIDs it holds."""

    package_uid: str
    case_id: str
    lucid_ids: tuple[str, ...]


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


class _Scanner:
    """Finds where one JSON string, object or array ends, looking at each character once,
    across as many pieces of text as it takes (state carries over between calls)."""

    __slots__ = ("depth", "escaped", "in_string")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def end_in(self, text: str, start: int) -> int | None:
        """The index just past the value's end in ``text``, or None when it goes on."""
        pos, size = start, len(text)
        while pos < size:
            if self.in_string:
                pos = self._string_end(text, pos)
                if pos < 0:
                    return None
                if self.depth == 0:
                    return pos
                continue
            found = _TOKEN.search(text, pos)
            if found is None:
                return None
            first, pos = found.start(), found.end()
            if pos - first > 1:  # a whole string or flat array: the nesting is unchanged
                if self.depth == 0:
                    return pos
                continue
            char = text[first]
            if char == '"':
                self.in_string = True
                continue
            self.depth += 1 if char in "{[" else -1
            if self.depth <= 0:
                return pos
        return None

    def _string_end(self, text: str, pos: int) -> int:
        """Past the closing quote of the string ``pos`` is in, or -1 when it goes on."""
        size = len(text)
        while pos < size:
            if self.escaped:  # the character after a backslash is never structural
                self.escaped = False
                pos += 1
                continue
            match = _STRING_BODY.match(text, pos)
            pos = (match.end() if match else pos) + 1
            if pos > size:
                return -1
            if text[pos - 1] == '"':
                self.in_string = False
                return pos
            self.escaped = True
        return -1


class ExportFileParser:
    """Feed the file's bytes in chunks; collect the entries each chunk completes.

    ``on_package`` is called with each package as it completes (``download()`` builds the
    whole mapping from it, so both readers read a file alike).

    ``chars_scanned`` and ``chars_decoded`` count the work done: each is at most the
    file's length, whatever the chunking (the parse is linear).
    """

    def __init__(
        self,
        *,
        max_package_size: int = DEFAULT_MAX_PACKAGE_SIZE,
        on_package: Callable[[str, dict[str, list[str]]], None] | None = None,
    ) -> None:
        # utf-8-sig: a byte-order mark at the start is read past, as json.loads does.
        self._text = codecs.getincrementaldecoder("utf-8-sig")()
        self._max_package_size = max_package_size
        self._on_package = on_package
        self._buffer = ""
        self._pos = 0
        self._consumed = 0  # characters before self._buffer[0]
        self._scanner: _Scanner | None = None  # a key or package in progress
        self._pieces: list[str] = []  # its text from earlier chunks
        self._pending = 0
        self._state = "start"
        self._key: str | None = None
        self.chars_scanned = 0
        self.chars_decoded = 0

    def feed(self, chunk: bytes) -> list[ExportEntry]:
        return self._advance(self._utf8(chunk))

    def _advance(self, text: str) -> list[ExportEntry]:
        # Nothing is left over between feeds but the end of the file (trailing whitespace).
        self._consumed += self._pos
        self._buffer = self._buffer[self._pos :] + text
        self._pos = 0
        entries: list[ExportEntry] = []
        while self._step(entries):
            pass
        if self._state == "done" and self._buffer[self._pos :].strip(_WHITESPACE):
            raise DecodeError(
                f"the export file has data after its end, at character {self._offset()}",
                text=self._buffer[self._pos : self._pos + 1000],
            )
        return entries

    def close(self) -> None:
        """The file ended: anything but a complete top-level object is a ``DecodeError``."""
        self._advance(self._utf8(b"", final=True))
        rest = self._buffer[self._pos :]
        if self._state != "done" or self._scanner is not None or rest.strip(_WHITESPACE):
            excerpt = self._pieces[0][:1000] if self._pieces else rest[:1000]
            raise DecodeError(
                f"the export file is truncated or malformed near character {self._offset()}",
                text=excerpt,
            )

    def _offset(self) -> int:
        return self._consumed + self._pos + self._pending

    def _utf8(self, chunk: bytes, *, final: bool = False) -> str:
        try:
            return self._text.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the export file is not UTF-8 near character {self._offset()}",
                text=chunk.decode("utf-8", errors="replace")[:1000],
            ) from exc

    def _malformed(self, expected: str) -> DecodeError:
        got = self._buffer[self._pos]
        return DecodeError(
            f"the export file is malformed at character {self._offset()}: expected one of "
            f"{expected!r}, got {got!r}",
            text=self._buffer[self._pos : self._pos + 1000],
        )

    def _expect(self, allowed: str) -> str:
        char = self._buffer[self._pos]
        if char not in allowed:
            raise self._malformed(allowed)
        self._pos += 1
        return char

    def _token(self) -> str | None:
        """The key or package starting at the position (or begun in an earlier chunk), or
        None when it goes on past this chunk."""
        scanner = self._scanner = self._scanner or _Scanner()
        start = self._pos
        end = scanner.end_in(self._buffer, start)
        self.chars_scanned += (len(self._buffer) if end is None else end) - start
        if end is None:
            piece = self._buffer[start:]
            self._pieces.append(piece)
            self._pending += len(piece)
            self._consumed += len(self._buffer)
            self._buffer, self._pos = "", 0
            if self._pending > self._max_package_size:
                raise DecodeError(
                    f"a package of the export file is larger than max_package_size "
                    f"({self._max_package_size:,} characters)",
                    text=self._pieces[0][:1000],
                )
            return None
        tail = self._buffer[start:end]
        token = "".join([*self._pieces, tail]) if self._pieces else tail
        self._consumed += self._pending
        self._scanner, self._pieces, self._pending = None, [], 0
        self._pos = end
        return token

    def _decode(self, token: str) -> Any:
        self.chars_decoded += len(token)
        try:
            return json.loads(token)
        except (ValueError, RecursionError) as exc:
            raise DecodeError(
                f"the export file is malformed before character {self._offset()}: {exc}",
                text=token[:1000],
            ) from exc

    def _step(self, entries: list[ExportEntry]) -> bool:
        """Advance by one token; False when more input is needed or the object ended."""
        if self._scanner is None:  # between tokens: whitespace is insignificant
            match = _SKIP_WHITESPACE.match(self._buffer, self._pos)
            self._pos = match.end() if match else self._pos
        if self._state == "done" or self._pos >= len(self._buffer):
            return False
        if self._state == "start":
            self._expect("{")
            self._state = "key_or_end"
        elif self._state in ("key_or_end", "key"):
            return self._key_step()
        elif self._state == "colon":
            self._expect(":")
            self._state = "value"
        elif self._state == "value":
            return self._value_step(entries)
        elif self._expect(",}") == ",":
            self._state = "key"
        else:
            self._state = "done"
            return False
        return True

    def _key_step(self) -> bool:
        if self._scanner is None:
            if self._state == "key_or_end" and self._buffer[self._pos] == "}":
                self._pos += 1
                self._state = "done"
                return False
            if self._buffer[self._pos] != '"':
                raise self._malformed('"')
        token = self._token()
        if token is None:
            return False
        self._key, self._state = str(self._decode(token)), "colon"
        return True

    def _value_step(self, entries: list[ExportEntry]) -> bool:
        if self._scanner is None and self._buffer[self._pos] not in "{[":
            raise DecodeError(
                f"package {self._key!r}: expected an object of CaseIDs",
                text=self._buffer[self._pos : self._pos + 1000],
            )
        token = self._token()
        if token is None:
            return False
        package_uid = self._key or ""
        cases = check_package(package_uid, self._decode(token))
        if self._on_package is not None:
            self._on_package(package_uid, cases)
        for case_id, lucid_ids in cases.items():
            entries.append(ExportEntry(package_uid, case_id, tuple(lucid_ids)))
        self._state = "comma_or_end"
        return True
