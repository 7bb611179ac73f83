"""Bearer tokens: OAuth2 client credentials (cached, renewed once), or a static token.

``ClientCredentials`` asks ``/o/token/`` for a token, keeps it, and renews it a margin
before ``expires_in`` runs out (10 % of the lifetime, at most 5 minutes). However many tasks
find the token missing or stale at once, exactly one request goes to ``/o/token/``: the
others wait on the same lock and then find the fresh token. After a 401 the pipeline calls
:meth:`ClientCredentials.invalidate` with the token that failed; the token is dropped only
if it is still the current one, so a burst of 401s from one expiry costs one renewal.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import attrs

from . import _envelopes
from ._http import Request, Response
from .errors import AuthenticationError, BadRequest, DecodeError

__all__ = ["Auth", "ClientCredentials", "StaticToken"]

_MAX_MARGIN = 300.0
_MARGIN_FRACTION = 0.1

Send = Callable[[Request], Awaitable[Response]]


class Auth(Protocol):
    """What the pipeline needs from a credential."""

    async def token(self) -> str:
        """A bearer token that is valid now."""
        ...

    async def invalidate(self, failed: str) -> bool:
        """The server refused ``failed`` (401). Return whether a new token may help."""
        ...


class StaticToken:
    """A ready bearer token (``token=`` on a client). It cannot be renewed."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("token= must be a non-empty bearer token")
        self._token = token

    async def token(self) -> str:
        return self._token

    async def invalidate(self, failed: str) -> bool:
        del failed
        return False

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"


@attrs.frozen
class _Token:
    value: str = attrs.field(repr=False)
    renew_at: float


def renewal_time(issued_at: float, expires_in: float) -> float:
    """When a token issued at ``issued_at`` should be renewed (pure)."""
    return issued_at + expires_in - min(_MAX_MARGIN, expires_in * _MARGIN_FRACTION)


class ClientCredentials:
    """OAuth2 client-credentials grant against ``token_url`` with single-flight renewal."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str,
        *,
        send: Send,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must both be non-empty")
        self.client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._send = send
        self._clock = clock
        self._current: _Token | None = None
        self._lock = asyncio.Lock()
        self.tokens_issued = 0

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=<hidden>)"

    def _fresh(self) -> str | None:
        current = self._current
        if current is not None and self._clock() < current.renew_at:
            return current.value
        return None

    async def token(self) -> str:
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        async with self._lock:
            # Whoever held the lock before us may have renewed it already.
            fresh = self._fresh()
            if fresh is None:
                self._current = await self._request_token()
                fresh = self._current.value
            return fresh

    async def invalidate(self, failed: str) -> bool:
        async with self._lock:
            if self._current is not None and self._current.value == failed:
                self._current = None
        return True

    async def _request_token(self) -> _Token:
        request = Request(
            "POST",
            self._token_url,
            form={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
            },
            headers={"Accept": "application/json"},
            authenticated=False,
        )
        issued_at = self._clock()
        try:
            response = await self._send(request)
        except (AuthenticationError, BadRequest) as exc:
            # DOT answers 401 invalid_client or 400 invalid_grant/unsupported_grant_type.
            raise AuthenticationError(
                f"LucidGreen refused the client credentials for client_id "
                f"{self.client_id!r}: {exc.message}",
                status=exc.status,
                body=exc.body,
                data=exc.data,
                headers=exc.headers,
                request_id=exc.request_id,
            ) from exc
        data = _envelopes.decode_object(response.status, response.headers, response.body)
        value, expires_in = data.get("access_token"), data.get("expires_in", 36000)
        if not isinstance(value, str) or not value or not isinstance(expires_in, int | float):
            raise DecodeError(
                "the token endpoint answered without a usable access_token/expires_in",
                text=f"keys: {sorted(data)}",  # never the token itself
                status=response.status,
            )
        self.tokens_issued += 1
        return _Token(value=value, renew_at=renewal_time(issued_at, float(expires_in)))
