"""Helpers shared by the CLI tests: connection flags for the fake, and a run's outcome."""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from lucidgreen.testing import FakeLucidGreen


@attrs.frozen
class Outcome:
    code: int
    out: str
    err: str


def source_args(fake: FakeLucidGreen, *, rate: str = "6000/60") -> list[str]:
    """Connection flags for the fake's LucidSource credentials, with a fast client limiter."""
    client_id, client_secret = fake.source_credentials
    return [
        "--base-url", fake.url, "--client-id", client_id, "--client-secret", client_secret,
        "--rate-limit", rate,
    ]  # fmt: skip


def retail_args(fake: FakeLucidGreen) -> list[str]:
    client_id, client_secret = fake.retail_credentials
    return ["--base-url", fake.url, "--client-id", client_id, "--client-secret", client_secret]


def export_args(
    out: Path | str, connection: list[str], *extra: str, what: str = "source products"
) -> list[str]:
    """``export <what> --out <out> --no-progress <extra> <connection>``."""
    return ["export", *what.split(), "--out", str(out), "--no-progress", *extra, *connection]


def read_lines(path: Path) -> list[dict[str, object]]:
    """The JSON Lines file at ``path``, one object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
