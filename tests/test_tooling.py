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
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", requirement)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_pre_commit_pins_the_same_ruff_and_mypy_as_ci() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    pinned = dict(re.findall(r'"(ruff|mypy)==([^"]+)"', config))
    assert set(pinned) == {"ruff", "mypy"}
    assert pinned == {name: _dev_pins()[name] for name in pinned}


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
