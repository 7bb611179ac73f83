# ruff: noqa: PLW1510
"""A malformed or tampered cursor is refused locally (library and CLI) and sends nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.adversarial.support import TOKEN, drf, paged, product, serve, source
from tests.support import collect


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


EP = "/api/v1.5/products/"


CURSORS = [
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/../brands/", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/%2e%2e/brands/", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "//evil/api/v1.5/products/", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/?page=\u00b2", "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": "/api/v1.5/products/?page=" + "9" * 30, "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": 5, "c": 1, "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": None, "c": "x", "y": 0, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": None, "c": 1, "y": 1e400, "s": 0}),
    _cursor({"v": 1, "e": EP, "n": None, "c": 1, "y": -1, "s": 0}),
    _cursor({"v": True, "e": EP}),
    _cursor({"v": 1, "e": ["x"]}),
    _cursor([[[[[[[[[[[]]]]]]]]]]]),
    base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
    base64.urlsafe_b64encode(b'{"v":1,"e":' + b"[" * 3000 + b"]" * 3000 + b"}").decode(),
    "!!!!",
    "",
    "\x00",
    "é" * 10,
    "a" * 100_000,
]


@pytest.mark.parametrize("cursor", CURSORS, ids=range(len(CURSORS)))
async def test_malformed_cursor_is_value_error_and_sends_nothing(cursor: str) -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return drf([product(1)], count=1)

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(ValueError):
            await collect(c.products.list(resume_from=cursor))
    for _, path, _ in log:
        assert path.split("?")[0] == EP


@pytest.mark.parametrize("cursor", [5, b"abc", ["x"]])
async def test_cursor_of_wrong_type_is_value_or_type_error(cursor: Any) -> None:
    async with serve(paged(2, 2)) as (url, log), source(url) as c:
        with pytest.raises((ValueError, TypeError)):
            await collect(c.products.list(resume_from=cursor))
    if cursor is not None:
        assert log == []


CURSOR_TAMPER = [
    "size-mid-line",
    "size-zero",
    "size-str",
    "size-huge",
    "lines-neg",
    "deep-json",
    "cursor-brands",
    "not-json",
    "count-bool",
    "size-float",
]


@pytest.mark.parametrize("how", CURSOR_TAMPER)
async def test_cli_tampered_cursor_exits_2(how: str, tmp_path: Any) -> None:
    """A tampered FILE.cursor: exit 2 with a message, never 0 or a traceback."""
    state = {"total": 4}

    async def h(r: web.Request, n: int) -> web.Response:
        page = int(r.query.get("page", "1"))
        if page > 2:
            return web.json_response({"detail": "Invalid page."}, status=404)
        return drf(
            [product(page * 10), product(page * 10 + 1)],
            count=state["total"],
            next=f"/api/v1.5/products/?page={page + 1}" if page < 2 else None,
        )

    out = tmp_path / "p.jsonl"

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LUCIDGREEN_TOKEN": TOKEN, "PYTHONPATH": str(Path.cwd())}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "lucidgreen",
                "export",
                "source",
                "products",
                "--out",
                str(out),
                "--base-url",
                url,
                *extra,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    async with serve(h) as (url, log):
        first = await asyncio.to_thread(run)
        assert first.returncode == 0, first.stderr
        cur = out.with_name(out.name + ".cursor")
        payload = json.loads(cur.read_text())
        if how == "size-mid-line":
            payload["size"] = payload["size"] - 3
        elif how == "size-zero":
            payload["size"] = 0
        elif how == "size-str":
            payload["size"] = "12"
        elif how == "size-huge":
            payload["size"] = 10**30
        elif how == "lines-neg":
            payload["lines"] = -1
        elif how == "cursor-brands":
            payload["cursor"] = _cursor(
                {"v": 1, "e": EP, "n": "/api/v1.5/brands/", "c": 1, "y": 0, "s": 0}
            )
        elif how == "count-bool":
            payload["count"] = True
        elif how == "size-float":
            payload["size"] = float(payload["size"])
        text = json.dumps(payload)
        if how == "deep-json":
            text = "[" * 100_000 + "]" * 100_000
        elif how == "not-json":
            text = text[:-5]
        cur.write_text(text)
        second = await asyncio.to_thread(run, "--resume")
    assert second.returncode == 2, (second.returncode, second.stderr[-500:])
    assert "Traceback" not in second.stderr
    assert all(p.split("?")[0] == EP for _, p, _ in log)
