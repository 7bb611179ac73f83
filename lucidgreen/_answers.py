"""What the exchange reads of a transport's answer, before anything is built from it.

:func:`header_text` and :func:`ill_typed`: a transport of the caller's is not type-checked,
so an answer that is no well-typed :class:`~lucidgreen.transport.Response` becomes a typed
error rather than a crash deep in classification. :func:`without_echoes`: the request's
secrets that the answer repeats (a debug page quoting the bearer token, an echoed
``X-Request-ID``) hidden from its body and headers, so nothing built from it shows them.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._headers import ResponseHeaders
from ._secrets import echo_probes, hidden, hidden_in, hidden_in_json, hidden_in_name
from ._transport import Response

__all__ = ["header_text", "ill_typed", "without_echoes"]


def without_echoes(response: Response, values: str, secrets: list[str]) -> Response:
    """``response`` with every one of ``secrets`` hidden from its body and headers (whose
    ``values`` are :func:`header_text`'s), names included.

    For answers that repeat a credential they were sent (a debug page quoting the bearer
    token, a request id echoing it): hidden here, every answer alike, so nothing built from
    the answer later (a decode error of a 2xx, a raw response, a log line) can repeat it.
    """
    body, headers = response.body, response.headers
    # Every page is searched, so with the fewest probes: each spelling of a secret holds one.
    names = "\n".join(headers).lower()  # arrive lower-cased: an echo in one is too
    probes = echo_probes(secrets)
    if not any(p in values or p.encode() in body or p.lower() in names for p in probes):
        return response
    echoed = [s for s in secrets if s in values or s.encode() in body]
    named = [s for s in secrets if s.lower() in names]
    pairs = [(hidden_in_name(k, named), hidden(v, echoed)) for k, v in headers.items()]
    body = hidden_in_json(hidden_in(body, echoed), secrets)
    return attrs.evolve(response, body=body, headers=_same_kind(headers, pairs))


def _same_kind(headers: Mapping[str, str], pairs: list[tuple[str, str]]) -> Mapping[str, str]:
    """``pairs`` as the kind of mapping ``headers`` is, a header sent twice kept twice (a
    caller's multidict), or joined as :class:`ResponseHeaders` does."""
    if type(headers) is dict:
        return dict(pairs)
    kind: Any = type(headers)
    try:
        rebuilt: Mapping[str, str] = kind(pairs)
    except (TypeError, ValueError):
        return ResponseHeaders(pairs)
    return rebuilt if len(list(rebuilt.items())) == len(pairs) else ResponseHeaders(pairs)


def header_text(answer: object) -> str | None:
    """A well-typed answer's header values, one a line (what echoes are searched for), or
    None when a transport's answer is no well-typed :class:`Response` (:func:`ill_typed`
    says why).

    Asked of every answer, so the exact types an SDK transport gives are tested first, and
    joining the values is the test that each is a ``str``: a custom transport's ``None``,
    ``dict``, ``str`` status or body would otherwise fail deep in classification as an
    untyped error, losing a write's doubt.
    """
    if (
        type(answer) is Response
        and type(answer.status) is int
        and type(answer.body) is bytes
        and type(answer.headers) is dict
        and type(answer.url) is str
    ) or ill_typed(answer) is None:
        try:
            return "\n".join(answer.headers.values())  # type: ignore[attr-defined]
        except TypeError:
            pass
    return None


def ill_typed(answer: object) -> str | None:
    """What makes a transport's answer no well-typed :class:`Response` (None when it is
    one), in words that show none of its values. A ``bool`` is no status (``True`` is no
    200)."""
    if not isinstance(answer, Response):
        return f"returned {type(answer).__name__}, not a lucidgreen.Response"
    # Read as what they may be: a transport of the caller's is not type-checked.
    status: object = answer.status
    headers: object = answer.headers
    body: object = answer.body
    url: object = answer.url
    if isinstance(status, bool) or not isinstance(status, int):
        return f"returned a Response whose status is {type(status).__name__}, not int"
    if not isinstance(body, bytes):
        return f"returned a Response whose body is {type(body).__name__}, not bytes"
    if not isinstance(headers, Mapping):
        return f"returned a Response whose headers are {type(headers).__name__}, not a mapping"
    if not all(isinstance(value, str) for value in headers.values()):
        return "returned a Response with a header value that is not a str"
    if not isinstance(url, str):
        return f"returned a Response whose url is {type(url).__name__}, not str"
    return None
