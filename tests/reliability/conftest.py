"""Fixtures of the reliability suite, and the figures report printed at the end of the session.

Tests record what they measured with the ``figures`` fixture (``figures("full sync",
{"requests": 2412, ...})``); ``pytest_terminal_summary`` prints every recorded table once the
session ends. The hook works from this directory's conftest because pytest calls it on every
registered plugin, and this conftest is registered whenever a test here was collected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import lucidgreen.testing.plugin

Record = Callable[[str, dict[str, Any]], None]

_FIGURES = pytest.StashKey[list[tuple[str, dict[str, Any]]]]()


def pytest_configure(config: pytest.Config) -> None:
    # The pytest11 entry point loads the plugin once lucidgreen is installed; from a bare
    # checkout, register it here instead (never twice).
    manager = config.pluginmanager
    if not manager.is_registered(lucidgreen.testing.plugin):
        manager.register(lucidgreen.testing.plugin, "lucidgreen")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Record:
    """``figures(title, {name: value})``: add a table to the end-of-session report."""
    tables = request.config.stash.setdefault(_FIGURES, [])

    def record(title: str, values: dict[str, Any]) -> None:
        tables.append((title, dict(values)))

    return record


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    del exitstatus
    tables = config.stash.get(_FIGURES, [])
    if not tables:
        return
    terminalreporter.section("lucidgreen reliability figures")
    for title, values in tables:
        terminalreporter.write_line(f"{title}:")
        width = max(len(name) for name in values) if values else 0
        for name, value in values.items():
            terminalreporter.write_line(f"  {name:<{width}}  {value}")
