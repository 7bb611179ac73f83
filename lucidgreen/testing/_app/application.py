"""The application behind the fake's API origin: what Django + DRF + DOT would answer.

Order of checks, as in DRF's ``APIView.initial()`` then ``dispatch``: URL resolution (unknown
path: Django's HTML 404; missing trailing slash: 301), authentication (401, empty body) and
throttling (429) in ``_middleware/gate.py``, method (405), then the handler (404, 400, ...).
So a 405 or a 404 still uses up rate-limit budget, and a 401 does not.
"""

from __future__ import annotations

from urllib.parse import unquote

import attrs

from .._middleware.auth import TokenStore
from .._middleware.gate import admit, authenticate
from .._middleware.throttle import Throttle
from .._recorder import RecordedRequest, Stats
from .reply import HttpError, Reply, html_not_found
from .retail import RETAIL_ROUTES
from .routing import Arrival, Backend, Ctx, Route
from .source import SOURCE_ROUTES
from .token import token_route

__all__ = ["Application"]


@attrs.define
class Application:
    backend: Backend
    tokens: TokenStore
    throttle: Throttle
    stats: Stats
    routes: list[Route] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        token = token_route(self.tokens, self.stats)
        self.routes = [token, *SOURCE_ROUTES, *RETAIL_ROUTES]

    def resolve(self, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(raw_path)
            if params is not None:
                return route, params
        return None

    def handle(self, request: RecordedRequest, arrival: Arrival) -> Reply:
        raw_path, query_string = request.raw_path, arrival.query_string
        found = self.resolve(raw_path)
        if found is None:
            if not raw_path.endswith("/") and self.resolve(raw_path + "/") is not None:
                # Django's APPEND_SLASH (CommonMiddleware): a permanent redirect, body-less.
                location = raw_path + "/" + (f"?{query_string}" if query_string else "")
                return Reply(301, b"", {"Location": location, "Content-Type": "text/html"})
            return html_not_found()
        route, params = found
        ctx = Ctx(app=self.backend, request=request, arrival=arrival, params=params)
        if route.scope == "token":
            return self._dispatch(route, ctx)
        caller = authenticate(self.tokens, route.scope, request.headers, request.remote or "")
        if isinstance(caller, Reply):
            return caller
        ctx.client_id = caller.client_id
        refused = admit(
            self.throttle, self.stats, route.scope, caller, self.backend.faults.retry_after
        )
        if refused is not None:
            return refused
        return self._legacy(raw_path, self._dispatch(route, ctx))

    def _dispatch(self, route: Route, ctx: Ctx) -> Reply:
        method = "GET" if ctx.request.method == "HEAD" else ctx.request.method
        handler = route.methods.get(method)
        allowed = ", ".join([*route.methods, "OPTIONS"])
        if ctx.request.method == "OPTIONS":
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
            detail = f'Method "{ctx.request.method}" not allowed.'
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
