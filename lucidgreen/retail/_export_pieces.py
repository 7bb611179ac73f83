"""The export file's fast lane, pure: whole packages cut from the bytes and read by ``json.loads``.

A package of the file is ``"uid":{"case":["id",...],...}``: once the bytes hold no
backslash, a string is a quote, anything but a quote, a quote, so the parity of the quotes
before a ``}`` says whether it is inside a string, and the last ``}`` outside one closes a
package (or the file). The bytes up to it are whole packages: wrapped in braces they are
one JSON object, and ``json.loads`` (C) reads it at several times the speed of an event
stream. A piece is accepted only when counting proves it holds exactly the shape the
event reader accepts, with nothing it would read otherwise:

- ``{`` occurs once per package read: no package listed twice (``json.loads`` would keep
  only the last) and no brace inside a string or a nested object;
- ``[`` occurs once per CaseID read: no CaseID listed twice in a package, no nested list;
- ``"`` occurs twice per string the shape has (package UIDs, CaseIDs, LucidIDs): every
  LucidID is a string, not a number, ``true`` or ``null``.

Anything else (``None`` from :func:`parse_piece`) goes to the event reader, which gives the
file's answer or its exact error.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ._export_events import Cases

__all__ = ["BOM", "WHITESPACE", "last_close", "marks_of", "parse_piece"]

BOM: Final = b"\xef\xbb\xbf"
WHITESPACE: Final = b" \t\n\r"
_TEXT_WHITESPACE: Final = " \t\n\r"
_NOT_MARKS: Final = bytes(b for b in range(256) if b not in b'{}[]"')
_TRIES: Final = 3  # a "}" inside a string is rare: past a few, the event reader decides


def marks_of(chunk: bytes) -> bytes:
    """The chunk's ``{ } [ ] "`` in order, all else dropped: one C pass, then every count
    and search runs on these few bytes."""
    return chunk.translate(None, _NOT_MARKS)


def last_close(chunk: bytes, marks: bytes, quotes_before: int) -> tuple[int, int] | None:
    """Where the last ``}`` outside strings is, in ``chunk`` and in its ``marks``, ``(-1,
    -1)`` if there is none, or ``None`` when unsure (several ``}`` inside strings at the end).

    ``quotes_before`` counts the quotes before ``chunk`` since a point outside any string;
    ``chunk`` holds no backslash.
    """
    at, in_marks = len(chunk), len(marks)
    for _ in range(_TRIES):
        at, in_marks = chunk.rfind(b"}", 0, at), marks.rfind(b"}", 0, in_marks)
        if at < 0 or (quotes_before + marks.count(b'"', 0, in_marks)) % 2 == 0:
            return at, in_marks
    return None


def parse_piece(piece: bytes, marks: bytes, *, first: bool) -> tuple[dict[str, Cases], bool] | None:
    """The packages of ``piece`` and whether it ends the file, or ``None`` when unsure.

    ``piece`` runs from a package boundary (the file's start when ``first``) to a ``}``
    outside strings and holds no backslash; ``marks`` are its :func:`marks_of`.
    """
    try:
        text = piece.decode()
    except UnicodeDecodeError:
        return None
    if first:
        text = text.removeprefix("\ufeff")  # a byte-order mark, read past as the reader does
    text = text.lstrip(_TEXT_WHITESPACE)
    if not first and text == "}":
        return {}, True  # the file's closing brace alone
    if not text.startswith("{" if first else ","):
        return None
    parsed = _packages(text[1:], marks, first=first)
    if parsed is None or not _exactly_the_shape(parsed[0], marks, first=first):
        return None
    return parsed


def _packages(body: str, marks: bytes, *, first: bool) -> tuple[Any, bool] | None:
    """``body`` (the piece past its lead) as members, or as members and the file's end.

    The marks say which (one ``}`` more than the packages' ``{`` closes the file); a brace
    inside a string can mislead them, and then the first reading fails and the other is tried.
    """
    ends_file = marks.count(b"}") == marks.count(b"{") + (0 if first else 1)
    for final in (ends_file, not ends_file):
        members = body[:-1] if final else body
        if final and not first and not members.strip(_TEXT_WHITESPACE):
            continue  # ",}": a trailing comma, the event reader's error to name
        try:
            return json.loads("{" + members + "}"), final
        except (ValueError, RecursionError):
            continue
    return None


def _exactly_the_shape(packages: Any, marks: bytes, *, first: bool) -> bool:
    if type(packages) is not dict:
        return False
    cases = lucid_ids = 0
    for package in packages.values():
        if type(package) is not dict:
            return False
        for ids in package.values():
            if type(ids) is not list:
                return False
            lucid_ids += len(ids)
        cases += len(package)
    strings = len(packages) + cases + lucid_ids
    return (
        marks.count(b"{") == len(packages) + first  # the file's own brace
        and marks.count(b"[") == cases
        and marks.count(b'"') == 2 * strings
    )
