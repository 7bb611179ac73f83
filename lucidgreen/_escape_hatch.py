"""The escape hatch both clients share: ``client.request(method, path, params=, json=)``.

A call the SDK has no method for goes through everything a method's call does (token,
limiter, retries, deadline, hooks, stats, typed errors), so reaching past the SDK never
means reaching past its promises. The rules that are not I/O are pure functions: which
verbs go with which arguments, which answers (query values: :mod:`._query`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import _envelopes
from ._api import WRITE_METHODS, Api
from ._query import query
from ._resource import write_decoding
from ._transport import Response
from .retry import Replay

__all__ = ["answer", "send", "verb_of"]


def verb_of(method: object, *, params: object, json: object) -> str:
    """``method`` upper-cased, or ``ValueError`` before anything is sent: an unknown verb,
    ``params`` on a write or ``json`` on a GET (either would be silently dropped)."""
    verb = method.upper() if isinstance(method, str) else ""
    if verb != "GET" and verb not in WRITE_METHODS:
        raise ValueError(f"cannot send {method!r}: use GET, {', '.join(sorted(WRITE_METHODS))}")
    if verb == "GET" and json is not None:
        raise ValueError("json= is a request body: a GET sends none (use params=)")
    if verb != "GET" and params:
        raise ValueError(f"params= apply to GET only, not to {verb} (send them in json=)")
    return verb


def answer(response: Response, *, verb: str) -> Any:
    """The decoded JSON of a 2xx answer (``None`` when empty). A negative ``returnCode``
    raises :class:`~lucidgreen.ReturnCodeError`; a write's unreadable answer says its outcome
    is unknown (see :func:`~lucidgreen._resource.write_decoding`)."""
    with write_decoding(Replay.SAFE if verb == "GET" else Replay.UNSAFE):
        data = _envelopes.decode_json(response.status, response.headers, response.body)
        if isinstance(data, dict) and "returnCode" in data:
            _envelopes.decode_return_code(response.status, response.headers, response.body)
    return data


async def send(
    api: Api,
    method: str,
    path: str,
    *,
    params: Mapping[str, object] | None = None,
    json: Any = None,
    public: bool = False,
) -> Response:
    """``method`` ``path`` (relative to the product's ``/api/<version>/``) through ``api``.

    Writes are never resent after an unclear outcome: the SDK cannot know how the server
    deduplicates a call it has no method for.
    """
    verb = verb_of(method, params=params, json=json)
    if public and verb != "GET":
        raise ValueError(f"public= applies to GET only, not to {verb}")
    full = api.relative(path)
    if verb == "GET":
        return await api.get(full, params=query(params), public=public)
    return await api.write(verb, full, json, replay=Replay.UNSAFE)
