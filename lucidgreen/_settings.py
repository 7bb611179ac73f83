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
A level holding half a pair takes the other half from the levels after it (a client id
passed in, the secret from ``LUCIDGREEN_CLIENT_SECRET``); a complete pair is never split.
A blank value (empty or only whitespace), passed in or set, counts as not given: a stray
space in a shell must not become a credential that fails only at the server. A credential
that could not go into a header line as is (CR, LF, a control or a non-ASCII character), or
that has leading or trailing whitespace (a pasted ``" tok"`` would go out as ``Bearer  tok``),
is refused with a ``ValueError`` naming where it came from, never quoting it.
Pure: the environment is passed in.

:func:`resolve` is the one order every reader follows — arguments, then the product's
variables, then the generic ones, then the defaults — and both the clients and the CLI call
it, so a shell configures them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

import attrs

from ._config import Environment
from ._headers import check_credential

__all__ = [
    "FLAGS",
    "KEYWORDS",
    "Credentials",
    "OptionNames",
    "Settings",
    "base_url_from",
    "credentials_from",
    "environment_from",
    "missing_credentials_message",
    "resolve",
    "variable_names",
]

_PREFIX = "LUCIDGREEN"
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)


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


def _credential(value: str | None, source: str) -> str | None:
    """``value``, or None when it is blank; ``ValueError`` naming ``source`` when it could
    not be sent as is."""
    if value is None or not value.strip():
        return None
    return check_credential(value, source)


def _level(environ: Mapping[str, str], product: str, level: int) -> Credentials:
    def read(setting: str) -> str | None:
        name = variable_names(product, setting)[level]
        return _credential(environ.get(name), name)

    client_id, client_secret = read("CLIENT_ID"), read("CLIENT_SECRET")
    if client_id or client_secret:  # a pair, even half a one, wins over its level's token
        return Credentials(client_id, client_secret)
    return Credentials(token=read("TOKEN"))


def _arguments(given: Credentials, names: OptionNames) -> Credentials:
    """The credentials a caller passed, blanks as not given; a token beside a client id or
    secret is refused (the one check for the clients and the CLI)."""
    found = Credentials(
        _credential(given.client_id, names.client_id),
        _credential(given.client_secret, names.client_secret),
        _credential(given.token, names.token),
    )
    if found.token and (found.client_id or found.client_secret):
        raise ValueError(
            f"pass either {names.token} or {names.client_id}/{names.client_secret}, not both"
        )
    return found


def _first(levels: list[Credentials]) -> Credentials:
    """The credentials of the first level that has any, a half pair completed from the
    levels after it (each half from the first that has it)."""
    for at, level in enumerate(levels):
        if level.client_id or level.client_secret:
            rest = levels[at:]
            client_id = next((c.client_id for c in rest if c.client_id), None)
            client_secret = next((c.client_secret for c in rest if c.client_secret), None)
            return Credentials(client_id, client_secret)
        if level.token:
            return Credentials(token=level.token)
    return Credentials()


def credentials_from(environ: Mapping[str, str], product: str) -> Credentials:
    """The credentials in ``environ``, product level first."""
    return _first([_level(environ, product, 0), _level(environ, product, 1)])


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


@attrs.frozen
class OptionNames:
    """How a caller spells the three credential options in a message."""

    client_id: str
    client_secret: str
    token: str


#: The clients' constructor keywords.
KEYWORDS = OptionNames("client_id=", "client_secret=", "token=")
#: The ``lucidgreen`` command's flags.
FLAGS = OptionNames("--client-id", "--client-secret", "--token")


def missing_credentials_message(
    product: str, names: OptionNames = KEYWORDS, found: Credentials | None = None
) -> str:
    """Why no client can be built, in the caller's spelling; with ``found`` holding half a
    pair, which half is missing."""
    ids = " or ".join(variable_names(product, "CLIENT_ID"))
    secrets = " or ".join(variable_names(product, "CLIENT_SECRET"))
    tokens = " or ".join(variable_names(product, "TOKEN"))
    message = (
        f"credentials missing: pass {names.client_id} and {names.client_secret} "
        f"(or {names.token}), or set {ids} and {secrets} (or {tokens}) in the environment"
    )
    if found is not None and (found.client_id or found.client_secret):
        missing = names.client_secret if found.client_id else names.client_id
        message += f" ({missing} missing)"
    return message


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
    names: OptionNames = KEYWORDS,
) -> Settings:
    """Arguments first, then ``LUCIDGREEN_<PRODUCT>_*``, then ``LUCIDGREEN_*``, then defaults.

    Credentials come from the first level that has any; a half pair there is completed
    from the levels after it, so an id passed in pairs with ``LUCIDGREEN_CLIENT_SECRET``.
    ``names`` spell the arguments in a refusal (default: the clients' keywords).
    """
    given = _arguments(credentials or Credentials(), names)
    levels = [given, _level(environ, product, 0), _level(environ, product, 1)]
    return Settings(
        credentials=_first(levels),
        environment=environment or environment_from(environ, product),
        base_url=base_url if base_url is not None else base_url_from(environ, product),
    )
