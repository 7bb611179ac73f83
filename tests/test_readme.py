"""The README's examples hold: the quickstart runs against the fake, the demo prints the
sample shown, and the "Testing your integration" blocks are the ones the suite runs.

The demo sample lives here as :data:`DEMO_SAMPLE` as well as in the README; one test
compares a real run with it, another the README with it.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import lucidgreen
from lucidgreen.testing import EXAMPLE_PRODUCT_UUID, FakeLucidGreen

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TESTED_EXAMPLES = ROOT / "tests" / "testing" / "test_readme_examples.py"

#: What ``lucidgreen demo`` prints with its defaults (seed 0), as the README shows it.
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


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", section, re.M | re.S)


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


def test_readme_shows_the_demo_sample():
    """The README's demo output is :data:`DEMO_SAMPLE`, the summary a run prints."""
    blocks = [b for b in _blocks(_section("The command line"), "") if "lucidgreen demo:" in b]
    assert blocks, "README shows no demo output"
    assert blocks[0].rstrip("\n") == DEMO_SAMPLE


def test_readme_testing_examples_are_the_tested_ones():
    """Every Python block of "Testing your integration" runs in test_readme_examples.py."""
    blocks = _blocks(_section("Testing your integration"), "python")
    assert blocks
    tested = TESTED_EXAMPLES.read_text(encoding="utf-8")
    missing = [block for block in blocks if textwrap.dedent(block) not in tested]
    assert missing == []


async def test_quickstart_runs_against_the_fake(monkeypatch, capsys):
    """The quickstart, run as written with only the host and credentials changed, lists the
    products and gets the example product (which every fake holds), then the export."""
    (code,) = _blocks(_section("Quickstart"), "python")
    async with FakeLucidGreen(rate_limits=False) as fake:

        def pointed(cls: type[Any], credentials: tuple[str, str]) -> Any:
            def make(*args: Any, **kwargs: Any) -> Any:
                kwargs.update(zip(("client_id", "client_secret"), credentials, strict=True))
                return cls(*args, base_url=fake.url, **kwargs)

            return make

        monkeypatch.setattr(
            lucidgreen, "SourceClient", pointed(lucidgreen.SourceClient, fake.source_credentials)
        )
        monkeypatch.setattr(
            lucidgreen, "RetailClient", pointed(lucidgreen.RetailClient, fake.retail_credentials)
        )
        capsys.readouterr()
        # The block calls asyncio.run(): give it a thread of its own, the fake keeps this loop.
        await asyncio.to_thread(exec, compile(code, "README.md#quickstart", "exec"), {})
        printed = capsys.readouterr().out.splitlines()
        products = list(fake.state.products.values())
        assert printed[: len(products)] == [f"{p.uuid} {p.name}" for p in products]
        example = fake.state.products[EXAMPLE_PRODUCT_UUID]
        brand = fake.state.brands[example.brand_uuid]
        assert printed[len(products) :] == [f"{brand.name} {example.published_on}"]
        downloads = fake.requests.matching("/exports/", site="cdn")
        assert [r.status for r in downloads] == [200]
