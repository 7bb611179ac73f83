"""The two checks between a resolved route and its handler, in DRF's order
(``APIView.initial``): who is asking (a bearer token of the route's product, or the caller's
address for the public lookups), then whether their budget admits the request. Each check
answers the request itself when it refuses: a 401 with an empty body, or a 429."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._app.reply import Reply
from .._recorder import Stats
from .auth import TokenStore
from .throttle import Throttle, throttle_detail

__all__ = ["Caller", "admit", "authenticate"]

_UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="api"'}


@attrs.frozen
class Caller:
    """Whom the throttle counts (``ident``) and the authenticated client, if any."""

    ident: str
    client_id: str | None


def authenticate(
    tokens: TokenStore, scope: str, headers: Mapping[str, str], remote: str
) -> Caller | Reply:
    """The caller of a ``scope`` route, or the 401 a missing, expired or foreign token gets."""
    if scope == "public":
        # DRF's AnonRateThrottle.get_ident: X-Forwarded-For when present, else the peer.
        return Caller("".join(headers.get("X-Forwarded-For", "").split()) or remote, None)
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    info = tokens.lookup(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if info is None or info.product != scope:
        return Reply.empty(401, _UNAUTHORIZED)
    return Caller(info.client_id, info.client_id)


def admit(
    limits: Throttle, stats: Stats, scope: str, caller: Caller, retry_after: int | str | None
) -> Reply | None:
    """None when the window admits the request (and counts it), else its 429; a fault's
    ``retry_after`` replaces the header the window would send."""
    allowed, wait = limits.check(scope, caller.ident)
    if allowed:
        return None
    stats.throttled += 1
    headers = {} if wait is None else {"Retry-After": str(wait)}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Reply.json(429, {"detail": throttle_detail(wait)}, headers)
