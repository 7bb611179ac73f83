"""Pure pagination logic (cursors): link normalisation and resume cursors (page plans are
:mod:`lucidgreen._page_plans`).

No I/O and no clock: :mod:`lucidgreen._pager` does the fetching. Everything the server or a
caller hands in (a ``next`` link, a cursor string) is checked here against what will really
be requested: aiohttp/yarl decode percent-encoded dots and resolve dot segments, so a link
is judged only after the same resolution, and what is sent is rebuilt from the list's own
endpoint, never copied from the link.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from json.encoder import encode_basestring_ascii
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs

from .errors import DecodeError

__all__ = [
    "MAX_CURSOR_CHARS",
    "MAX_CURSOR_INT",
    "MAX_KEY_CHARS",
    "Anchor",
    "Cursor",
    "decode_cursor",
    "encode_cursor",
    "normalise_path",
    "page_number",
    "rebase",
]

_CURSOR_VERSION = 1

MAX_CURSOR_CHARS = 16_384
"""A cursor is a few hundred characters; anything longer is refused before decoding it."""

MAX_CURSOR_INT = 2**53
"""Counts and positions in a cursor above this are corrupt (no list holds that many items)."""

MAX_KEY_CHARS = 200
"""A record id kept in a cursor is short (a uuid); a longer one is not kept, a cursor's refused."""

_KEY_FIELDS = ("uuid", "id")

_PAGE = re.compile(r"[1-9][0-9]{0,17}")  # ASCII digits only: int() also takes '²' and '٣'
_ENCODED_UNRESERVED = re.compile(r"%(2[dDeE]|5[fF]|7[eE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA])")

# A walk asks about the same link several times per page (its path, its page number, then
# again for the cursor and the prefetch plan): each is parsed once and remembered. Only
# short links are kept, so a hostile server's huge links never stay in memory.
_REMEMBERED_LINKS = 64
_REMEMBERED_LINK_CHARS = 2048


@attrs.frozen
class Anchor:
    """The record a cursor ended on, to find it again on resume (see :mod:`._relocate`).

    ``path`` is its page, ``index`` its position in that page's results, ``key`` its id
    (``None``: it had none), ``page_size`` the page size the server used then.
    """

    path: str
    index: int
    key: str | int | None
    page_size: int


def record_key(record: object) -> str | int | None:
    """A record's id (``uuid``, else ``id``) when it has a usable one, else ``None``."""
    if not isinstance(record, dict):
        return None
    for field in _KEY_FIELDS:
        value = record.get(field)
        if (isinstance(value, str) and 0 < len(value) <= MAX_KEY_CHARS) or _is_position(value):
            return value
    return None


@attrs.frozen
class Cursor:
    """A position in a list: the next page to fetch (``None``: the list is finished).

    ``next_path`` is a path with its query (the origin is always the client's own), so a
    cursor saved by one process resumes in another with other credentials or host names.
    ``skip`` items of that page were already delivered (a ``limit`` stopped inside it).
    ``anchor`` is the record it ended on (cursors made before anchors existed have none).
    """

    endpoint: str
    next_path: str | None
    count: int | None
    yielded: int
    skip: int = 0
    anchor: Anchor | None = None


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators=) is this


def _json(value: object) -> str:
    """``value`` exactly as ``_COMPACT_JSON`` writes it, the usual cursor values by hand."""
    if type(value) is str:
        return encode_basestring_ascii(value)
    if type(value) is int:
        return int.__repr__(value)
    return "null" if value is None else _COMPACT_JSON.encode(value)


def encode_cursor(cursor: Cursor) -> str:
    """``cursor`` as its string: the compact JSON of its fields (``v e n c y s``, then the
    anchor's ``a x z i``), base64url without padding. Written out by hand, not through a
    dict and the encoder: a page makes one (2 us instead of 5).
    tests/core/test_cursor_text_is_the_encoders.py checks it byte for byte."""
    text = (
        f'{{"v":{_CURSOR_VERSION},"e":{_json(cursor.endpoint)},"n":{_json(cursor.next_path)},'
        f'"c":{_json(cursor.count)},"y":{_json(cursor.yielded)},"s":{_json(cursor.skip)}'
    )
    anchor = cursor.anchor
    if anchor is not None:
        text += f',"a":{_json(anchor.path)},"x":{_json(anchor.index)},"z":{_json(anchor.page_size)}'
        if anchor.key is not None:
            text += f',"i":{_json(anchor.key)}'
    return base64.urlsafe_b64encode(f"{text}}}".encode()).decode().rstrip("=")


def _is_position(value: object) -> bool:
    """A non-negative int in range (``bool`` is an ``int`` to Python, not to a cursor)."""
    return type(value) is int and 0 <= value <= MAX_CURSOR_INT


