"""Headers: the read-only, case-insensitive :class:`ResponseHeaders` an error carries, and
``default_headers=``: checked once at construction, sent on every request to the API's
origin only (never to the export CDN), never in place of ``Authorization`` or ``Host``.

A caller's ``User-Agent`` is appended to the SDK's own (``lucidgreen-python/1.0 myapp/2``),
as botocore's ``user_agent_extra`` does, so the server still sees which SDK sent it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

__all__ = [
    "ResponseHeaders",
    "check_credential",
    "check_default_headers",
    "check_header_value",
    "header_problem",
    "user_agent_with",
]

_RESERVED = frozenset({"authorization", "host", "proxy-authorization", "content-length"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[\x20-\x7e\t]*")


def check_default_headers(
    headers: Mapping[str, str] | None, *, argument: str = "default_headers"
) -> dict[str, str]:
    """``headers`` as a dict, or ``ValueError`` naming the header that cannot be sent
    (``argument`` names the keyword the caller used: ``with_options(headers=)`` too)."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise TypeError(f"{argument} must be a mapping of str to str, not {headers!r}")
    checked: dict[str, str] = {}
    pairs: list[tuple[object, object]] = list(headers.items())  # a caller may pass anything
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"{argument}: name and value must be str, got {name!r}")
        if not _TOKEN.fullmatch(name):
            raise ValueError(f"{argument}: {name!r} is not a valid header name")
        if name.lower() in _RESERVED:
            raise ValueError(f"{argument} must not set {name}: the SDK sets it")
        checked[name] = check_header_value(value, f"{argument}: the value of {name}")
    return checked


def check_header_value(value: str, source: str) -> str:
    """``value`` if it can go into a header line as is, else ``ValueError`` naming ``source``
    (a keyword, flag or variable) and never quoting ``value``, which may be a credential.

    CR or LF would let a value smuggle a header line in (``Bearer a\\r\\nX-Evil: 1``);
    other controls and non-ASCII characters are sent differently by each transport."""
    if not _VALUE.fullmatch(value):
        raise ValueError(f"{source} holds CR, LF, a control or a non-ASCII character")
    return value


def check_credential(value: str, source: str) -> str:
    """``value`` if it can be sent as a credential, else ``ValueError`` naming ``source``.

    Besides :func:`check_header_value`'s rule, no leading or trailing whitespace: a pasted
    token with a space or tab in front goes out as ``Bearer  tok`` and fails only at the
    server, with a 401 that says nothing of why."""
    check_header_value(value, source)
    if value != value.strip():
        raise ValueError(f"{source} has leading or trailing whitespace")
    return value


def header_problem(name: object, value: object) -> str | None:
    """What keeps ``name: value`` out of a header line (never quoting the value), or None."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        return "a header name that is no HTTP token"
    if not isinstance(value, str):
        return f"a {type(value).__name__} as the value of {name}, not a str"
    try:
        check_header_value(value, f"the value of {name}")
    except ValueError as exc:
        return str(exc)
    return None


def user_agent_with(sdk: str, headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The User-Agent to send (the SDK's, then the caller's product) and the other headers."""
    others = {k: v for k, v in headers.items() if k.lower() != "user-agent"}
    extra = " ".join(v for k, v in headers.items() if k.lower() == "user-agent" and v)
    return (f"{sdk} {extra}" if extra else sdk), others


class ResponseHeaders(Mapping[str, str]):
    """Response headers, read-only, looked up case-insensitively (``get("Content-Type")``).

    A header sent twice is kept once, its values joined with ``", "`` (RFC 9110 §5.3). Our
    own class rather than aiohttp's ``CIMultiDictProxy``: ``lucidgreen.errors`` (which
    exposes it) imports nothing outside the standard library.
    """

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        items: dict[str, tuple[str, str]] = {}
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in pairs:
            key = name.lower()
            if key in items:
                items[key] = (items[key][0], f"{items[key][1]}, {value}")
            else:
                items[key] = (name, value)
        self._items = items

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"ResponseHeaders({dict(self.items())!r})"
