"""Bearer tokens: OAuth2 client credentials (cached, renewed once), or a static token.

``ClientCredentials`` asks ``/o/token/`` for a token, keeps it, and renews it a margin
before ``expires_in`` runs out (10 % of the lifetime, at most 5 minutes), counted from when
the answer arrived. Every token is used at least once, however short-lived: a token that
lives less than the endpoint takes to answer must not make each renewal crowd out every
request. Tokens that expire before anything can send them, a few in a row, end in
``AuthenticationError`` rather than an endless run of renewals. However many tasks
find the token missing or stale at once, one renewal runs, with one retry schedule: every
waiter shares its outcome, so when ``/o/token/`` keeps failing they all fail together when
the schedule gives up (or each at its own call's deadline), never one schedule after another.
After a 401 the pipeline calls :meth:`ClientCredentials.invalidate` with the token that
failed; the token is dropped only if it is still the current one, so a burst of 401s from
one expiry costs one renewal.

The token endpoint's 2xx body holds the token, so no error, log or repr ever quotes it.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import attrs

from ._headers import check_credential
from ._secrets import scrubbed
from ._transport import Request, Response
from .errors import AuthenticationError, BadRequest, DecodeError, retyped

__all__ = ["Auth", "ClientCredentials", "Secret", "StaticToken"]

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

    def is_current(self, token: str) -> bool:
        """Whether ``token`` may still be sent (no renewal is due). Never waits."""
        ...

    async def aclose(self) -> None:
        """Stop any renewal still running (the client is closing)."""
        ...


@attrs.frozen(repr=False)
class Secret:
    """A credential held so that no repr, however deep a debugger or log walks, shows it."""

    value: str

    def __repr__(self) -> str:
        return "Secret(<hidden>)"


class StaticToken:
    """A ready bearer token (``token=`` on a client). It cannot be renewed."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("token= must be a non-empty bearer token")
        self._token = Secret(check_credential(token, "token="))

    async def token(self) -> str:
        """The token, as given."""
        return self._token.value

    async def invalidate(self, failed: str) -> bool:
        """A static token cannot be renewed: a 401 is final."""
        del failed
        return False

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is the static token."""
        return token == self._token.value

    async def aclose(self) -> None:
        """Nothing runs in the background for a static token."""

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"


@attrs.define
class _Token:
    value: str = attrs.field(repr=False)
    renew_at: float
    expires_at: float
    #: Sent at least once (passed :meth:`ClientCredentials.is_current`).
    used: bool = False
    #: Found expired before its first use (counted once towards the renewal bound).
    wasted: bool = False


def renewal_time(issued_at: float, expires_in: float) -> float:
    """When a token issued at ``issued_at`` should be renewed (pure)."""
    return issued_at + expires_in - min(_MAX_MARGIN, expires_in * _MARGIN_FRACTION)


#: Tokens in a row that expired before any request could send them: then renewing again
#: cannot help (the waits between getting a token and sending it outlast its life).
MAX_WASTED_TOKENS = 3

_DEFAULT_EXPIRES_IN = 36000.0
# RFC 6750 b64token: anything else could smuggle a header line or spaces into Authorization.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def parse_token_answer(response: Response) -> tuple[str, float]:
    """``(access_token, expires_in)`` from a 2xx token answer; ``DecodeError`` otherwise.

    Pure. The error never quotes the body: a truncated or odd answer may still hold a token.
    """
    try:
        data = json.loads(response.body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise DecodeError(
            f"the token endpoint answered HTTP {response.status} with "
            f"{len(response.body)} bytes that are not a JSON object (content type "
            f"{response.headers.get('content-type', 'none')!r}); the body is withheld "
            "because it may hold a token",
            status=response.status,
        )
    value, expires_in = data.get("access_token"), data.get("expires_in", _DEFAULT_EXPIRES_IN)
    usable_expiry = (
        isinstance(expires_in, int | float)
        and not isinstance(expires_in, bool)
        and math.isfinite(expires_in)
        and expires_in > 0
    )
    if not (isinstance(value, str) and _B64TOKEN.fullmatch(value) and usable_expiry):
        raise DecodeError(
            "the token endpoint answered without a usable access_token (a non-empty RFC 6750 "
            "token) and expires_in (a number of seconds > 0); keys present: "
            f"{sorted(str(key)[:40] for key in data)[:20]}",
            status=response.status,
        )
    return value, float(expires_in)


class ClientCredentials:
    """OAuth2 client-credentials grant against ``token_url`` with single-flight renewal.

    ``send`` delivers one token request, retrying on its own schedule (the client passes a
    pipeline that spends no rate-limit budget).
    """

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
        # RFC 6749 allows printable ASCII only (VSCHAR); a line break is a typo or an attack.
        self.client_id: str = check_credential(client_id, "client_id=")
        self._client_secret = Secret(check_credential(client_secret, "client_secret="))
        self._token_url = token_url
        self._send = send
        self._clock = clock
        self._current: _Token | None = None
        self._renewal: asyncio.Task[str] | None = None
        self._wasted_in_a_row = 0
        self._last_expires_in = 0.0
        self.tokens_issued: int = 0

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=<hidden>)"

    def _fresh(self) -> str | None:
        current = self._current
        if current is not None and self._clock() < current.renew_at:
            return current.value
        return None

    async def token(self) -> str:
        """A fresh token: the cached one, or the outcome of the one renewal in progress."""
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        renewal = self._renewal
        if renewal is None:
            renewal = self._renewal = asyncio.ensure_future(self._renew())
            renewal.add_done_callback(self._renewal_done)
        # Shielded: a waiter that gives up (cancelled, or its deadline) leaves the renewal
        # running for the others.
        return await asyncio.shield(renewal)

    def _renewal_done(self, task: asyncio.Task[str]) -> None:
        if self._renewal is task:
            self._renewal = None
        if not task.cancelled():
            task.exception()  # seen by its waiters; retrieved here in case none is left

    async def _renew(self) -> str:
        if self._wasted_in_a_row >= MAX_WASTED_TOKENS:
            wasted, self._wasted_in_a_row = self._wasted_in_a_row, 0
            raise AuthenticationError(
                f"the token endpoint's tokens expire before they can be used: {wasted} tokens "
                f"in a row (expires_in {self._last_expires_in:g} s) expired before any request "
                "could send one; the token endpoint, or the waits for rate-limit budget, are "
                "slower than a token lives",
                status=200,
            )
        self._current = await self._request_token()
        return self._current.value

    async def invalidate(self, failed: str) -> bool:
        """Drop ``failed`` if it is still the current token; a renewal may help."""
        if self._current is not None and self._current.value == failed:
            self._current = None
        return True

    def is_current(self, token: str) -> bool:
        """Whether ``token`` may be sent now: the cached token, and no renewal due yet or,
        for its first use, not expired yet (a token is always used at least once, however
        short-lived, so renewing can never crowd out every request)."""
        current = self._current
        if current is None or current.value != token:
            return False
        now = self._clock()
        usable = now < current.renew_at or (not current.used and now < current.expires_at)
        if usable:
            current.used = True
            self._wasted_in_a_row = 0
        elif not current.used and not current.wasted:
            current.wasted = True
            self._wasted_in_a_row += 1
        return usable

    async def aclose(self) -> None:
        """Cancel a renewal still running (the client is closing)."""
        renewal, self._renewal = self._renewal, None
        if renewal is not None and not renewal.done():
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)

    async def _request_token(self) -> _Token:
        request = Request(
            "POST",
            self._token_url,
            form={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret.value,
            },
            headers={"Accept": "application/json"},
            authenticated=False,
        )
        try:
            response = await self._send(request)
        except (AuthenticationError, BadRequest) as exc:
            # DOT answers 401 invalid_client or 400 invalid_grant/unsupported_grant_type.
            # A hostile endpoint could echo the secret back: it never reaches the error (the
            # exchange hid it already when ``send`` is the pipeline's; a caller's may not be).
            exc = scrubbed(exc, [self._client_secret.value])
            refused = retyped(
                exc,
                AuthenticationError,
                message=f"LucidGreen refused the client credentials for client_id "
                f"{self.client_id!r}: {exc.message}",
            )
        else:
            value, expires_in = parse_token_answer(response)
            # Its life counts from its answer's arrival: counted from the request, a token
            # living less than the endpoint takes to answer would be stale on arrival.
            arrived = self._clock()
            self.tokens_issued += 1
            self._last_expires_in = expires_in
            return _Token(
                value=value,
                renew_at=renewal_time(arrived, expires_in),
                expires_at=arrived + expires_in,
            )
        raise refused from None
