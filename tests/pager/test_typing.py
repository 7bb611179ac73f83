"""Closable pagers type-check in user code under ``mypy --strict``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def _mypy(path: Path) -> subprocess.CompletedProcess[str]:
    # The project's own config (pyproject.toml: strict and the extra error codes) and cache.
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(path)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_aclosing_a_pager_and_its_pages_passes_mypy_strict() -> None:
    """``aclosing(pager)``, ``aclosing(pager.pages())``, ``async with pager`` type-check."""
    result = _mypy(HERE / "typed_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_typing_check_can_fail(tmp_path: Path) -> None:
    """The same check reports a misuse: a page iterator's items are Pages, not products."""
    bad = tmp_path / "bad_usage.py"
    bad.write_text(
        "import contextlib\n"
        "from lucidgreen import SourceClient\n"
        "async def f(source: SourceClient) -> None:\n"
        "    async with contextlib.aclosing(source.products.list().pages()) as pages:\n"
        "        async for page in pages:\n"
        "            print(page.uuid)\n"
    )
    result = _mypy(bad)
    if result.returncode == 2:
        pytest.fail(result.stdout + result.stderr)
    assert result.returncode == 1
    assert '"Page[ProductSummary]" has no attribute "uuid"' in result.stdout
