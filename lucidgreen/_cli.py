"""The ``lucidgreen`` command: ``demo``, ``export`` and ``get`` (also ``python -m lucidgreen``).

Standard library plus the SDK only. Every failure ends with one line on stderr and an exit
code from :data:`EXIT_CODES`; no traceback and never a secret.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, NamedTuple

from ._version import __version__
from .errors import (
    AuthenticationError,
    InvalidLucidID,
    LucidGreenError,
    NotFound,
    TransportError,
)
from .source.models import AssetType

__all__ = ["EXIT_CODES", "Credentials", "UsageError", "credentials", "main"]

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

ENV_CLIENT_ID = "LUCIDGREEN_CLIENT_ID"
ENV_CLIENT_SECRET = "LUCIDGREEN_CLIENT_SECRET"
ENV_TOKEN = "LUCIDGREEN_TOKEN"

SOURCE_GET_KINDS = ("product", "batch", "brand", "item", "collection", "case", "coa", "asset")
RETAIL_GET_KINDS = ("product", "batch", "brand", "inventory-collection")
ASSET_TYPES = tuple(member.value for member in AssetType)

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


class UsageError(Exception):
    """A problem with the command line or the local state, reported with exit code 2."""


def _epilog() -> str:
    codes = "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())
    return (
        "examples:\n"
        "  lucidgreen demo                       run a sync against an embedded fake API\n"
        "  lucidgreen export source products --out products.jsonl [--resume]\n"
        "  lucidgreen get source product UNDTMBovdue9tFWfhamnDM\n"
        "\n"
        f"credentials: --client-id/--client-secret or ${ENV_CLIENT_ID}/${ENV_CLIENT_SECRET};\n"
        f"  or a ready bearer token with --token or ${ENV_TOKEN}. Prefer the environment:\n"
        "  command-line arguments are visible to other users of the machine.\n"
        "\n"
        f"exit codes:\n{codes}"
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _rate(text: str) -> tuple[int, float]:
    """``"5000/60"`` (requests per seconds) or ``"5000/min"``."""
    count, _, window = text.partition("/")
    try:
        limit = int(count)
        per = 60.0 if window.strip() in ("m", "min", "minute") else float(window)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected N/SECONDS such as 60/60, got {text!r}"
        ) from None
    if limit < 1 or not (per > 0 and math.isfinite(per)):
        raise argparse.ArgumentTypeError(f"need N >= 1 and SECONDS > 0, got {text!r}")
    return limit, per


def _connection_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    add = group.add_argument
    add("--client-id", help=f"OAuth2 client id (default: ${ENV_CLIENT_ID})")
    add("--client-secret", help=f"OAuth2 client secret (default: ${ENV_CLIENT_SECRET})")
    add("--token", help=f"a ready bearer token instead of client credentials (${ENV_TOKEN})")
    add("--environment", choices=("production", "test"), default="production")
    add("--base-url", help="API origin overriding --environment (http:// only for loopback)")
    add("--timeout", type=float, default=30.0, help="seconds per HTTP exchange (default 30)")
    add("--max-retries", type=_positive, default=5, help="retries per request (default 5)")
    add(
        "--rate-limit",
        type=_rate,
        metavar="N/SECONDS",
        help="your key's limit if LucidGreen raised it, e.g. 5000/60 (default: the documented "
        "60/60 for LucidSource, 1000/60 for LucidRetail)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    from . import _cli_demo, _cli_export

    parser = argparse.ArgumentParser(
        prog="lucidgreen",
        description="Command-line tools of the lucidgreen SDK (LucidSource and LucidRetail).",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lucidgreen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    connection = _connection_options()

    demo = commands.add_parser(
        "demo",
        help="sync everything from an embedded fake API and print a summary",
        description=(
            "Start an embedded fake LucidGreen API on loopback, with time-compressed rate "
            "limits and a little fault injection, and run a concurrent sync through the SDK."
        ),
    )
    demo.add_argument("--products", type=_positive, default=300, help="default 300")
    demo.add_argument("--prefetch", type=_positive, default=4, help="pages fetched ahead")
    demo.add_argument("--seed", type=int, default=0, help="data and fault seed")
    demo.add_argument("--concurrency", type=_positive, default=16, help="details in flight")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    demo.set_defaults(handler=_cli_demo.run)

    export = commands.add_parser("export", help="write a whole list to a JSON Lines file")
    export_products = export.add_subparsers(dest="product", required=True, metavar="PRODUCT")
    source_export = export_products.add_parser(
        "source",
        parents=[connection],
        help="a LucidSource list",
        description="Export a LucidSource list, one JSON object per line, resumable.",
    )
    source_export.add_argument("what", choices=("products", "batches", "assets"))
    source_export.add_argument("--asset-type", choices=ASSET_TYPES, default="texts")
    source_export.add_argument("--out", required=True, help="the .jsonl file to write")
    source_export.add_argument(
        "--resume",
        action="store_true",
        help="continue after the last complete page recorded in OUT.cursor",
    )
    source_export.add_argument("--prefetch", type=_positive, default=0, help="pages ahead")
    source_export.add_argument("--no-progress", action="store_true")
    source_export.set_defaults(handler=_cli_export.export_source)

    retail_export = export_products.add_parser(
        "retail",
        parents=[connection],
        help="the LucidRetail package-UID export",
        description="Download the daily package-UID export: one CaseID per line.",
    )
    retail_export.add_argument("what", choices=("package-uids",))
    retail_export.add_argument("--out", required=True, help="the .jsonl file to write")
    retail_export.add_argument("--date", help="YYYY-MM-DD (default: the latest export)")
    retail_export.add_argument("--no-progress", action="store_true")
    retail_export.set_defaults(handler=_cli_export.export_retail)

    get = commands.add_parser("get", help="print one resource as JSON")
    get_products = get.add_subparsers(dest="product", required=True, metavar="PRODUCT")
    source_get = get_products.add_parser("source", parents=[connection], help="LucidSource")
    source_get.add_argument("kind", choices=SOURCE_GET_KINDS)
    source_get.add_argument("id", help="uuid / LucidID (collection and case: any identifier)")
    source_get.add_argument("--asset-type", choices=ASSET_TYPES, default="texts")
    source_get.set_defaults(handler=_cli_export.get_source)
    retail_get = get_products.add_parser("retail", parents=[connection], help="LucidRetail")
    retail_get.add_argument("kind", choices=RETAIL_GET_KINDS)
    retail_get.add_argument("id", help="uuid, or a LucidID for inventory-collection")
    retail_get.set_defaults(handler=_cli_export.get_retail)
    return parser


class Credentials(NamedTuple):
    """Either ``client_id`` and ``client_secret``, or ``token``."""

    client_id: str | None = None
    client_secret: str | None = None
    token: str | None = None


def credentials(args: argparse.Namespace) -> Credentials:
    """The credentials of a command: flags first, then the environment."""
    token, client_id, client_secret = args.token, args.client_id, args.client_secret
    if token is not None and (client_id is not None or client_secret is not None):
        raise UsageError("pass either --token or --client-id/--client-secret, not both")
    if token is not None:
        return Credentials(token=token)
    client_id = client_id or os.environ.get(ENV_CLIENT_ID)
    client_secret = client_secret or os.environ.get(ENV_CLIENT_SECRET)
    if client_id and client_secret:
        return Credentials(client_id, client_secret)
    if not (client_id or client_secret) and os.environ.get(ENV_TOKEN):
        return Credentials(token=os.environ[ENV_TOKEN])
    missing = "--client-secret" if client_id else "--client-id"
    raise UsageError(
        f"credentials missing ({missing}): pass --client-id and --client-secret, or set "
        f"{ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (or {ENV_TOKEN})"
    )


def _fail(message: str, code: int) -> int:
    text = " ".join(message.split())  # one line, whatever the message holds
    print(f"lucidgreen: {text}", file=sys.stderr, flush=True)
    return code


def _first_error(group: BaseExceptionGroup[Any]) -> BaseException:
    """The first leaf of a (nested) exception group: what a task group's failure was."""
    first = group.exceptions[0]
    return _first_error(first) if isinstance(first, BaseExceptionGroup) else first


async def _unwrapped(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return await handler(args)
    except BaseExceptionGroup as group:
        raise _first_error(group) from None


def _run(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_unwrapped(handler, args))
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except UsageError as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    except AuthenticationError as exc:
        return _fail(f"bad credentials: {exc}", EXIT_AUTH)
    except InvalidLucidID as exc:
        return _fail(f"bad ID: {exc}", EXIT_NOT_FOUND)
    except NotFound as exc:
        return _fail(f"not found: {exc}", EXIT_NOT_FOUND)
    except TransportError as exc:
        return _fail(f"network failure: {exc}", EXIT_NETWORK)
    except LucidGreenError as exc:
        return _fail(f"API error: {exc}", EXIT_API)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"error: {exc.strerror or exc}{where}", EXIT_LOCAL)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        return _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_LOCAL)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Runs its own event loop: call it from a thread (``asyncio.to_thread(main, argv)``) when
    a loop is already running in this one.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Handler = args.handler
    return _run(handler, args)
