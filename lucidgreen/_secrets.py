"""What must never be shown, in one place: credentials and presigned signatures, hidden from
logs, exception text, reprs and spans; and the URL forms that are safe to show.

A bearer token travels in ``Authorization``; a client secret in the token request's form; a
presigned export URL's signature in its query (an unauthenticated request's query is a
credential to the file). Every layer that shows a request or an answer asks this module:
the exchange, which scrubs every error outcome of every transport and the request id it
reports (:func:`echoed_secrets`, :func:`scrubbed`, :func:`hidden`), the reporter's log
lines (:func:`redact`), ``Request``'s repr (:func:`shown_url`) and OpenTelemetry's
``url.full`` (:func:`span_url`). Nothing else hides a secret its own way.

Imports nothing of the SDK at run time but :mod:`lucidgreen._retyping`, so
``lucidgreen.errors`` can re-export :func:`scrubbed`.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote, quote_plus, unquote_plus, urlencode, urlsplit, urlunsplit

from ._retyping import rebuilt

if TYPE_CHECKING:
    from ._transport import Request
    from .errors import LucidGreenError

__all__ = [
    "echo_probes",
    "echoed_secrets",
    "hidden",
    "hidden_in",
    "hidden_in_json",
    "hidden_in_name",
    "redact",
    "request_secrets",
    "scrubbed",
    "shown_url",
    "span_url",
    "spellings",
    "without_query",
]

_L = TypeVar("_L", bound="LucidGreenError")

_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})
_SECRET_FORM_FIELDS: Final = frozenset({"client_secret", "password", "refresh_token"})
_SECRET_VALUE = 8  # query values this long may be signatures or credentials; shorter ones are not
_SHORTEST_SECRET = 4  # shorter values would hide ordinary words of an error text
_SHORTEST_PROBE = 8  # a shorter probe would be met in ordinary pages, each meeting a full search
# A presigned query's diagnostics (which algorithm, signed when, for how long): no secret,
# and what a 403 page quoting them is read by (is the clock skewed?).
_PUBLIC_QUERY_NAMES: Final = frozenset(
    {"x-amz-algorithm", "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "expires"}
)
_CREDENTIAL_WORDS: Final = ("sig", "token", "key", "credential", "policy")
# Characters no spelling escapes (percent-encoding, HTML, JSON): a run of them shows in all.
_UNESCAPED_RUN: Final = re.compile(r"[A-Za-z0-9_.~-]+")
_HIDDEN: Final = "<hidden>"
_MAX_DEPTH: Final = 32  # deeper than any real answer; a hostile one is dropped, not walked


def without_query(url: str) -> str:
    """``url`` without its query or fragment (a presigned URL's signature is there)."""
    return url.split("#", 1)[0].split("?", 1)[0]


def shown_url(url: str, *, authenticated: bool) -> str:
    """A request's URL for logs and reprs: an unauthenticated request's query is left out,
    since a presigned URL carries its signature (a credential to the file) there."""
    return url if authenticated else without_query(url)


def span_url(url: str, *, authenticated: bool) -> str:
    """``url.full`` of a span: :func:`shown_url`, and no user or password either."""
    shown = shown_url(url, authenticated=authenticated)
    parts = urlsplit(shown)
    if parts.username is None and parts.password is None:
        return shown
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log: credentials replaced by a marker."""
    return {
        name: "<redacted>" if name.lower() in _CREDENTIAL_HEADERS else value
        for name, value in headers.items()
    }


def request_secrets(request: Request) -> list[str]:
    """Every value of ``request`` that must not reach exception text, longest first, as
    given (:func:`echoed_secrets` adds the other spellings an answer may quote it in)."""
    found: list[str] = []
    for name, value in request.headers.items():
        if name.lower() in _CREDENTIAL_HEADERS:
            found += [value, value.partition(" ")[2]]
    for name, value in (request.form or {}).items():
        if name in _SECRET_FORM_FIELDS:
            found.append(value)
    if not request.authenticated:  # a presigned URL's query is its signature
        found += _query_secrets(urlsplit(request.url).query)
        found += _query_secrets(urlencode({k: str(v) for k, v in (request.params or {}).items()}))
    return sorted({s for s in found if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)


def echoed_secrets(
    request: Request,
    token: str | None = None,
    error: LucidGreenError | None = None,
    *,
    answered: str | None = None,
) -> list[str]:
    """What an answer to ``request`` must not repeat, every spelling it may quote it in
    (:func:`spellings`), longest first: its credentials (:func:`request_secrets`: an
    ``Authorization`` header, a token request's client secret, a presigned query's
    credentials), the bearer ``token`` it was sent with and, for an unauthenticated
    (presigned) request, the credentials in the query of the URL that ``answered`` (a
    download redirected to another signed URL) and of any ``Location`` an ``error`` names."""
    secrets = [*request_secrets(request), *([token] if token else [])]
    if not request.authenticated:
        headers = getattr(error, "headers", None) or {}
        for url in (answered, headers.get("location")):
            if url and url != request.url:
                secrets += _query_secrets(urlsplit(url).query)
    return list(_spelled(tuple(secrets)))


@lru_cache(maxsize=256)  # the same credentials on every page of a walk
def _spelled(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Every spelling of each of ``secrets`` long enough to count, longest first."""
    # A test's one-letter token ("t") would hide every "t" of the answer, and with it the
    # duplicate answer a replay is recognised by; no real credential is that short.
    found = {
        spelled
        for secret in secrets
        if len(secret) >= _SHORTEST_SECRET
        for spelled in spellings(secret)
    }
    return tuple(sorted(found, key=len, reverse=True))


def _query_secrets(query: str) -> list[str]:
    """The credentials of a presigned ``query``, as sent and decoded: the values of names
    that say so (``X-Amz-Signature``, ``X-Amz-Security-Token``, ``Signature``, ``sig``...),
    and of a scheme not known, every long value and the whole query."""
    found: list[str] = []
    unknown = False
    for pair in filter(None, query.split("&")):
        raw_name, _, raw_value = pair.partition("=")
        name, value = unquote_plus(raw_name).lower(), unquote_plus(raw_value)
        if name in _PUBLIC_QUERY_NAMES or name.startswith("response-"):
            continue
        if any(word in name for word in _CREDENTIAL_WORDS):
            found += [raw_value, value]
        elif len(value) >= _SECRET_VALUE:
            found += [raw_value, value]
            unknown = True
    return [*found, query] if unknown else found


@lru_cache(maxsize=256)  # asked for the same token on every page
def spellings(secret: str) -> tuple[str, ...]:
    """``secret`` and the spellings an answer may quote it in: percent-encoded (as a form
    or a URL sends it), HTML-escaped (an XML error page), JSON-escaped (``\\/``, ``\\u``)."""
    in_json = json.dumps(secret)[1:-1]
    in_utf8_json = json.dumps(secret, ensure_ascii=False)[1:-1]
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret, safe="/"),
        quote_plus(secret),
        html.escape(secret),
        in_json,
        in_utf8_json,
        in_json.replace("/", "\\/"),
        in_utf8_json.replace("/", "\\/"),
    }
    return tuple(form for form in forms if len(form) >= _SHORTEST_SECRET)


