"""Pure pagination logic: where the next page is, resume cursors, and page plans.

No I/O and no clock: :mod:`lucidgreen._pager` does the fetching.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from .errors import DecodeError

__all__ = [
    "Cursor",
    "decode_cursor",
    "encode_cursor",
    "page_number",
    "planned_page_urls",
    "query_path",
    "rebase",
    "with_page",
]

_CURSOR_VERSION = 1


@attrs.frozen
class Cursor:
    """A position in a list: the next page to fetch (``None``: the list is finished).

    ``next_path`` is a path with its query (the origin is always the client's own), so a
    cursor saved by one process resumes in another with other credentials or host names.
    ``skip`` items of that page were already delivered (a ``limit`` stopped inside it).
    """

    endpoint: str
    next_path: str | None
    count: int | None
    yielded: int
    skip: int = 0


def encode_cursor(cursor: Cursor) -> str:
    payload = {
        "v": _CURSOR_VERSION,
        "e": cursor.endpoint,
        "n": cursor.next_path,
        "c": cursor.count,
        "y": cursor.yielded,
        "s": cursor.skip,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, *, endpoint: str) -> Cursor:
    """The cursor in ``text``, checked to belong to ``endpoint``; ``ValueError`` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not a lucidgreen pagination cursor: {text[:40]!r}") from exc
    if not isinstance(payload, dict) or payload.get("v") != _CURSOR_VERSION:
        raise ValueError("not a lucidgreen pagination cursor (unknown version)")
    next_path, count, yielded = payload.get("n"), payload.get("c"), payload.get("y")
    skip = payload.get("s", 0)
    if payload.get("e") != endpoint:
        raise ValueError(f"this cursor belongs to {payload.get('e')!r}, not to {endpoint!r}")
    if (
        (
            next_path is not None
            and not (isinstance(next_path, str) and next_path.startswith(endpoint))
        )
        or (count is not None and not isinstance(count, int))
        or not isinstance(yielded, int)
        or not isinstance(skip, int)
        or skip < 0
    ):
        raise ValueError("corrupt lucidgreen pagination cursor")
    return Cursor(endpoint=endpoint, next_path=next_path, count=count, yielded=yielded, skip=skip)


def rebase(next_url: str, *, endpoint: str) -> str:
    """The path and query of a ``next`` link, checked to stay on the list's ``endpoint``.

    The SDK sends it to its own configured origin, whatever host the link names (a proxy's
    internal name, or a hostile host): the bearer token never leaves that origin.
    """
    parts = urlsplit(next_url)
    if not parts.path.startswith(endpoint):
        raise DecodeError(
            f"the next link {next_url!r} leaves the list endpoint {endpoint!r}",
            text=next_url,
        )
    return urlunsplit(("", "", parts.path, parts.query, ""))


def page_number(path: str) -> int | None:
    """The ``page`` query parameter of ``path``, if it is a positive integer."""
    for key, value in parse_qsl(urlsplit(path).query):
        if key == "page":
            return int(value) if value.isdigit() and int(value) > 0 else None
    return None


def with_page(path: str, number: int) -> str:
    """``path`` with its ``page`` parameter set to ``number``, other parameters kept."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(number)))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def planned_page_urls(
    next_path: str, *, count: int, page_size: int, remaining: int | None
) -> list[str] | None:
    """Every remaining page's path when the list pages by number, else ``None``.

    ``next_path`` is the next page's link as the server gave it, ``page_size`` the length
    of a full page. With ``remaining`` (items still wanted under a ``limit``) only the pages
    holding those items are planned.
    """
    first = page_number(next_path)
    if first is None or page_size <= 0:
        return None
    last = math.ceil(count / page_size)
    if remaining is not None:
        last = min(last, first - 1 + math.ceil(remaining / page_size))
    return [with_page(next_path, number) for number in range(first, last + 1)]


def query_path(endpoint: str, params: Sequence[tuple[str, Any]] | None) -> str:
    """The first page's path: ``endpoint`` plus the caller's filters."""
    pairs = [(key, str(value)) for key, value in params or () if value is not None]
    return f"{endpoint}?{urlencode(pairs)}" if pairs else endpoint
