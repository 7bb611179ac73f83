"""OAuth2 client credentials and bearer tokens, scoped per product.

The real products are two hosts with two token databases; the fake serves both from one
origin, so each issued token remembers its product and is refused (401, empty body) on the
other product's paths, exactly as an unknown token would be.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from typing import Literal, NamedTuple

import attrs

__all__ = ["Credentials", "Product", "TokenInfo", "TokenStore"]

Product = Literal["source", "retail"]

_ALNUM = string.ascii_letters + string.digits


class Credentials(NamedTuple):
    """A ``(client_id, client_secret)`` pair; unpacks like a tuple."""

    client_id: str
    client_secret: str


@attrs.define
class TokenInfo:
    """One issued access token. ``expires_at`` is on the fake's clock."""

    token: str
    client_id: str
    product: Product
    expires_at: float


@attrs.define
class TokenStore:
    """Registered clients and the tokens issued to them."""

    clock: Callable[[], float]
    rng: random.Random
    ttl: float = 36000.0
    clients: dict[str, tuple[Credentials, Product]] = attrs.field(factory=dict)
    tokens: dict[str, TokenInfo] = attrs.field(factory=dict)

    def add_client(self, product: Product, credentials: Credentials | None = None) -> Credentials:
        """Register a client of ``product``; generated credentials look like DOT's."""
        if credentials is None:
            credentials = Credentials(
                "".join(self.rng.choices(_ALNUM, k=40)), "".join(self.rng.choices(_ALNUM, k=128))
            )
        self.clients[credentials.client_id] = (credentials, product)
        return credentials

    def authenticate_client(self, client_id: str, client_secret: str) -> Product | None:
        """The client's product if the secret matches, else None."""
        entry = self.clients.get(client_id)
        if entry is None or entry[0].client_secret != client_secret:
            return None
        return entry[1]

    def issue(self, client_id: str) -> TokenInfo:
        """A fresh 30-character token living ``ttl`` seconds from now."""
        product = self.clients[client_id][1]
        info = TokenInfo(
            token="".join(self.rng.choices(_ALNUM, k=30)),
            client_id=client_id,
            product=product,
            expires_at=self.clock() + self.ttl,
        )
        self.tokens[info.token] = info
        return info

    def lookup(self, token: str) -> TokenInfo | None:
        """The live token, or None when unknown or expired."""
        info = self.tokens.get(token)
        if info is None or info.expires_at <= self.clock():
            return None
        return info

    def expire_all(self) -> int:
        """Expire every token issued so far; returns how many were still live."""
        now = self.clock()
        live = 0
        for info in self.tokens.values():
            if info.expires_at > now:
                live += 1
                info.expires_at = now
        return live
