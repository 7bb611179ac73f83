"""Every example in README.md and docs/ runs, as a reader would run it.

Each ```python block is one of three kinds, told apart by how it is written:

- a block with ``title="name.py"`` is a file of its page's small project; the page's files (and
  a ``title="pyproject.toml"`` block) are written to a fresh directory and ``pytest`` runs
  there in a new process, so the setup a page tells a reader to make is the setup tested;
- a block that calls ``asyncio.run(...)`` is a program, run in a thread of its own;
- any other block is a snippet, run with top-level ``await`` and ``source`` / ``retail``
  already open, as the docs say.

Programs and snippets talk to a :class:`FakeLucidGreen`: the two client classes are swapped
for subclasses that add the fake's URL and credentials (and no rate-limit pacing unless the
block passes a limiter), so ``client_id="..."`` in a block stays as the reader sees it.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import lucidgreen
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import EXAMPLE_PRODUCT_UUID, FakeLucidGreen

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.rglob("*.md"))]
BLOCK = re.compile(
    r'^```(\w*)(?:[ \t]+title="([^"]+)")?[ \t]*\n(.*?)^```[ \t]*$', re.MULTILINE | re.DOTALL
)

#: What ``lucidgreen demo`` prints with its defaults (seed 0), as docs/cli.md shows it.
#: The port, the elapsed time and the achieved rate differ between runs (see ``_masked``).
DEMO_SAMPLE = """\
lucidgreen demo: synced from an embedded fake API (http://127.0.0.1:33631, seed 0)
rate limits time-compressed 30x: LucidSource 60 requests per 2 s (the real API: per minute)

  products              300 listed     300 details fetched
  batches                60 listed      60 details fetched
  brands                  4 listed       4 details fetched
  package-UID export     50 packages    103 cases  359 LucidIDs

  requests             400  (LucidSource 396 + 1 token, LucidRetail 2 + 1 token)
  retries               23  (1 after 429, 22 after 5xx)
  429s                   1  (1 injected by the fake, 0 from its rate limiter)
  elapsed             14.9 s
  achieved rate       26.2 requests/s = 87.5 % of LucidSource's limit (30/s)"""


@dataclass(frozen=True)
class Block:
    page: Path
    language: str
    title: str | None
    code: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, m.group(1), m.group(2), m.group(3), text.count("\n", 0, m.start()) + 1)
        for m in BLOCK.finditer(text)
    ]


def _is_program(code: str) -> bool:
    return "asyncio.run(" in code


PYTHON = [b for page in PAGES for b in _blocks(page) if b.language == "python"]
SNIPPETS = [b for b in PYTHON if b.title is None]
PROJECTS = sorted({b.page for b in PYTHON if b.title is not None})


def _pointed(cls: type[Any], fake: FakeLucidGreen, credentials: tuple[str, str]) -> type[Any]:
    class Pointed(cls):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if "token" not in kwargs:
                kwargs.update(zip(("client_id", "client_secret"), credentials, strict=True))
            kwargs.setdefault("rate_limiter", Unlimited())
            super().__init__(*args[2:], base_url=fake.url, **kwargs)

    Pointed.__name__ = Pointed.__qualname__ = cls.__name__
    return Pointed


def test_the_docs_have_examples_of_every_kind():
    """The collection above finds programs, snippets and projects (a broken pattern fails)."""
    assert any(_is_program(b.code) for b in SNIPPETS)
    assert any(not _is_program(b.code) for b in SNIPPETS)
    assert len(PROJECTS) >= 2


@pytest.mark.parametrize("block", SNIPPETS, ids=[b.where for b in SNIPPETS])
async def test_the_example_runs(block: Block, monkeypatch, tmp_path):
    """The block runs against a fake to the end, without an exception."""
    async with FakeLucidGreen(rate_limits=False, products=30) as fake:
        source_cls = _pointed(lucidgreen.SourceClient, fake, fake.source_credentials)
        retail_cls = _pointed(lucidgreen.RetailClient, fake, fake.retail_credentials)
        monkeypatch.setattr(lucidgreen, "SourceClient", source_cls)
        monkeypatch.setattr(lucidgreen, "RetailClient", retail_cls)
        monkeypatch.chdir(tmp_path)  # a block writing files writes them nowhere that matters
        code = textwrap.dedent(block.code)
        if _is_program(code):
            # The block calls asyncio.run(): give it a thread of its own, the fake keeps this loop.
            compiled = compile(code, block.where, "exec")
            await asyncio.to_thread(exec, compiled, {"__name__": "__main__"})
            return
        flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        compiled = compile(code, block.where, "exec", flags=flags)
        async with source_cls() as source, retail_cls() as retail:
            namespace = {"lucidgreen": lucidgreen, "source": source, "retail": retail}
            result = eval(compiled, namespace)
            if result is not None:
                await result


