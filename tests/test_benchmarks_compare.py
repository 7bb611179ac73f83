"""``python -m benchmarks --compare REF``: the ref's package is exported untouched, a side
whose child imported another copy is refused, and the table pairs rounds by time."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks import compare
from benchmarks._common import REPO_ROOT


@pytest.mark.skipif(
    not (REPO_ROOT / ".git").exists(),
    reason="not a git checkout (an sdist's tests): --compare exports a ref of the repository",
)
def test_the_ref_is_exported_without_touching_the_repository(tmp_path: Path) -> None:
    """HEAD's lucidgreen/ lands in the directory; no worktree or index change is made."""

    def worktrees() -> str:
        return subprocess.run(["git", "worktree", "list"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout  # fmt: skip

    before = worktrees()
    commit = compare.export_ref("HEAD", tmp_path)
    assert len(commit) == 40
    assert (tmp_path / "lucidgreen" / "__init__.py").is_file()
    assert not (tmp_path / "tests").exists()
    assert worktrees() == before


def test_an_unknown_ref_is_refused(tmp_path: Path) -> None:
    with pytest.raises(subprocess.CalledProcessError):
        compare.export_ref("no-such-ref-anywhere", tmp_path)


def test_a_child_that_imported_the_wrong_copy_is_refused(tmp_path: Path) -> None:
    """An empty side has no lucidgreen: the child falls back to another copy, and the
    runner refuses its figures rather than report the wrong SDK as the ref."""
    (tmp_path / "cwd").mkdir()
    with pytest.raises(RuntimeError):
        compare.run_side(tmp_path, "overhead", quick=True, scratch=tmp_path / "cwd")


def test_the_table_shows_each_side_and_the_paired_ratio() -> None:
    """Medians per side; the last column pairs round i of one side with round i of the other."""
    results = {
        "ref": [{"sdk_vs_bare_ratio": 0.5, "sdk_items_per_s": 100.0},
                {"sdk_vs_bare_ratio": 0.7, "sdk_items_per_s": 300.0}],
        "work": [{"sdk_vs_bare_ratio": 0.8, "sdk_items_per_s": 150.0},
                 {"sdk_vs_bare_ratio": 0.8, "sdk_items_per_s": 300.0}],
    }  # fmt: skip
    text = compare.table(results, ["overhead"], "main")
    ratio_line = next(line for line in text.splitlines() if "SDK / bare" in line)
    assert ratio_line.split()[-3:] == ["0.60x", "0.80x", "1.37x"]  # median of 1.6 and 1.14
    rate_line = next(line for line in text.splitlines() if line.startswith("walk items/s, SDK  "))
    assert rate_line.split()[-3:] == ["200/s", "225/s", "1.25x"]
    assert "export" not in text  # a module not compared has no rows
