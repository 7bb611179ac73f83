"""What every command shares: exit codes, the credential rules, and building a client."""

from __future__ import annotations

import argparse
import os
from typing import NamedTuple, TypeVar

from .. import _settings
from .._client import BaseClient
from ..ratelimit import RateLimiter
from ..retry import RetryPolicy
from ._waits import AnnouncingLimiter, WaitReporter

__all__ = [
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_TOKEN",
    "EXIT_CODES",
    "Credentials",
    "UsageError",
    "credentials",
    "make_client",
]

EXIT_OK = 0
EXIT_LOCAL = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_NETWORK = 5
EXIT_API = 6
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_LOCAL: "local failure (the output file could not be written, or an unexpected error)",
    EXIT_USAGE: "usage error (bad arguments, missing credentials, unusable --resume state)",
    EXIT_AUTH: "bad credentials (the token endpoint or the API refused them)",
    EXIT_NOT_FOUND: "bad ID (refused before any request) or no such resource (HTTP 404)",
    EXIT_NETWORK: "network failure (connection refused or dropped, timeout), after retries",
    EXIT_API: "any other API error (HTTP 403, 5xx after retries, an unexpected response)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

# The generic variables, named by the one module that reads them for clients and CLI alike.
ENV_CLIENT_ID = _settings.variable_names("source", "CLIENT_ID")[1]
ENV_CLIENT_SECRET = _settings.variable_names("source", "CLIENT_SECRET")[1]
ENV_TOKEN = _settings.variable_names("source", "TOKEN")[1]


class UsageError(Exception):
    """A problem with the command line or the local state, reported with exit code 2."""


class Credentials(NamedTuple):
    """Either ``client_id`` and ``client_secret``, or ``token``."""

    client_id: str | None = None
    client_secret: str | None = None
    token: str | None = None


def settings(args: argparse.Namespace, product: str) -> _settings.Settings:
    """A command's configuration: flags first, then the same ``LUCIDGREEN_*`` variables, in
    the same order, as the clients read (:func:`lucidgreen._settings.resolve`)."""
    try:
        found = _settings.resolve(
            os.environ,
            product,
            credentials=_settings.Credentials(args.client_id, args.client_secret, args.token),
            environment=args.environment,
            base_url=args.base_url,
            names=_settings.FLAGS,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    given = found.credentials
    if given.token is None and not (given.client_id and given.client_secret):
        raise UsageError(_settings.missing_credentials_message(product, _settings.FLAGS, given))
    return found


def credentials(args: argparse.Namespace, product: str = "source") -> Credentials:
    """The credentials of a command: flags first, then the environment."""
    found = settings(args, product).credentials
    return Credentials(found.client_id, found.client_secret, found.token)


C = TypeVar("C", bound=BaseClient)


def make_client(cls: type[C], args: argparse.Namespace, *, waits: WaitReporter | None = None) -> C:
    """A client of ``cls`` configured from the connection options of ``args``.

    With ``waits``, retries and rate-limit waits are reported as they start.
    """
    found = settings(args, cls._spec.name)
    given = found.credentials
    bucket = cls._spec.default_limiter(args.rate_limit)
    limiter: RateLimiter = bucket
    hooks = None
    if waits is not None:
        limiter = AnnouncingLimiter(limiter, waits, f"{bucket.limit} requests per {bucket.per:g} s")
        hooks = waits.hooks()
    try:
        return cls(
            given.client_id,
            given.client_secret,
            token=given.token,
            environment=found.environment,  # type: ignore[arg-type]  # checked by resolve
            base_url=found.base_url,
            timeout=args.timeout,
            retry=RetryPolicy(max_retries=args.max_retries),
            rate_limiter=limiter,
            hooks=hooks,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