@pytest.mark.parametrize("page", PROJECTS, ids=[str(p.relative_to(ROOT)) for p in PROJECTS])
def test_the_pages_project_passes_its_tests(page: Path, tmp_path: Path):
    """The page's files, written as the page names them, pass ``pytest`` in a new process."""
    titled = {b.title: b.code for b in _blocks(page) if b.title is not None}
    for title, code in titled.items():
        (tmp_path / title).write_text(textwrap.dedent(code), encoding="utf-8")
    tests = sum(
        len(re.findall(r"^(?:async )?def test_", code, re.MULTILINE))
        for title, code in titled.items()
        if title.startswith("test_")
    )
    assert tests, f"{page.name} has files but no test"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{tests} passed" in result.stdout, result.stdout


def _masked(summary: str) -> str:
    """The summary with what varies from run to run (port, timing) replaced by ``#``."""
    lines = []
    for raw in summary.strip("\n").splitlines():
        line = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:#", raw)
        if line.lstrip().startswith(("elapsed", "achieved rate")):
            line = re.sub(r"\d+(\.\d+)?", "#", line)
        lines.append(line.rstrip())
    return "\n".join(lines)


def test_demo_prints_the_sample_summary():
    """``lucidgreen demo`` (defaults, seed 0) prints :data:`DEMO_SAMPLE`: every count the
    same, whatever today's date; only the port and the timing differ."""
    result = subprocess.run(
        [sys.executable, "-m", "lucidgreen", "demo", "--no-progress"],
        capture_output=True, text=True, timeout=90, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _masked(result.stdout) == _masked(DEMO_SAMPLE)


def test_the_cli_page_shows_the_demo_sample():
    """docs/cli.md shows :data:`DEMO_SAMPLE`, the summary a run prints."""
    shown = [b.code for b in _blocks(DOCS / "cli.md") if "lucidgreen demo:" in b.code]
    assert shown, "docs/cli.md shows no demo output"
    assert shown[0].rstrip("\n") == DEMO_SAMPLE


def test_the_readme_names_both_commands_and_stays_short():
    """The README shows the demo and the test command, in at most 200 lines."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    assert "lucidgreen demo" in text
    assert "python -m pytest" in text


async def test_the_cli_page_export_with_a_date_succeeds_on_the_fake(tmp_path):
    """The page's ``--date`` example, pointed at a fake, exports that day's file (no 404)."""
    (line,) = [
        line
        for b in _blocks(DOCS / "cli.md")
        if b.language == "bash"
        for line in b.code.splitlines()
        if "--date" in line
    ]
    command = line.split("#")[0].replace("[--resume]", "").strip()
    async with FakeLucidGreen(rate_limits=False) as fake:
        client_id, secret = fake.retail_credentials
        env = {**os.environ, "LUCIDGREEN_CLIENT_ID": client_id, "LUCIDGREEN_CLIENT_SECRET": secret}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        result = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", f"{command} --base-url {fake.url}"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    assert (tmp_path / "packages.jsonl").read_text(encoding="utf-8").count("\n") > 0, yesterday


async def test_quickstart_runs_against_the_fake(monkeypatch, capsys):
    """The README's quickstart, run as written with only the host and credentials changed,
    lists the products and gets the example product (which every fake holds), then the
    export."""
    (code,) = [b.code for b in _blocks(README) if b.language == "python" and _is_program(b.code)]
    async with FakeLucidGreen(rate_limits=False) as fake:
        monkeypatch.setattr(
            lucidgreen,
            "SourceClient",
            _pointed(lucidgreen.SourceClient, fake, fake.source_credentials),
        )
        monkeypatch.setattr(
            lucidgreen,
            "RetailClient",
            _pointed(lucidgreen.RetailClient, fake, fake.retail_credentials),
        )
        capsys.readouterr()
        await asyncio.to_thread(exec, compile(code, "README.md#quickstart", "exec"), {})
        printed = capsys.readouterr().out.splitlines()
        products = list(fake.state.products.values())
        assert printed[: len(products)] == [f"{p.uuid} {p.name}" for p in products]
        example = fake.state.products[EXAMPLE_PRODUCT_UUID]
        brand = fake.state.brands[example.brand_uuid]
        assert printed[len(products) :] == [f"{brand.name} {example.published_on}"]
        downloads = fake.requests.matching("/exports/", site="cdn")
        assert [r.status for r in downloads] == [200]
