"""The project's own tooling agrees with itself: pre-commit runs what CI pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _dev_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {}
    extras = project["project"]["optional-dependencies"]
    for requirement in extras["dev"] + extras["test"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[\w,]+\])?==(\S+)", requirement)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def _hook_revs(config: str) -> dict[str, str]:
    """The version each upstream hook repository is pinned at, by its repository name."""
    found = re.findall(r"repo: https://github\.com/[\w.-]+/([\w.-]+)\n\s+rev: v?(\S+)", config)
    return dict(found)


def test_pre_commit_runs_the_upstream_hooks_at_the_versions_ci_pins() -> None:
    """ruff (check and format), codespell and validate-pyproject: the dev extra's versions."""
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    pins = _dev_pins()
    assert _hook_revs(config) == {
        "ruff-pre-commit": pins["ruff"],
        "codespell": pins["codespell"],
        "validate-pyproject": pins["validate-pyproject"],
    }
    for hook in ("ruff-check", "ruff-format", "codespell", "validate-pyproject"):
        assert f"- id: {hook}\n" in config, hook


def test_pre_commit_type_checks_with_the_mypy_ci_pins() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    assert re.findall(r'"mypy==([^"]+)"', config) == [_dev_pins()["mypy"]]


def test_the_lowest_allowed_versions_are_the_lower_bounds() -> None:
    """``.ci/lowest-constraints.txt`` pins exactly each runtime and test lower bound."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    bounds = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([^,\s]+)", requirement)
        if match:
            bounds[match.group(1).lower()] = match.group(2)
    constraints = dict(
        line.split("==")
        for line in (ROOT / ".ci" / "lowest-constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for name, bound in bounds.items():
        assert name in constraints, f"{name} has no lowest-version pin"
        assert constraints[name].startswith(bound) or bound.startswith(constraints[name]), name
