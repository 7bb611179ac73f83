"""aiohttp.web handlers for the two push APIs LucidRetail calls on the POS.

Both check ``Authorization: Token <token>`` (as the push APIs document) before anything else, so an
unauthenticated caller learns nothing but 401. Answers are small JSON bodies shaped like
LucidGreen's own (``{"status": ...}``, DRF's ``{"detail": ...}``); they never contain the
token or the text of an exception raised by your callback, which is logged instead on the
``lucidgreen.push`` logger.

Bodies larger than the application's ``client_max_size`` (aiohttp's default is 1 MiB) are
refused by aiohttp with 413; raise it on your ``web.Application`` for very large cases.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiohttp import hdrs, web

from lucidgreen.errors import DecodeError

from ._case import parse_case
from ._transactions import build_transactions_response, parse_transactions_query
from .models import CaseDocument, PosTransaction

__all__ = [
    "Handler",
    "add_receive_case_route",
    "add_retail_transactions_route",
    "transactions_handler",
    "webhook_handler",
]

logger = logging.getLogger("lucidgreen.push")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CaseCallback = Callable[[CaseDocument], Awaitable[None]]
TransactionsSource = Callable[[datetime, datetime], Awaitable[Iterable[PosTransaction]]]

_SCHEME = "token"
# The docs never say which Content-Type LucidRetail sends, so besides JSON the generic
# "no idea" types (and none at all) are parsed too; only a clearly different format is 415.
_ACCEPTED_TYPES = frozenset(
    {"application/json", "text/json", "text/plain", "application/octet-stream"}
)


def webhook_handler(token: str | Sequence[str], on_case: CaseCallback) -> Handler:
    """An aiohttp.web handler for the Receive Case webhook (``POST``).

    ``token`` is the token (or the tokens, for example during a rotation) the POS showed
    the retailer. Answers:

    - 401 ``{"detail": ...}`` for a missing or unknown token, with ``WWW-Authenticate``;
    - 405 for a method other than ``POST``;
    - 415 when the body is declared as another format (a form, XML, ...); JSON,
      ``text/plain``, ``application/octet-stream`` or no Content-Type are parsed;
    - 400 ``{"status": "invalid payload", "reason": ...}`` for a body
      :func:`~lucidgreen.push.parse_case` refuses;
    - 200 ``{"status": "success"}`` once ``on_case`` returned. 200 because the docs do not
      show this webhook's answer and 200 with that body is LucidGreen's own generic success;
    - 500 ``{"status": "error"}`` when ``on_case`` raised (logged, never echoed). An
      ``aiohttp.web.HTTPException`` raised by ``on_case`` is passed through, so your code
      can refuse a case with a status of its own.
    """
    check = _TokenCheck(token)

    async def receive_case(request: web.Request) -> web.StreamResponse:
        refusal = check.refusal(request)
        if refusal is not None:
            return refusal
        if request.method != hdrs.METH_POST:
            return _json({"detail": f'Method "{request.method}" not allowed.'}, 405, allow="POST")
        if not _declares_json(request):
            return _json({"detail": f'Unsupported media type "{request.content_type}".'}, 415)
        try:
            case = parse_case(await request.read())
        except DecodeError as exc:
            return _json({"status": "invalid payload", "reason": str(exc)}, 400)
        try:
            await on_case(case)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("Receive Case callback failed for case %r", _case_label(case))
            return _json({"status": "error", "detail": "The case could not be processed."}, 500)
        return _json({"status": "success"}, 200)

    return receive_case


def transactions_handler(
    token: str | Sequence[str],
    fetch_transactions: TransactionsSource,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Handler:
    """An aiohttp.web handler for the Retail Transactions query (``GET``).

    Reads the window with :func:`~lucidgreen.push.parse_transactions_query` (``clock``
    decides "today" for the default window, for tests), awaits
    ``fetch_transactions(start, end)`` and answers the list that
    :func:`~lucidgreen.push.build_transactions_response` makes of what it returned (so
    sales outside the window or without a LucidID are left out even if returned).

    Answers 401 as :func:`webhook_handler` does, 405 for a method other than ``GET`` or
    ``HEAD``, 400 ``{"status": "invalid payload", "reason": ...}`` for unreadable dates,
    500 when ``fetch_transactions`` raised, and on success **201 Created**: odd for a query,
    but it is the status the docs list for success, and LucidRetail is written against them.
    """
    check = _TokenCheck(token)
    now = clock or _utc_now

    async def retail_transactions(request: web.Request) -> web.StreamResponse:
        refusal = check.refusal(request)
        if refusal is not None:
            return refusal
        if request.method not in (hdrs.METH_GET, hdrs.METH_HEAD):
            return _json({"detail": f'Method "{request.method}" not allowed.'}, 405, allow="GET")
        try:
            start, end = parse_transactions_query(request.query, now=now())
        except ValueError as exc:
            return _json({"status": "invalid payload", "reason": str(exc)}, 400)
        try:
            found = await fetch_transactions(start, end)
            body = build_transactions_response(found, start_date=start, end_date=end)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("Retail Transactions query failed for %s .. %s", start, end)
            return _json({"status": "error", "detail": "The transactions could not be read."}, 500)
        return _json(body, 201)

    return retail_transactions


def add_receive_case_route(
    app: web.Application, path: str, *, token: str | Sequence[str], on_case: CaseCallback
) -> web.AbstractRoute:
    """Mount :func:`webhook_handler` on ``app`` as ``POST path``; returns the route."""
    return app.router.add_post(path, webhook_handler(token, on_case))


def add_retail_transactions_route(
    app: web.Application,
    path: str,
    *,
    token: str | Sequence[str],
    fetch_transactions: TransactionsSource,
    clock: Callable[[], datetime] | None = None,
) -> web.AbstractRoute:
    """Mount :func:`transactions_handler` on ``app`` as ``GET path``; returns the route."""
    return app.router.add_get(path, transactions_handler(token, fetch_transactions, clock=clock))


class _TokenCheck:
    """Compares ``Authorization: Token <token>`` with the configured tokens. Strictly private.

    Tokens are kept as bytes (``hmac.compare_digest`` refuses non-ASCII ``str``) and every
    one is compared, so the time taken does not tell which token came closest. The repr
    shows how many tokens there are, never the tokens.
    """

    __slots__ = ("_tokens",)

    def __init__(self, token: str | Sequence[str]) -> None:
        tokens = (token,) if isinstance(token, str) else tuple(token)
        if not tokens or not all(each.strip() for each in tokens):
            # An empty token would let a bare "Token " header in.
            raise ValueError("token must be a non-empty string or a sequence of them")
        self._tokens = tuple(each.encode("utf-8", "surrogateescape") for each in tokens)

    def __repr__(self) -> str:
        return f"_TokenCheck(<{len(self._tokens)} token(s)>)"

    def refusal(self, request: web.Request) -> web.Response | None:
        """``None`` when the request carries a known token, else the 401 to answer."""
        header = request.headers.get(hdrs.AUTHORIZATION, "")
        scheme, _, presented = header.strip().partition(" ")
        presented = presented.strip()
        if scheme.lower() != _SCHEME or not presented:
            logger.warning("Push call from %s refused: no token", request.remote)
            return _unauthorized("Authentication credentials were not provided.")
        candidate = presented.encode("utf-8", "surrogateescape")
        known = False
        for expected in self._tokens:
            known |= hmac.compare_digest(candidate, expected)
        if not known:
            logger.warning("Push call from %s refused: unknown token", request.remote)
            return _unauthorized("Invalid token.")
        return None


def _unauthorized(detail: str) -> web.Response:
    response = _json({"detail": detail}, 401)
    response.headers[hdrs.WWW_AUTHENTICATE] = "Token"
    return response


def _declares_json(request: web.Request) -> bool:
    if hdrs.CONTENT_TYPE not in request.headers:
        return True
    media_type = request.content_type
    return media_type in _ACCEPTED_TYPES or media_type.endswith("+json")


def _json(body: Any, status: int, *, allow: str | None = None) -> web.Response:
    response = web.json_response(body, status=status, dumps=_dumps)
    if allow is not None:
        response.headers[hdrs.ALLOW] = allow
    return response


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _case_label(case: CaseDocument) -> str:
    return case.identifier or case.uuid or "<without uuid or identifier>"


def _utc_now() -> datetime:
    return datetime.now(UTC)
