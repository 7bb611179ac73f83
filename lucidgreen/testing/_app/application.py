"""The application behind the fake's API origin: what Django + DRF + DOT would answer.

Order of checks, as in DRF's ``APIView.initial()`` then ``dispatch``: URL resolution (unknown
path: Django's HTML 404; missing trailing slash: 301), authentication (401, empty body),
throttling (429), method (405), then the handler (404, 400, ...). So a 405 or a 404 still
uses up rate-limit budget, and a 401 does not.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote

import attrs

from .._middleware.auth import TokenInfo, TokenStore
from .._middleware.throttle import Throttle, throttle_detail
from .._recorder import Stats
from .reply import HttpError, Reply, html_not_found
from .retail import RETAIL_ROUTES
from .routing import Backend, Ctx, Route
from .source import SOURCE_ROUTES

__all__ = ["Application", "Incoming"]

_UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="api"'}


@attrs.frozen
class Incoming:
    """The parts of an HTTP request the application looks at."""

    method: str
    raw_path: str
    query_string: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    origin: str
    remote: str
    request_id: str


@attrs.define
class Application:
    backend: Backend
    tokens: TokenStore
    throttle: Throttle
    stats: Stats
    routes: list[Route] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        token = Route("/o/token/", "token", {"POST": self._token})
        self.routes = [token, *SOURCE_ROUTES, *RETAIL_ROUTES]

    def resolve(self, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(raw_path)
            if params is not None:
                return route, params
        return None

    def handle(self, req: Incoming) -> Reply:
        found = self.resolve(req.raw_path)
        if found is None:
            if not req.raw_path.endswith("/") and self.resolve(req.raw_path + "/") is not None:
                # Django's APPEND_SLASH (CommonMiddleware): a permanent redirect, body-less.
                location = req.raw_path + "/" + (f"?{req.query_string}" if req.query_string else "")
                return Reply(301, b"", {"Location": location, "Content-Type": "text/html"})
            return html_not_found()
        route, params = found
        ctx = Ctx(
            app=self.backend,
            method=req.method,
            raw_path=req.raw_path,
            params=params,
            query=req.query,
            query_string=req.query_string,
            body=req.body,
            content_type=req.headers.get("Content-Type", ""),
            origin=req.origin,
            request_id=req.request_id,
            authorization=req.headers.get("Authorization", ""),
        )
        if route.scope == "token":
            return self._dispatch(route, ctx)
        if route.scope == "public":
            # DRF's AnonRateThrottle.get_ident: X-Forwarded-For when present, else the peer.
            ident = "".join(req.headers.get("X-Forwarded-For", "").split()) or req.remote
        else:
            info = self._bearer(req.headers.get("Authorization", ""))
            if info is None or info.product != route.scope:
                return Reply.empty(401, _UNAUTHORIZED)
            ctx.client_id = ident = info.client_id
        allowed, wait = self.throttle.check(route.scope, ident)
        if not allowed:
            self.stats.throttled += 1
            headers = {} if wait is None else {"Retry-After": str(wait)}
            override = self.backend.faults.retry_after
            if override is not None:
                headers["Retry-After"] = str(override)
            return Reply.json(429, {"detail": throttle_detail(wait)}, headers)
        return self._legacy(req.raw_path, self._dispatch(route, ctx))

    def _bearer(self, header: str) -> TokenInfo | None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.tokens.lookup(token.strip())

    def _dispatch(self, route: Route, ctx: Ctx) -> Reply:
        method = "GET" if ctx.method == "HEAD" else ctx.method
        handler = route.methods.get(method)
        allowed = ", ".join([*route.methods, "OPTIONS"])
        if ctx.method == "OPTIONS":
            return Reply.json(
                200,
                {
                    "name": route.pattern,
                    "renders": ["application/json"],
                    "parses": ["application/json", "application/x-www-form-urlencoded"],
                },
                {"Allow": allowed},
            )
        if handler is None:
            if route.scope == "token":
                # DOT's token view is a plain Django view: its 405 has no body.
                return Reply.empty(405, {"Allow": allowed})
            detail = f'Method "{ctx.method}" not allowed.'
            return Reply.json(405, {"detail": detail}, {"Allow": allowed})
        try:
            return handler(ctx)
        except HttpError as exc:
            return exc.reply

    def _legacy(self, raw_path: str, reply: Reply) -> Reply:
        """Turn a 400 into a legacy ``403 {"status": "invalid payload", "reason": ...}``."""
        prefixes = self.backend.faults.legacy_403_paths
        if reply.status != 400 or not any(unquote(raw_path).startswith(p) for p in prefixes):
            return reply
        data = reply.data()
        if isinstance(data, dict) and data.get("status") == "invalid payload":
            reason = data.get("reason", {})
        elif isinstance(data, dict) and set(data) <= {"detail", "message"}:
            reason = {"non_field_errors": [str(v) for v in data.values()]}
        elif isinstance(data, dict):
            reason = data
        else:
            reason = {"non_field_errors": data}
        return Reply.json(403, {"status": "invalid payload", "reason": reason})

    def _token(self, ctx: Ctx) -> Reply:
        """django-oauth-toolkit's answers: grant type checked first, then the client."""
        form = dict(parse_qsl(ctx.body.decode(errors="replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return Reply.json(400, {"error": "unsupported_grant_type"})
        client_id = form.get("client_id", "")
        secret = form.get("client_secret", "")
        basic = _basic_credentials(ctx)
        if basic is not None:
            client_id, secret = basic
        if self.tokens.authenticate_client(client_id, secret) is None:
            return Reply.json(401, {"error": "invalid_client"})
        info = self.tokens.issue(client_id)
        self.stats.tokens_issued += 1
        return Reply.json(
            200,
            {
                "access_token": info.token,
                "expires_in": int(self.tokens.ttl),
                "token_type": "Bearer",
                "scope": "read write",
            },
            {"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


def _basic_credentials(ctx: Ctx) -> tuple[str, str] | None:
    """HTTP Basic client authentication, which DOT also accepts."""
    scheme, _, value = ctx.authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip()).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
