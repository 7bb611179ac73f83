"""The public surface type-checks: user code under ``mypy --strict`` and ``pyright
--strict``, and ``pyright --verifytypes`` finds every exported symbol fully typed."""

from __future__ import annotations

import json
import os
import pydoc
import subprocess
import sys
from pathlib import Path

import lucidgreen

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


PYRIGHT = (sys.executable, "-m", "pyright")
# pyright finds packages through the first ``python`` on PATH, which need not be this
# interpreter (a venv run without activating it): put this interpreter's directory first.
_ENV = {
    **os.environ,
    "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", ""))),
}


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=_ENV)


def test_a_user_program_passes_mypy_strict() -> None:
    """``with_options``, ``aclosing(pager)`` and the typed errors, as a user writes them."""
    result = _run(sys.executable, "-m", "mypy", "--strict", str(HERE / "typed_usage.py"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_user_program_passes_pyright_strict(tmp_path: Path) -> None:
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11"}))
    result = _run(*PYRIGHT, "--project", str(config), str(HERE / "typed_usage.py"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_exported_symbol_is_fully_typed() -> None:
    """``pyright --verifytypes lucidgreen --ignoreexternal`` scores 100 %."""
    result = _run(
        *PYRIGHT,
        "--verifytypes",
        "lucidgreen",
        "--ignoreexternal",
        "--outputjson",
    )
    report = json.loads(result.stdout)["typeCompleteness"]
    ambiguous = [symbol["name"] for symbol in report["symbols"] if symbol.get("isTypeAmbiguous")]
    assert report["completenessScore"] == 1, ambiguous
    assert report["exportedSymbolCounts"]["withUnknownType"] == 0


def test_help_shows_the_constructor_parameters() -> None:
    """``help(lucidgreen.SourceClient)`` explains each keyword, not "Initialize self"."""
    text = pydoc.plain(pydoc.render_doc(lucidgreen.SourceClient))
    for name in ("client_id", "environment", "base_url", "rate_limiter", "timeout", "transport"):
        assert f":param {name}:" in text
    assert "Initialize self" not in text
