"""Exit codes and messages: one line on stderr, never a traceback or a secret."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys

import pytest

from lucidgreen.cli import EXIT_CODES, main
from lucidgreen.testing import Faults
from lucidgreen.testing._faults import Injection
from tests.cli.helpers import Outcome, source_args

PRODUCT_ID = "Dg9VE6nVPr2SWWwYuxQkuq"  # well-formed, not in the fake


def assert_one_line(result: Outcome, *secrets: str) -> None:
    """One error line; before it only the status lines of waits (``..., retry N of M in``)."""
    *waits, last = result.err.strip().splitlines()
    assert all(", retry " in line for line in waits), result.err
    lines = [last]
    assert lines[0].startswith("lucidgreen: ")
    assert "Traceback" not in result.err
    for secret in secrets:
        assert secret not in result.err
        assert secret not in result.out


async def test_bad_credentials_exit_3(lucidgreen_fake, run_cli):
    """A refused client secret exits 3 without printing the secret that was tried."""
    client_id, real_secret = lucidgreen_fake.source_credentials
    wrong = "wrong-secret-" + "x" * 20
    result = await run_cli(
        "get", "source", "product", PRODUCT_ID, "--base-url", lucidgreen_fake.url,
        "--client-id", client_id, "--client-secret", wrong,
    )  # fmt: skip
    assert result.code == 3
    assert "bad credentials" in result.err
    assert_one_line(result, wrong, real_secret)


async def test_rejected_token_exits_3(lucidgreen_fake, run_cli, monkeypatch):
    """A bearer token from the environment that the API rejects exits 3, the token unprinted."""
    token = "not-a-valid-token-0123456789"
    monkeypatch.setenv("LUCIDGREEN_TOKEN", token)
    product = next(iter(lucidgreen_fake.state.products))
    result = await run_cli("get", "source", "product", product, "--base-url", lucidgreen_fake.url)
    assert result.code == 3
    assert_one_line(result, token)


@pytest.mark.parametrize("bad_id", ["BAD0ID", "UNDTMBovdue9tFWfhamnD0", "l" * 22, "not a lucid id"])
async def test_bad_id_exits_4_before_any_request(lucidgreen_fake, run_cli, bad_id):
    """A malformed ID exits 4 and the fake receives no request at all, not even for a token."""
    result = await run_cli("get", "source", "item", bad_id, *source_args(lucidgreen_fake))
    assert result.code == 4
    assert "bad ID" in result.err
    assert_one_line(result)
    assert len(lucidgreen_fake.requests) == 0


async def test_unknown_id_exits_4(lucidgreen_fake, run_cli):
    """A well-formed ID the API does not know (404) exits 4 too."""
    result = await run_cli("get", "source", "product", PRODUCT_ID, *source_args(lucidgreen_fake))
    assert PRODUCT_ID not in lucidgreen_fake.state.products
    assert result.code == 4
    assert "not found" in result.err
    assert_one_line(result)


async def test_unreachable_host_exits_5(lucidgreen_no_backoff, run_cli):
    """A closed loopback port (connection refused, retried) exits 5."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: nothing listens there.
    result = await run_cli(
        "get", "source", "product", PRODUCT_ID, "--base-url", f"http://127.0.0.1:{port}",
        "--client-id", "id", "--client-secret", "secret-value-1234",
    )  # fmt: skip
    assert result.code == 5
    assert "network failure" in result.err
    assert_one_line(result, "secret-value-1234")
    # The 31 s of retrying is not silent: each wait said what and how long, as it began.
    waits = result.err.strip().splitlines()[:-1]
    # Each delay is the documented one, or up to 25 % longer (jitter), shown to 0.1 s.
    assert len(waits) == 5, waits
    for n, (line, delay) in enumerate(zip(waits, (1, 2, 4, 8, 16), strict=True), start=1):
        found = re.fullmatch(rf"lucidgreen: network failure, retry {n} of 5 in ([\d.]+) s", line)
        assert found is not None, line
        assert delay <= float(found[1]) <= delay * 1.25 + 0.05


async def test_other_api_errors_exit_6(lucidgreen_fake, run_cli):
    """A 403 (a resource of another company) is an API error: exit 6."""
    product = next(iter(lucidgreen_fake.state.products))
    lucidgreen_fake.state.forbidden.add(product)
    result = await run_cli("get", "source", "product", product, *source_args(lucidgreen_fake))
    assert result.code == 6
    assert "HTTP 403" in result.err
    assert_one_line(result)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["get", "source", "product", PRODUCT_ID], id="no-credentials"),
        pytest.param(["get", "source", "product", PRODUCT_ID, "--client-id", "x"], id="no-secret"),
        pytest.param(
            ["get", "source", "product", PRODUCT_ID, "--token", "t", "--client-id", "x"],
            id="token-and-id",
        ),
        pytest.param(
            [
                "get",
                "source",
                "product",
                PRODUCT_ID,
                "--token",
                "t",
                "--base-url",
                "http://example.com",
            ],
            id="http-off-loopback",
        ),
    ],
)
def test_usage_problems_exit_2(argv, capsys):
    """Missing or conflicting credentials and an unsafe base URL exit 2 before any network."""
    assert main(argv) == 2
    result = Outcome(2, *capsys.readouterr())
    assert_one_line(result)


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "source", "products"],  # --out missing
        ["get", "source", "widget", PRODUCT_ID],
        ["demo", "--products", "-3"],
        ["get", "source", "product", PRODUCT_ID, "--rate-limit", "fast"],
        [],
    ],
)
def test_argparse_errors_exit_2(argv, capsys):
    """Malformed command lines exit 2 with argparse's usage message, not a traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: lucidgreen" in err
    assert "Traceback" not in err


def test_help_documents_every_exit_code(capsys):
    """``lucidgreen --help`` exits 0 and its epilog lists every exit code with its meaning."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for code, meaning in EXIT_CODES.items():
        assert f"{code:>3}  {meaning}" in out


@pytest.mark.lucidgreen_fake(products=30, page_size=10)
async def test_ctrl_c_exits_130(lucidgreen_fake, tmp_path, monkeypatch):
    """SIGINT during an export exits 130 with one 'interrupted' line and keeps whole pages."""
    fake = lucidgreen_fake
    fake.faults.script("/api/v1.5/products/", ["pass", "stall"])  # page 2 never answers
    stalled = asyncio.Event()
    take_script = Faults.take_script

    def watching(self: Faults, method: str, path: str) -> Injection | None:
        injection = take_script(self, method, path)
        if injection is not None and injection.kind == "stall":
            stalled.set()
        return injection

    monkeypatch.setattr(Faults, "take_script", watching)
    out = tmp_path / "products.jsonl"
    client_id, client_secret = fake.source_credentials
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lucidgreen", "export", "source", "products", "--out", str(out),
        "--base-url", fake.url, "--rate-limit", "6000/60", "--no-progress",
        env={**os.environ, "LUCIDGREEN_CLIENT_ID": client_id,
             "LUCIDGREEN_CLIENT_SECRET": client_secret},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await asyncio.wait_for(stalled.wait(), timeout=30)
        process.send_signal(signal.SIGINT)
        out_bytes, err_bytes = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 130
    assert err_bytes.decode().strip() == "lucidgreen: interrupted"
    assert out_bytes == b""
    assert len(out.read_text().splitlines()) == 10