def decode_cursor(text: str, *, endpoint: str) -> Cursor:
    """The cursor in ``text``, checked to belong to ``endpoint``; ``ValueError`` otherwise.

    Only :class:`ValueError` comes out, whatever the text holds: deep JSON, huge numbers,
    wrong types, or a ``next`` path that would resolve outside ``endpoint``.
    """
    given: object = text  # callers pass anything at run time, whatever the annotation says
    if not isinstance(given, str) or not given or len(given) > MAX_CURSOR_CHARS:
        raise ValueError("not a lucidgreen pagination cursor")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:
        # The cursor text is the caller's; only a short excerpt goes in the message.
        raise ValueError(f"not a lucidgreen pagination cursor: {text[:40]!r}") from exc
    if not isinstance(payload, dict) or type(payload.get("v")) is not int:
        raise ValueError("not a lucidgreen pagination cursor (unknown version)")
    if payload["v"] != _CURSOR_VERSION:
        raise ValueError("not a lucidgreen pagination cursor (unknown version)")
    owner = payload.get("e")
    if not isinstance(owner, str):
        raise ValueError("corrupt lucidgreen pagination cursor (no endpoint)")  # noqa: TRY004
    if owner != endpoint:
        raise ValueError(f"this cursor belongs to {owner[:200]!r}, not to {endpoint!r}")
    next_path, count = payload.get("n"), payload.get("c")
    yielded: Any = payload.get("y")
    skip: Any = payload.get("s", 0)
    if not (
        (next_path is None or isinstance(next_path, str))
        and (count is None or _is_position(count))
        and _is_position(yielded)
        and _is_position(skip)
    ):
        raise ValueError("corrupt lucidgreen pagination cursor")
    if next_path is not None:
        next_path = _cursor_path(next_path, endpoint)
    return Cursor(
        endpoint=endpoint,
        next_path=next_path,
        count=count,
        yielded=yielded,
        skip=skip,
        anchor=_decode_anchor(payload, endpoint),
    )


def _cursor_path(path: str, endpoint: str) -> str:
    try:
        return _on_endpoint(path, endpoint=endpoint, relative_only=True)
    except DecodeError as exc:
        raise ValueError(f"corrupt lucidgreen pagination cursor: {exc}") from None


def _decode_anchor(payload: dict[str, Any], endpoint: str) -> Anchor | None:
    """The cursor's anchor; ``None`` for a cursor made before anchors (no ``"a"``)."""
    path: Any = payload.get("a")
    if path is None:
        return None
    index: Any = payload.get("x")
    size: Any = payload.get("z")
    key: Any = payload.get("i")
    if not (
        isinstance(path, str)
        and _is_position(index)
        and _is_position(size)
        and (key is None or record_key({"id": key}) == key)
    ):
        raise ValueError("corrupt lucidgreen pagination cursor")
    return Anchor(_cursor_path(path, endpoint), index, key, size)


