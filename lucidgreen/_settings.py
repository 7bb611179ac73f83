"""Credentials and environment from ``LUCIDGREEN_*`` variables, when a caller passes none.

For each setting the product's own name comes first, then the generic one, so one shell can
hold both products' credentials, or one pair for both::

    LUCIDGREEN_SOURCE_CLIENT_ID / LUCIDGREEN_CLIENT_ID
    LUCIDGREEN_SOURCE_CLIENT_SECRET / LUCIDGREEN_CLIENT_SECRET
    LUCIDGREEN_SOURCE_TOKEN / LUCIDGREEN_TOKEN            (a ready bearer token)
    LUCIDGREEN_SOURCE_ENVIRONMENT / LUCIDGREEN_ENVIRONMENT  ("production" or "test")
    LUCIDGREEN_SOURCE_BASE_URL / LUCIDGREEN_BASE_URL        (an origin overriding the host)

(``RETAIL`` in place of ``SOURCE`` for LucidRetail.) A client id and secret found at one
level win over a token at the same level; the product's level wins over the generic one.
Pure: the environment is passed in.

:func:`resolve` is the one order every reader follows — arguments, then the product's
variables, then the generic ones, then the defaults — and both the clients and the CLI call
it, so a shell configures them alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = [
    "Credentials",
    "Settings",
    "base_url_from",
    "credentials_from",
    "environment_from",
    "resolve",
    "variable_names",
]

_PREFIX = "LUCIDGREEN"
ENVIRONMENTS = ("production", "test")


@attrs.frozen
class Credentials:
    """What a client authenticates with: a client id and secret, or a token."""

    client_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    token: str | None = attrs.field(default=None, repr=False)

    @property
    def given(self) -> bool:
        return any((self.client_id, self.client_secret, self.token))


def variable_names(product: str, setting: str) -> tuple[str, str]:
    """The product's variable and the generic one for ``setting`` (e.g. ``CLIENT_ID``)."""
    return f"{_PREFIX}_{product.upper()}_{setting}", f"{_PREFIX}_{setting}"


def credentials_from(environ: Mapping[str, str], product: str) -> Credentials:
    """The first complete set of credentials in ``environ``, product level first."""
    for level in (0, 1):

        def read(setting: str, level: int = level) -> str | None:
            return environ.get(variable_names(product, setting)[level]) or None

        client_id, client_secret = read("CLIENT_ID"), read("CLIENT_SECRET")
        if client_id or client_secret:
            return Credentials(client_id=client_id, client_secret=client_secret)
        token = read("TOKEN")
        if token:
            return Credentials(token=token)
    return Credentials()


def environment_from(environ: Mapping[str, str], product: str) -> str:
    """The environment named in ``environ``, else ``"production"``; a value that names no
    environment raises ``ValueError`` naming the variable it came from."""
    for name in variable_names(product, "ENVIRONMENT"):
        value = environ.get(name)
        if value:
            if value not in ENVIRONMENTS:
                raise ValueError(
                    f"{name}={value!r} names no environment: use one of {list(ENVIRONMENTS)}"
                )
            return value
    return "production"


def missing_credentials_message(product: str) -> str:
    ids = " or ".join(variable_names(product, "CLIENT_ID"))
    secrets = " or ".join(variable_names(product, "CLIENT_SECRET"))
    tokens = " or ".join(variable_names(product, "TOKEN"))
    return (
        "credentials missing: pass client_id= and client_secret= (or token=), or set "
        f"{ids} and {secrets} (or {tokens}) in the environment"
    )


def base_url_from(environ: Mapping[str, str], product: str) -> str | None:
    """The origin named in ``environ`` (product variable first), else None."""
    for name in variable_names(product, "BASE_URL"):
        value = environ.get(name)
        if value:
            return value
    return None


@attrs.frozen
class Settings:
    """Where a client goes and what it authenticates with, once every source is read."""

    credentials: Credentials
    environment: str
    base_url: str | None


def resolve(
    environ: Mapping[str, str],
    product: str,
    *,
    credentials: Credentials | None = None,
    environment: str | None = None,
    base_url: str | None = None,
) -> Settings:
    """Arguments first, then ``LUCIDGREEN_<PRODUCT>_*``, then ``LUCIDGREEN_*``, then defaults.

    Credentials are taken as a whole from the first level that has any (an id from the
    arguments is never paired with a secret from the environment).
    """
    given = credentials or Credentials()
    return Settings(
        credentials=given if given.given else credentials_from(environ, product),
        environment=environment or environment_from(environ, product),
        base_url=base_url if base_url is not None else base_url_from(environ, product),
    )
