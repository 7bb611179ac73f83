"""``LUCIDGREEN_LOG=debug|info``: the SDK's logging on stderr with no code (openai's
``OPENAI_LOG``), and the CLI's ``--debug``.

A value naming no level is reported with a :class:`LucidGreenLogWarning` naming the variable
and the accepted values, and logging stays off: a typo in a logging switch must not stop a
service. What the SDK logs never holds a token or a secret (the pipeline logs the shown URL,
never headers or bodies).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Mapping
from typing import Final

__all__ = ["ENV_LOG", "LucidGreenLogWarning", "enable", "from_environment"]

ENV_LOG: Final = "LUCIDGREEN_LOG"
LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}
_LOGGER: Final = "lucidgreen"


class LucidGreenLogWarning(UserWarning):
    """``LUCIDGREEN_LOG`` holds a value that names no level."""


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module added, so enabling twice adds it once."""


def enable(level: str) -> None:
    """Send the ``lucidgreen`` loggers' records at ``level`` and above to stderr."""
    logger = logging.getLogger(_LOGGER)
    logger.setLevel(LEVELS[level])
    if not any(isinstance(h, _OurHandler) for h in logger.handlers):
        handler = _OurHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def level_from(environ: Mapping[str, str]) -> str | None:
    """The level ``environ`` asks for, None when unset; warns about a nonsense value."""
    value = environ.get(ENV_LOG, "").strip().lower()
    if not value:
        return None
    if value not in LEVELS:
        warnings.warn(
            f"{ENV_LOG}={environ[ENV_LOG]!r} names no level: use one of {sorted(LEVELS)}; "
            "SDK logging stays off",
            LucidGreenLogWarning,
            stacklevel=3,
        )
        return None
    return value


def from_environment(environ: Mapping[str, str]) -> None:
    """Turn on logging if ``LUCIDGREEN_LOG`` asks for it."""
    level = level_from(environ)
    if level is not None:
        enable(level)
