"""The token endpoint, ``/o/token/``: django-oauth-toolkit's client-credentials grant."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, unquote

from .._middleware.auth import TokenStore
from .._recorder import Stats
from .reply import Reply
from .routing import Ctx, Route

__all__ = ["token_route"]


def token_route(tokens: TokenStore, stats: Stats) -> Route:
    """``POST /o/token/``, issuing ``tokens`` and counting them in ``stats``."""

    def answer(ctx: Ctx) -> Reply:
        """django-oauth-toolkit's answers: grant type checked first, then the client."""
        form = dict(parse_qsl(ctx.request.body.decode(errors="replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return Reply.json(400, {"error": "unsupported_grant_type"})
        client_id = form.get("client_id", "")
        secret = form.get("client_secret", "")
        basic = _basic_credentials(ctx)
        if basic is not None:
            client_id, secret = basic
        if tokens.authenticate_client(client_id, secret) is None:
            return Reply.json(401, {"error": "invalid_client"})
        info = tokens.issue(client_id)
        stats.tokens_issued += 1
        return Reply.json(
            200,
            {
                "access_token": info.token,
                "expires_in": int(tokens.ttl),
                "token_type": "Bearer",
                "scope": "read write",
            },
            {"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    return Route("/o/token/", "token", {"POST": answer})


def _basic_credentials(ctx: Ctx) -> tuple[str, str] | None:
    """HTTP Basic client authentication, which DOT also accepts."""
    scheme, _, value = (ctx.request.authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip()).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
