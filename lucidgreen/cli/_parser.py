"""The command line: ``demo``, ``export`` and ``get`` with their options and the epilog."""

from __future__ import annotations

import argparse
import inspect

from .. import _config, _settings
from .._client import BaseClient
from .._version import __version__
from ..ratelimit._arithmetic import check_limit, check_per
from ..retry import RetryPolicy
from ..source.models import AssetType
from . import _demo, _export, _get
from ._common import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TOKEN, EXIT_CODES

__all__ = ["build_parser"]

SOURCE_GET_KINDS = tuple(_get.SOURCE_READS)
RETAIL_GET_KINDS = tuple(_get.RETAIL_READS)
ASSET_TYPES = tuple(member.value for member in AssetType)
# The clients' own defaults, read where they are set, so the flags cannot drift from them.
CLIENT_TIMEOUT: float = inspect.signature(BaseClient.__init__).parameters["timeout"].default
MAX_RETRIES = RetryPolicy().max_retries
FLAGS = _settings.FLAGS


def _epilog() -> str:
    codes = "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())
    return (
        "examples:\n"
        "  lucidgreen demo                       run a sync against an embedded fake API\n"
        "  lucidgreen export source products --out products.jsonl [--resume | --force]\n"
        "  lucidgreen get source product UNDTMBovdue9tFWfhamnDM\n"
        "\n"
        f"credentials: --client-id/--client-secret or ${ENV_CLIENT_ID}/${ENV_CLIENT_SECRET};\n"
        f"  or a ready bearer token with --token or ${ENV_TOKEN}. Per product,\n"
        "  LUCIDGREEN_SOURCE_* / LUCIDGREEN_RETAIL_* win over these (as in the clients).\n"
        "  Prefer the environment:\n"
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
    """``"5000/60"`` (requests per seconds) or ``"5000/min"``, within the bounds every
    limiter checks (so what the parser takes, the limiter takes)."""
    if not text.isascii():  # int() and float() read any script's digits (U+0665 as 5)
        raise argparse.ArgumentTypeError(f"expected ASCII digits such as 60/60, got {text!r:.60}")
    count, _, window = text.partition("/")
    try:
        limit = int(count)
        per = 60.0 if window.strip() in ("m", "min", "minute") else float(window)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected N/SECONDS such as 60/60, got {text!r:.60}"
        ) from None
    try:
        return check_limit(limit), check_per(per)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r:.60}: {exc}") from None


def _connection_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    add = group.add_argument
    add(FLAGS.client_id, help=f"OAuth2 client id (default: ${ENV_CLIENT_ID})")
    add(FLAGS.client_secret, help=f"OAuth2 client secret (default: ${ENV_CLIENT_SECRET})")
    add(FLAGS.token, help=f"a ready bearer token instead of client credentials (${ENV_TOKEN})")
    add(
        "--environment",
        choices=_settings.ENVIRONMENTS,
        help="default: $LUCIDGREEN_<PRODUCT>_ENVIRONMENT, $LUCIDGREEN_ENVIRONMENT, production",
    )
    add(
        "--base-url",
        help="API origin overriding --environment (http:// only for loopback; default: "
        "$LUCIDGREEN_<PRODUCT>_BASE_URL, $LUCIDGREEN_BASE_URL)",
    )
    add(
        "--timeout",
        type=float,
        default=CLIENT_TIMEOUT,
        help=f"seconds per HTTP exchange (default {CLIENT_TIMEOUT:g})",
    )
    add(
        "--max-retries",
        type=_positive,
        default=MAX_RETRIES,
        help=f"retries per request (default {MAX_RETRIES})",
    )
    source, retail = (_config.SOURCE.default_limiter(), _config.RETAIL.default_limiter())
    add(
        "--rate-limit",
        type=_rate,
        metavar="N/SECONDS",
        help="your key's limit if LucidGreen raised it, e.g. 5000/60 (default: the documented "
        f"{source.limit}/{source.per:g} for LucidSource, {retail.limit}/{retail.per:g} for "
        "LucidRetail)",
    )
    return parent


_OUT_HELP = (
    "the .jsonl file to write; - for stdout (a FIFO or a device is written as a stream, "
    "never resumed or removed)"
)


def _resume_options(parser: argparse.ArgumentParser, resume_help: str) -> None:
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--resume", action="store_true", help=resume_help)
    choice.add_argument(
        "--force", action="store_true", help="overwrite OUT and its cursor if they exist"
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``lucidgreen`` command's argument parser."""
    parser = argparse.ArgumentParser(
        prog="lucidgreen",
        description="Command-line tools of the lucidgreen SDK (LucidSource and LucidRetail).",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lucidgreen {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log the SDK's requests and retries to stderr (as LUCIDGREEN_LOG=debug; no secrets)",
    )
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
    demo.set_defaults(handler=_demo.run)

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
    source_export.add_argument("--out", required=True, help=_OUT_HELP)
    _resume_options(source_export, "continue after the last complete page recorded in OUT.cursor")
    source_export.add_argument("--prefetch", type=_positive, default=0, help="pages ahead")
    source_export.add_argument("--no-progress", action="store_true")
    source_export.set_defaults(handler=_export.export_source)

    retail_export = export_products.add_parser(
        "retail",
        parents=[connection],
        help="the LucidRetail package-UID export",
        description="Download the daily package-UID export: one CaseID per line.",
    )
    retail_export.add_argument("what", choices=("package-uids",))
    retail_export.add_argument("--out", required=True, help=_OUT_HELP)
    retail_export.add_argument("--date", help="YYYY-MM-DD (default: the latest export)")
    _resume_options(
        retail_export, "continue after the last line recorded in OUT.cursor (same export)"
    )
    retail_export.add_argument("--no-progress", action="store_true")
    retail_export.set_defaults(handler=_export.export_retail)

    get = commands.add_parser("get", help="print one resource as JSON")
    get_products = get.add_subparsers(dest="product", required=True, metavar="PRODUCT")
    source_get = get_products.add_parser("source", parents=[connection], help="LucidSource")
    source_get.add_argument("kind", choices=SOURCE_GET_KINDS)
    source_get.add_argument("id", help="uuid / LucidID (collection and case: any identifier)")
    source_get.add_argument("--asset-type", choices=ASSET_TYPES, default="texts")
    source_get.set_defaults(handler=_get.get_source)
    retail_get = get_products.add_parser("retail", parents=[connection], help="LucidRetail")
    retail_get.add_argument("kind", choices=RETAIL_GET_KINDS)
    retail_get.add_argument("id", help="uuid, or a LucidID for inventory-collection")
    retail_get.set_defaults(handler=_get.get_retail)
    return parser
