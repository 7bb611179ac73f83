"""The CLI's in-process runner and clean environment, shared with ``tests/cli``."""

from tests.cli.conftest import _no_credentials_from_the_environment, run_cli

__all__ = ["_no_credentials_from_the_environment", "run_cli"]
