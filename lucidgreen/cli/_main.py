"""The ``lucidgreen`` command: ``demo``, ``export`` and ``get`` (also ``python -m lucidgreen``).

Standard library plus the SDK only. Every failure ends with one line on stderr and an exit
code from :data:`EXIT_CODES`; no traceback and never a secret.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from .. import _logging
from ..errors import (
    AuthenticationError,
    InvalidLucidID,
    LucidGreenError,
    NotFound,
    TransportError,
)
from ._common import (
    EXIT_API,
    EXIT_AUTH,
    EXIT_INTERRUPTED,
    EXIT_LOCAL,
    EXIT_NETWORK,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from ._parser import build_parser

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


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


def _quiet_broken_pipe() -> int:
    """The reader of stdout went away (``| head``): end quietly, as Unix tools do.

    Python would try to flush stdout again at exit and print an error, so stdout is pointed
    at the null device first.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout has no file descriptor (a test's capture)
        pass
    return EXIT_OK


#: What each failure prints before its message, and its exit code; the first match wins.
_FAILURES: tuple[tuple[type[BaseException], str, int], ...] = (
    (UsageError, "error", EXIT_USAGE),
    (AuthenticationError, "bad credentials", EXIT_AUTH),
    (InvalidLucidID, "bad ID", EXIT_NOT_FOUND),
    (NotFound, "not found", EXIT_NOT_FOUND),
    (TransportError, "network failure", EXIT_NETWORK),
    (LucidGreenError, "API error", EXIT_API),
)


def _report(exc: Exception) -> int:
    """One line on stderr for a failure the command ended with, and its exit code."""
    for kind, prefix, code in _FAILURES:
        if isinstance(exc, kind):
            return _fail(f"{prefix}: {exc}", code)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"error: {exc.strerror or exc}{where}", EXIT_LOCAL)
    return _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_LOCAL)


def _run(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_unwrapped(handler, args))
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        return _report(exc)


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
    if args.debug:
        _logging.enable("debug")
    handler: Handler = args.handler
    return _run(handler, args)
