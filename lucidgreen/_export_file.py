"""The package-UID export file, parsed incrementally (pure: feed text, get entries).

The file is one JSON object ``{package_uid: {case_id: [lucid_id, ...]}, ...}`` that can be
large for a big dispensary. :class:`ExportFileParser` walks the top level itself and
decodes one package at a time, so memory is bounded by the largest package, not the file.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

import attrs

from .errors import DecodeError

__all__ = ["ExportEntry", "ExportFileParser", "check_package"]

_WHITESPACE = " \t\n\r"


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


class ExportFileParser:
    """Feed the file's bytes in chunks; collect the entries each chunk completes."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._decoder = json.JSONDecoder()
        self._state = "start"
        self._key: str | None = None
        self._consumed = 0

    def feed(self, chunk: bytes) -> list[ExportEntry]:
        self._buffer += self._utf8(chunk)
        entries: list[ExportEntry] = []
        while self._step(entries):
            pass
        return entries

    def close(self) -> None:
        """The file ended: anything but a complete top-level object is a ``DecodeError``."""
        self._buffer += self._utf8(b"", final=True)
        if self._state != "done" or self._buffer.strip(_WHITESPACE):
            raise DecodeError(
                f"the export file is truncated or malformed near byte {self._consumed}",
                text=self._buffer[:1000],
            )

    def _utf8(self, chunk: bytes, *, final: bool = False) -> str:
        try:
            return self._text.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the export file is not UTF-8 near byte {self._consumed + len(self._buffer)}",
                text=self._buffer[:1000] + chunk.decode("utf-8", errors="replace")[:1000],
            ) from exc

    def _skip_whitespace(self) -> bool:
        stripped = self._buffer.lstrip(_WHITESPACE)
        self._consumed += len(self._buffer) - len(stripped)
        self._buffer = stripped
        return bool(stripped)

    def _take(self, count: int) -> None:
        self._buffer = self._buffer[count:]
        self._consumed += count

    def _expect(self, allowed: str) -> str:
        char = self._buffer[0]
        if char not in allowed:
            raise DecodeError(
                f"the export file is malformed at byte {self._consumed}: expected one of "
                f"{allowed!r}, got {char!r}",
                text=self._buffer[:1000],
            )
        self._take(1)
        return char

    def _decode(self) -> Any | None:
        """The next complete JSON value, or None when more input is needed."""
        try:
            value, end = self._decoder.raw_decode(self._buffer)
        except json.JSONDecodeError:
            return None  # incomplete (or malformed: close() will say so)
        self._take(end)
        return value

    def _step(self, entries: list[ExportEntry]) -> bool:
        """Advance by one token; False when more input is needed or the object ended."""
        if self._state == "done" or not self._skip_whitespace():
            return False
        if self._state == "start":
            self._expect("{")
            self._state = "key_or_end"
        elif self._state in ("key_or_end", "key"):
            if self._state == "key_or_end" and self._buffer[0] == "}":
                self._take(1)
                self._state = "done"
                return False
            if self._buffer[0] != '"':
                self._expect('"')
            key = self._decode()
            if key is None:
                return False
            self._key, self._state = key, "colon"
        elif self._state == "colon":
            self._expect(":")
            self._state = "value"
        elif self._state == "value":
            value = self._decode()
            if value is None:
                return False
            package_uid = self._key or ""
            for case_id, lucid_ids in check_package(package_uid, value).items():
                entries.append(ExportEntry(package_uid, case_id, tuple(lucid_ids)))
            self._state = "comma_or_end"
        elif self._expect(",}") == ",":
            self._state = "key"
        else:
            self._state = "done"
            return False
        return True