def _decode_unreserved(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def normalise_path(path: str) -> str:
    """``path`` as yarl/aiohttp would request it: ``%2E`` and friends decoded, dots resolved.

    Percent-encoded unreserved characters (letters, digits, ``-._~``) are decoded, as yarl
    does, and then ``.`` and ``..`` segments are removed (RFC 3986 §5.2.4). Anything else
    (``%2F``, backslashes, double slashes) is left as it is: such a path will simply not be
    equal to an endpoint.
    """
    decoded = _ENCODED_UNRESERVED.sub(_decode_unreserved, path)
    output: list[str] = []
    segments = decoded.split("/")
    for index, part in enumerate(segments):
        last = index == len(segments) - 1
        if part == ".":
            if last:
                output.append("")
        elif part == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(part)
    return "/".join(output) if output and output[0] == "" else "/" + "/".join(output)


# A client has a few list endpoints, all its own constants.
_normalised_endpoint = functools.lru_cache(maxsize=_REMEMBERED_LINKS)(normalise_path)


def _canonical_query(query: str) -> str:
    return urlencode(parse_qsl(query, keep_blank_values=True))


def _on_endpoint(link: str, *, endpoint: str, relative_only: bool = False) -> str:
    """``endpoint?query`` for a link whose path resolves exactly to ``endpoint``."""
    plain = None if relative_only else _plain_page_link(link, endpoint)
    return _parsed_on_endpoint(link, endpoint, relative_only) if plain is None else plain


# The link a DRF list sends on every page (``http://host:port/endpoint?page=7``), recognised
# without urlsplit and parse_qsl: only what they would read the same way (no user, no IPv6
# host, no other parameter, a page number _PAGE accepts) and give the same answer for.
_PLAIN_ENDPOINT = re.compile(r"/[A-Za-z0-9/._~-]*")
_PLAIN_ORIGIN = r"(?:https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?)?"


@functools.lru_cache(maxsize=_REMEMBERED_LINKS)
def _plain_link_pattern(endpoint: str) -> re.Pattern[str] | None:
    if not _PLAIN_ENDPOINT.fullmatch(endpoint) or endpoint.startswith("//"):
        return None
    return re.compile(_PLAIN_ORIGIN + re.escape(endpoint) + r"\?page=(" + _PAGE.pattern + ")")


def _plain_page_link(link: str, endpoint: str) -> str | None:
    """What :func:`_parsed_on_endpoint` answers for a plain page link, else ``None``."""
    pattern = _plain_link_pattern(endpoint)
    matched = None if pattern is None else pattern.fullmatch(link)
    return None if matched is None else f"{endpoint}?page={matched.group(1)}"


def _parsed_on_endpoint(link: str, endpoint: str, relative_only: bool) -> str:
    try:
        parts = urlsplit(link)
    except ValueError as exc:  # e.g. 'http://[::1/...': an unclosed IPv6 host
        raise DecodeError(f"the link {link[:200]!r} is not a URL ({exc})", text=link) from None
    if relative_only and (parts.scheme or parts.netloc):
        raise DecodeError(f"the path {link[:200]!r} names a host", text=link)
    if normalise_path(parts.path) != _normalised_endpoint(endpoint):
        raise DecodeError(
            f"the next link {link[:200]!r} leaves the list endpoint {endpoint!r}",
            text=link,
        )
    # Rebuilt from the endpoint (never the link's path): what is checked is what is sent.
    query = _canonical_query(parts.query)
    path = f"{endpoint}?{query}" if query else endpoint
    try:
        page_number(path)  # a malformed page parameter is refused here, before any request
    except DecodeError as exc:
        raise DecodeError(str(exc), text=link) from None
    return path


def rebase(next_url: str, *, endpoint: str) -> str:
    """The path and query of a ``next`` link, checked to stay on the list's ``endpoint``.

    The SDK sends it to its own configured origin, whatever host the link names (a proxy's
    internal name, or a hostile host): the bearer token never leaves that origin. The path
    must resolve to ``endpoint`` itself, after percent-decoding and dot-segment removal;
    the result is ``endpoint`` plus the link's query (re-encoded), else :class:`DecodeError`.
    """
    if len(next_url) > _REMEMBERED_LINK_CHARS:
        return _on_endpoint(next_url, endpoint=endpoint)
    return _rebased(next_url, endpoint)


@functools.lru_cache(maxsize=_REMEMBERED_LINKS)
def _rebased(next_url: str, endpoint: str) -> str:
    return _on_endpoint(next_url, endpoint=endpoint)  # a DecodeError is raised, not kept


def page_number(path: str) -> int | None:
    """The ``page`` query parameter of ``path``; ``None`` when there is none.

    A ``page`` that is not one positive integer of at most 18 ASCII digits (``²``,
    ``1e9999``, ``0``, ``-1``, or two ``page`` parameters) is a :class:`DecodeError`:
    the server and the SDK could read it differently.
    """
    if len(path) > _REMEMBERED_LINK_CHARS:
        return _page_number(path)
    return _remembered_page_number(path)


# A path such as ``/api/v1.5/products/?page=7``: its page number read without parsing.
_PLAIN_PAGE_PATH = re.compile(r"/(?!/)[A-Za-z0-9/._~-]*\?page=(" + _PAGE.pattern + ")")


def plain_page_number(path: str) -> int | None:
    """The page number of a plain ``/path?page=N`` (``N`` as :func:`page_number` accepts it),
    read without parsing; ``None`` for any other path (parse it then)."""
    plain = _PLAIN_PAGE_PATH.fullmatch(path)
    return None if plain is None else int(plain.group(1))


def _page_number(path: str) -> int | None:
    plain = plain_page_number(path)
    return _parsed_page_number(path) if plain is None else plain


def _parsed_page_number(path: str) -> int | None:
    try:
        values = [
            v for k, v in parse_qsl(urlsplit(path).query, keep_blank_values=True) if k == "page"
        ]
    except ValueError as exc:
        raise DecodeError(f"the link {path[:200]!r} is not a URL ({exc})", text=path) from None
    if not values:
        return None
    if len(values) > 1 or not _PAGE.fullmatch(values[0]):
        raise DecodeError(
            f"the link {path[:200]!r} has a page parameter that is not a page number",
            text=path,
        )
    return int(values[0])


_remembered_page_number = functools.lru_cache(maxsize=_REMEMBERED_LINKS)(_page_number)
