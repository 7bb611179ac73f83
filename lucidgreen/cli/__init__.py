"""The ``lucidgreen`` command line (also ``python -m lucidgreen``).

``_parser`` builds the command line; ``_main`` runs a command and maps failures to exit
codes; ``_common`` holds the exit codes, credentials and client set-up; ``_demo``, ``_export``
and ``_get`` are the commands; ``_progress`` draws the progress line.
"""

from ._common import (
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_TOKEN,
    EXIT_CODES,
    Credentials,
    UsageError,
    credentials,
)
from ._main import main
from ._parser import build_parser

__all__ = [
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_TOKEN",
    "EXIT_CODES",
    "Credentials",
    "UsageError",
    "build_parser",
    "credentials",
    "main",
]
