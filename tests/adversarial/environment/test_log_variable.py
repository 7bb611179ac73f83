"""``LUCIDGREEN_LOG`` turns the SDK's logging on for a plain script, with no code and no
secrets; a value naming no level warns clearly and leaves logging off."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest

from lucidgreen import SourceClient
from lucidgreen._logging import LucidGreenLogWarning, level_from
from lucidgreen.testing import MockTransport, json_response

SECRET = "s3cr3t-client-secret-value"
TOKEN = "t0ken-issued-by-the-server"

SCRIPT = textwrap.dedent(
    f"""
    import asyncio
    from lucidgreen import SourceClient
    from lucidgreen.testing import MockTransport, json_response

    def handler(request):
        if request.url.endswith("/o/token/"):
            return json_response({{"access_token": "{TOKEN}", "expires_in": 3600}})
        return json_response({{"uuid": "x"}})

    async def main():
        async with SourceClient("id", "{SECRET}", transport=MockTransport(handler)) as s:
            await s.products.get("UNDTMBovdue9tFWfhamnDM")

    asyncio.run(main())
    """
)


def _run(level: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUCIDGREEN_")}
    env["LUCIDGREEN_LOG"] = level
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )


def test_debug_logs_every_exchange_to_stderr_without_secrets() -> None:
    stderr = _run("debug").stderr
    assert "POST https://source.lucidgreen.io/o/token/" in stderr
    assert "GET https://source.lucidgreen.io/api/v1.5/products/" in stderr
    assert SECRET not in stderr
    assert TOKEN not in stderr


def test_info_stays_quiet_when_nothing_is_retried() -> None:
    assert _run("info").stderr == ""


def test_nonsense_warns_naming_the_variable_and_the_choices() -> None:
    with pytest.warns(LucidGreenLogWarning, match=r"LUCIDGREEN_LOG='loud'.*\['debug', 'info'\]"):
        assert level_from({"LUCIDGREEN_LOG": "loud"}) is None


def test_a_client_built_under_nonsense_warns_and_adds_no_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LUCIDGREEN_LOG", "verbose")
    before = list(logging.getLogger("lucidgreen").handlers)
    with pytest.warns(LucidGreenLogWarning):
        SourceClient(token="t", transport=MockTransport(lambda r: json_response({})))
    assert logging.getLogger("lucidgreen").handlers == before


def test_the_cli_debug_flag_turns_sdk_logging_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from lucidgreen.cli import main

    for name in list(os.environ):
        if name.startswith("LUCIDGREEN_"):
            monkeypatch.delenv(name)
    logger = logging.getLogger("lucidgreen")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    assert main(["--debug", "get", "source", "product", "UNDTMBovdue9tFWfhamnDM"]) == 2
    assert logger.level == logging.DEBUG
    assert logger.handlers
