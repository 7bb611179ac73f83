"""Fixtures for the ``lucidgreen`` command: run ``main`` in-process against the fake."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import pytest

import lucidgreen.testing.plugin
from lucidgreen.cli import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TOKEN, main
from tests.cli.helpers import Outcome


def pytest_configure(config: pytest.Config) -> None:
    # Registered by the pytest11 entry point once installed; from a bare checkout, here.
    manager = config.pluginmanager
    if not manager.is_registered(lucidgreen.testing.plugin):
        manager.register(lucidgreen.testing.plugin, "lucidgreen")


Run = Callable[..., Awaitable[Outcome]]


@pytest.fixture(autouse=True)
def _no_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TOKEN):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):  # the product-level names too: the CLI reads them
        if name.startswith("LUCIDGREEN_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``await run_cli(*argv)``: ``main(argv)`` in a worker thread (it runs its own loop)."""

    async def run(*argv: str) -> Outcome:
        capsys.readouterr()  # drop anything printed before
        code = await asyncio.to_thread(main, list(argv))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
