"""Reading the Receive Case JSON document, and finding a case's current regulator IDs.

Pure functions, no I/O. The document's full example was cut off in the API's
documentation, so :func:`parse_case` first reshapes the documented variants into the one shape
of :class:`~lucidgreen.push.models.CaseDocument`, then lets the SDK's converter apply its
lenient datetime and string rules. Keys it does not know are left in ``raw`` and never
break parsing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lucidgreen._converter import structure
from lucidgreen.errors import DecodeError

from .models import CaseDocument, CaseRegulatorID

__all__ = ["current_regulator_ids", "parse_case"]

# The typed top-level keys copied as they are; the converter checks their types.
_PLAIN_KEYS = ("uuid", "identifier", "name", "collection_type", "regulator_ids")
# Model field -> the document keys it gathers, plural first (their names are not documented).
_RAW_SECTIONS = {
    "brands": ("brands", "brand"),
    "products": ("products", "product"),
    "batches": ("batches", "batch"),
}
_OLDEST = datetime.min.replace(tzinfo=UTC)

MAX_CASE_DEPTH = 64
"""How deep sub-cases may nest (a case inside a case inside a case...) before the document
is refused with :class:`~lucidgreen.errors.DecodeError`.

An explicit bound, not the interpreter's recursion limit: Python 3.13 no longer fails at the
same depth as 3.11, and a refusal must not depend on the interpreter (or on how much stack
the caller has already used). Real cases nest a few levels (pallet, case, sub-case).
"""


class _MalformedError(ValueError):
    """A documented key holds a shape no reading of the docs allows. Strictly private."""


def parse_case(data: Mapping[str, Any] | bytes | str) -> CaseDocument:
    """The Case JSON document that LucidRetail POSTs, as a :class:`CaseDocument`.

    ``data`` is the raw body (``bytes`` in UTF-8, or ``str``) or an already decoded JSON
    object. ``items`` may hold bare LucidID strings or objects with ``lucid_id`` (or
    ``uuid``) and ``regulator_id_uuids``; both become :class:`CaseDocumentItem`. An object with
    both keys is read by ``lucid_id``.

    Raises :class:`~lucidgreen.errors.DecodeError` (with the raw text) when the body is not
    JSON, not an object, or a documented key holds something no variant allows (an item
    without any ID, a non-date ``added_on``, a regulator ID without ``identifier``).
    """
    document, text = _load(data)
    try:
        reshaped = _reshape_case(document, path="$")
    except _MalformedError as exc:
        raise DecodeError(f"not a valid Case JSON document: {exc}", text=text) from exc
    try:
        return structure(reshaped, CaseDocument, text=text)
    except DecodeError as exc:
        # The converter speaks of responses; here the document is a request to us.
        detail = str(exc).removeprefix("response does not match ")
        raise DecodeError(f"not a valid Case JSON document: {detail}", text=exc.text) from exc


def current_regulator_ids(case: CaseDocument) -> frozenset[str]:
    """The regulator (Metrc) IDs the case's items carry now, per the getting-started rule.

    1. If ``regulator_ids`` has exactly one entry, its ``identifier`` is the answer (even if
       items point elsewhere: the docs make this rule unconditional).
    2. Otherwise each item contributes the ``identifier`` of the newest entry among those
       its ``regulator_id_uuids`` name, and the answer is the set of those identifiers.

    Edge cases, decided so that a documented-looking payload never raises:

    - an item with no ``regulator_id_uuids``, or naming only uuids missing from
      ``regulator_ids``, contributes nothing (unknown uuids are skipped, not fatal);
    - ``added_on`` without a timezone is read as UTC; a missing ``added_on`` is the oldest;
    - on a tie, the entry later in ``regulator_ids`` wins, since that list is chronological;
    - empty identifiers are never returned; no regulator IDs at all gives an empty set;
    - sub-cases (``case.cases``) are not walked: call this on each of them if you need to.

    A set (not a list) because the docs feed the IDs into the POS import as a set; sort it
    for stable output.
    """
    entries = case.regulator_ids
    if len(entries) == 1:
        return frozenset({entries[0].identifier} - {""})
    current: set[str] = set()
    for item in case.items:
        wanted = set(item.regulator_id_uuids)
        candidates = [
            (position, entry)
            for position, entry in enumerate(entries)
            if entry.uuid is not None and entry.uuid in wanted
        ]
        if candidates:
            _, newest = max(candidates, key=_recency)
            current.add(newest.identifier)
    current.discard("")
    return frozenset(current)


def _recency(candidate: tuple[int, CaseRegulatorID]) -> tuple[datetime, int]:
    position, entry = candidate
    added_on = entry.added_on
    if added_on is None:
        return _OLDEST, position
    if added_on.tzinfo is None:
        added_on = added_on.replace(tzinfo=UTC)
    return added_on, position


# --- Reshaping the documented variants ------------------------------------------------------


def _load(data: Mapping[str, Any] | bytes | str) -> tuple[Any, str]:
    """The decoded JSON and the raw text to keep on a :class:`DecodeError`."""
    if isinstance(data, Mapping):
        return data, _as_text(data)
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raw = bytes(data).decode("utf-8", errors="replace")
            raise DecodeError("Case JSON document is not UTF-8 text", text=raw) from exc
    else:
        text = data
    try:
        return json.loads(text), text
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"Case JSON document is not JSON: {exc}", text=text) from exc


def _as_text(document: Mapping[str, Any]) -> str:
    try:
        return json.dumps(document, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):
        return "<document that cannot be shown as JSON>"


def _reshape_case(document: Any, *, path: str, depth: int = 0) -> dict[str, Any]:
    """A JSON object laid out as :class:`CaseDocument`'s fields (``raw`` included).

    ``depth`` counts the cases around this one; past :data:`MAX_CASE_DEPTH` it is refused.
    """
    if depth > MAX_CASE_DEPTH:
        raise _MalformedError(
            f"sub-cases nested more than {MAX_CASE_DEPTH} deep at {path[:120]}..."
        )
    if not isinstance(document, Mapping):
        raise _MalformedError(f"expected a JSON object at {path}, got {_kind(document)}")
    reshaped: dict[str, Any] = {key: document[key] for key in _PLAIN_KEYS if key in document}
    reshaped["items"] = [
        _reshape_item(item, path=f"{path}.items[{index}]")
        for index, item in enumerate(_as_list(document.get("items"), path=f"{path}.items"))
    ]
    reshaped["cases"] = [
        _reshape_sub_case(case, path=f"{path}.cases[{index}]", depth=depth + 1)
        for index, case in enumerate(_as_list(document.get("cases"), path=f"{path}.cases"))
    ]
    for field, keys in _RAW_SECTIONS.items():
        reshaped[field] = [
            _reshape_section_entry(entry, path=f"{path}.{key}")
            for key in keys
            for entry in _section_entries(document.get(key))
        ]
    reshaped["raw"] = dict(document)  # the converter takes only dicts as JSON objects
    return reshaped


def _reshape_item(item: Any, *, path: str) -> dict[str, Any]:
    if isinstance(item, str):  # receive_case.html: "a list of UUIDs"
        return {"lucid_id": item}
    if not isinstance(item, Mapping):
        raise _MalformedError(f"expected a LucidID or an object at {path}, got {_kind(item)}")
    lucid_id = item.get("lucid_id")
    if lucid_id is None:
        lucid_id = item.get("uuid")
    if lucid_id is None:
        raise _MalformedError(f"item at {path} has neither lucid_id nor uuid")
    return {"lucid_id": lucid_id, "regulator_id_uuids": item.get("regulator_id_uuids")}


def _reshape_sub_case(case: Any, *, path: str, depth: int) -> dict[str, Any]:
    if isinstance(case, str):  # a reference to the sub-case, like items' bare UUIDs
        return {"uuid": case, "raw": {"uuid": case}}
    return _reshape_case(case, path=path, depth=depth)


def _reshape_section_entry(entry: Any, *, path: str) -> Mapping[str, Any]:
    if isinstance(entry, str):  # the docs say these sections carry their Lucid Green UUID
        return {"uuid": entry}
    if not isinstance(entry, Mapping):
        raise _MalformedError(f"expected objects or UUIDs in {path}, got {_kind(entry)}")
    return dict(entry)


def _section_entries(value: Any) -> list[Any]:
    """A brand/product/batch section as a list: one object, a list of them, or nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _as_list(value: Any, *, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _MalformedError(f"expected a JSON array at {path}, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else type(value).__name__