def echo_probes(secrets: Sequence[str]) -> tuple[str, ...]:
    """Few texts of which one shows wherever any of ``secrets`` (longest first) does: what
    an answer is searched for first, so its every spelling costs no search of its own."""
    return _probes(tuple(secrets))


@lru_cache(maxsize=256)  # every page of a walk asks for the same secrets' probes
def _probes(secrets: tuple[str, ...]) -> tuple[str, ...]:
    probes: list[str] = []
    for secret in reversed(secrets):  # shortest first
        if not any(probe in secret for probe in probes):
            probes.append(_probe(secret))
    return tuple(probes)


@lru_cache(maxsize=256)
def _probe(secret: str) -> str:
    """The longest run of ``secret`` that every spelling keeps, its first and last
    characters left out (a server may \\u-escape one); ``secret`` itself when no run is long
    enough to be told from ordinary text."""
    best = max(_UNESCAPED_RUN.findall(secret[1:-1]), key=len, default="")
    return best if len(best) >= _SHORTEST_PROBE else secret


def hidden(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every one of ``secrets`` (longest first) replaced by a marker."""
    for secret in secrets:
        text = text.replace(secret, _HIDDEN)
    return text


def hidden_in(data: bytes, secrets: Sequence[str]) -> bytes:
    """``data`` (an answer's body) with every one of ``secrets`` replaced by the marker."""
    for secret in secrets:
        data = data.replace(secret.encode(), _HIDDEN.encode())
    return data


def hidden_in_name(name: str, secrets: Sequence[str]) -> str:
    """A header ``name`` with ``secrets`` hidden, in any case (names arrive lower-cased)."""
    for secret in secrets:
        name = re.sub(re.escape(secret), _HIDDEN, name, flags=re.IGNORECASE)
    return name


def hidden_in_json(data: bytes, secrets: Sequence[str]) -> bytes:
    """``data`` written again without ``secrets`` when it is JSON whose strings, decoded,
    hold one (escaped as ``\\u0053ECRET``, no spelling matches byte for byte); else as it is.
    Without a backslash every decoded string is in ``data`` as is: nothing to decode."""
    if b"\\" not in data:
        return data
    try:
        parsed = json.loads(data)
    except ValueError:  # not JSON (nor UTF-8): its bytes were searched already
        return data
    clean = _hide(parsed, secrets, 0)
    return data if clean is parsed else json.dumps(clean, ensure_ascii=False).encode()


def scrubbed(error: _L, secrets: Iterable[str]) -> _L:
    """``error`` with every one of ``secrets`` hidden from every string it holds.

    For answers and transports that echo what they were sent (a 401 repeating the bearer
    token, a request id answered back, an S3 error page quoting the presigned URL, a
    library quoting the headers it sent): every field of the error is walked, its args,
    ``request_id``, headers and each field a subclass adds (``detail``, a nested
    ``reason``, the LucidID lists, a ``DecodeError``'s ``text``, skipped records), and every
    string in it, or in its lists, tuples, mappings and dataclasses, is rewritten. Parsed
    ``data`` that holds one is dropped rather than rewritten. The error is rebuilt only when
    one shows, and the copy is not chained to anything (a chained exception may quote the
    secret too); otherwise ``error`` itself is returned.
    """
    found = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not found:
        return error
    fields = vars(error)
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        clean = _hide(value, found, 0)
        if clean is not value:
            changed[name] = None if name == "data" else clean
    args = _hide(error.args, found, 0)
    if not changed and args is error.args and not _chain_shows(error, found):
        return error
    return rebuilt(type(error), args, {**fields, **changed})


def _hide(value: Any, secrets: Sequence[str], depth: int) -> Any:
    """``value`` with ``secrets`` hidden in every string it holds; ``value`` itself (the
    same object) when none shows."""
    if isinstance(value, str):
        return hidden(value, secrets) if any(s in value for s in secrets) else value
    if not isinstance(value, list | tuple | Mapping) and not _is_dataclass(value):
        return value
    if depth > _MAX_DEPTH:  # nested deeper than any real answer: dropped, not walked
        return None
    if type(value) in (list, tuple):
        items = [_hide(item, secrets, depth + 1) for item in value]
        same = all(a is b for a, b in zip(items, value, strict=True))
        return value if same else type(value)(items)
    if isinstance(value, Mapping):
        return _hide_mapping(value, secrets, depth)
    if _is_dataclass(value):
        changes = {
            field.name: _hide(getattr(value, field.name), secrets, depth + 1)
            for field in dataclasses.fields(value)
            if field.init
        }
        changes = {k: v for k, v in changes.items() if v is not getattr(value, k)}
        return dataclasses.replace(value, **changes) if changes else value
    return value  # a list or tuple subclass (a named tuple): nothing a server sends


def _hide_mapping(value: Mapping[Any, Any], secrets: Sequence[str], depth: int) -> Any:
    pairs = [
        (_hide(key, secrets, depth + 1), _hide(item, secrets, depth + 1))
        for key, item in value.items()
    ]
    if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
        return value
    kind: Any = type(value)
    try:  # the same kind of mapping (an error's case-insensitive ResponseHeaders)
        return kind(dict(pairs))
    except TypeError:
        return dict(pairs)


def _is_dataclass(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _chain_shows(error: BaseException, secrets: Sequence[str]) -> bool:
    """Whether an exception ``error`` is chained to (cause or context) shows a secret."""
    link, seen = error.__cause__ or error.__context__, 0
    while link is not None and seen < _MAX_DEPTH:
        try:
            text = f"{link!s} {link!r}"
        except Exception:  # noqa: BLE001 - a text that cannot be read cannot be vouched for
            return True
        if any(secret in text for secret in secrets):
            return True
        link, seen = link.__cause__ or link.__context__, seen + 1
    return link is not None
