"""What must never be shown, in one place: credentials and presigned signatures, hidden from
logs, exception text, reprs and spans; and the URL forms that are safe to show.

A bearer token travels in ``Authorization``; a client secret in the token request's form; a
presigned export URL's signature in its query (an unauthenticated request's query is a
credential to the file). Every layer that shows a request or an answer asks this module:
the exchange (:func:`echoed_secrets`, :func:`scrubbed`), the reporter's log lines
(:func:`redact`), the aiohttp transport's errors (:func:`request_secrets`), ``Request``'s
repr (:func:`shown_url`) and OpenTelemetry's ``url.full`` (:func:`span_url`).

Imports nothing of the SDK at run time but :mod:`lucidgreen._retyping`, so
``lucidgreen.errors`` can re-export :func:`scrubbed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ._retyping import retyped

if TYPE_CHECKING:
    from ._transport import Request
    from .errors import APIError

__all__ = [
    "echoed_secrets",
    "redact",
    "request_secrets",
    "scrubbed",
    "shown_url",
    "span_url",
    "without_query",
]

_E = TypeVar("_E", bound="APIError")

_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})
_SECRET_FORM_FIELDS: Final = frozenset({"client_secret", "password", "refresh_token"})
_SECRET_VALUE = 8  # query values this long may be signatures or credentials; shorter ones are not
_SHORTEST_SECRET = 4  # shorter values would hide ordinary words of an error text


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
    """Every value of ``request`` that must not reach exception text, longest first."""
    found: list[str] = []
    for name, value in request.headers.items():
        if name.lower() in _CREDENTIAL_HEADERS:
            found += [value, value.partition(" ")[2]]
    for name, value in (request.form or {}).items():
        if name in _SECRET_FORM_FIELDS:
            found.append(value)
    if not request.authenticated:  # a presigned URL's query is its signature
        found.append(request.url.partition("?")[2])
        found += [str(value) for value in (request.params or {}).values()]
    return sorted({s for s in found if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)


def echoed_secrets(request: Request, token: str | None, error: APIError) -> list[str]:
    """What an error answer to ``request`` must not repeat: the bearer token it carried, the
    secret fields of its form (a token request's client secret) and, for an unauthenticated
    (presigned) request, its query, the query's values and the query of any ``Location``
    it names (a signature too)."""
    secrets = [token] if token else []
    # A token request's own client secret: a debug page or a proxy's error may echo the form.
    form = request.form or {}
    secrets += [form[name] for name in _SECRET_FORM_FIELDS if form.get(name)]
    if not request.authenticated:
        queries = [urlsplit(request.url).query, urlsplit(error.headers.get("location", "")).query]
        for query in filter(None, queries):
            secrets.append(query)
            secrets += [value for _, value in parse_qsl(query) if len(value) >= _SECRET_VALUE]
    # A test's one-letter token ("t") would hide every "t" of the answer, and with it the
    # duplicate answer a replay is recognised by; no real credential is that short.
    return [secret for secret in secrets if len(secret) >= _SHORTEST_SECRET]


def scrubbed(error: _E, secrets: Iterable[str]) -> _E:
    """``error`` with every one of ``secrets`` hidden from its message, body and headers.

    For answers that echo what they were sent (a 401 repeating the bearer token, an S3 error
    page quoting the presigned URL): the error is rebuilt only when one of them shows.
    Parsed ``data`` that holds one is dropped rather than rewritten.
    """
    found = [secret for secret in secrets if secret]
    shown = [error.message, error.body, *error.headers.values()]
    if not any(secret in text for secret in found for text in shown) and not any(
        secret in repr(error.data) for secret in found
    ):
        return error

    def hide(text: str) -> str:
        for secret in found:
            text = text.replace(secret, "<hidden>")
        return text

    return retyped(
        error,
        type(error),
        message=hide(error.message),
        body=hide(error.body),
        data=None if any(secret in repr(error.data) for secret in found) else error.data,
        headers={name: hide(value) for name, value in error.headers.items()},
    )
