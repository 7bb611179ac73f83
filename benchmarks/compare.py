"""Before/after in one run: a git ref's ``lucidgreen`` against the working tree's, interleaved.

``python -m benchmarks --compare REF [--only overhead,exports] [--rounds N] [--quick]``

``REF``'s ``lucidgreen/`` is exported with ``git archive`` into a temporary directory (the
repository, its worktrees and its index are untouched). Then, ``N`` times, each side runs
the chosen modules once in a fresh process, the two sides alternating which goes first, so
both see the same machine minutes apart. Both use the working tree's benchmark code and its
fake server (the fixture stays the same; only the SDK under test changes): a child puts the
side's copy first on ``sys.path`` and reports which ``lucidgreen`` it imported.

The table shows, per figure, each side's median over its rounds and the median of the
per-round ratios "working tree / REF" (two runs made back to back). The in-run ratios
(SDK / bare aiohttp, OpenTelemetry on / off) are each side's own same-process comparison,
the steadiest figures on a shared machine; the raw rates (items/s) show how loaded it was,
and the bare baselines, the same code on both sides, should come out near 1.00x. Every
round's figures go to ``benchmarks/results/compare.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from ._common import REPO_ROOT, median

COMPARED = ("overhead", "exports")

Figure = tuple[str, str, str, str]
"""(module, figure key, label, unit): "x" for a ratio, "/s" for a rate, "MB/s", "ms"."""


def _figures(module: str, rows: str) -> tuple[Figure, ...]:
    """``module``'s figures from ``key | label | unit`` lines (a table, one figure a line)."""
    lines = [line for line in rows.splitlines() if line.strip()]
    parsed = [[part.strip() for part in line.split("|")] for line in lines]
    return tuple((module, key, label, unit) for key, label, unit in parsed)


FIGURES: tuple[Figure, ...] = _figures(
    "overhead",
    """
    sdk_vs_bare_ratio        | walk items/s, SDK / bare aiohttp + json.loads (>= 0.8x) | x
    sdk_vs_httpx_ratio       | walk items/s, SDK / httpx + pydantic v2 (>= 1.5x)       | x
    sdk_vs_bare_cpu_ratio    | walk items per CPU-s, SDK / bare aiohttp                | x
    otel_on_vs_off_ratio     | walk items/s, OpenTelemetry on / off (>= 0.9x)          | x
    otel_on_vs_off_cpu_ratio | walk items per CPU-s, OpenTelemetry on / off            | x
    sdk_items_per_s          | walk items/s, SDK                                       | /s
    sdk_cpu_items_per_s      | walk items per CPU-s, SDK                               | /s
    sdk_otel_items_per_s     | walk items/s, SDK traced                                | /s
    bare_items_per_s         | walk items/s, bare aiohttp (same code both sides)       | /s
    """,
) + _figures(
    "exports",
    """
    download_vs_bare_ratio | export download() / bare GET + json.loads | x
    entries_vs_bare_ratio  | export entries() / bare GET + json.loads  | x
    entries_rss_ratio      | export entries() peak RSS, 4x / 1x file   | x
    import_lucidgreen_ms   | import lucidgreen                         | ms
    import_client_ms       | import lucidgreen + first SourceClient    | ms
    """,
)

_CHILD = """
import json, sys
sys.path[:0] = [{side!r}, {bench!r}]
import importlib, lucidgreen
import lucidgreen.ratelimit  # the modules reach it as an attribute; a lazy package may not have
figures = importlib.import_module("benchmarks." + {module!r}).run(quick={quick!r})
print(json.dumps({{"lucidgreen": lucidgreen.__file__, "figures": figures}}))
"""


def export_ref(ref: str, into: Path) -> str:
    """``ref``'s ``lucidgreen/`` unpacked under ``into``; returns the commit it names."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "lucidgreen"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout  # fmt: skip
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def run_side(side: Path, module: str, *, quick: bool, scratch: Path) -> dict[str, float]:
    """One run of ``module`` with ``side``'s lucidgreen, in a fresh process."""
    code = _CHILD.format(side=str(side), bench=str(REPO_ROOT), module=module, quick=quick)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(side), str(REPO_ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=scratch, env=env, capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{module} with {side} failed:\n{done.stderr[-2000:]}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    imported = Path(answer["lucidgreen"]).resolve()
    if not imported.is_relative_to(side.resolve()):
        raise RuntimeError(f"{module}: imported {imported}, not the copy under {side}")
    return {key: float(value) for key, value in answer["figures"].items()}


def measure(
    ref_dir: Path, modules: Sequence[str], *, rounds: int, quick: bool, scratch: Path
) -> dict[str, list[dict[str, float]]]:
    """Per side ("ref", "work"), one merged figures dict per round."""
    sides = {"ref": ref_dir, "work": REPO_ROOT}
    results: dict[str, list[dict[str, float]]] = {"ref": [], "work": []}
    for round_ in range(rounds):
        order = ["ref", "work"] if round_ % 2 == 0 else ["work", "ref"]
        for name in order:
            figures: dict[str, float] = {}
            for module in modules:
                print(f"round {round_ + 1}/{rounds}: {module} on {name}", file=sys.stderr)
                figures.update(run_side(sides[name], module, quick=quick, scratch=scratch))
            results[name].append(figures)
    return results


def _shown(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:.1f} {unit}"


def table(results: dict[str, list[dict[str, float]]], modules: Sequence[str], ref: str) -> str:
    header = ("Figure", f"REF {ref}", "working tree", "work / ref (paired)")
    lines = [header]
    for module, key, label, unit in FIGURES:
        if module not in modules:
            continue
        ref_values = [r[key] for r in results["ref"] if key in r]
        work_values = [w[key] for w in results["work"] if key in w]
        if not ref_values or not work_values:
            continue
        paired = [w / r for w, r in zip(work_values, ref_values, strict=False) if r]
        lines.append(
            (
                label,
                _shown(median(ref_values), unit),
                _shown(median(work_values), unit),
                f"{median(paired):.2f}x" if paired else "-",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in out)


def compare(ref: str, modules: Sequence[str], *, rounds: int, quick: bool) -> int:
    unknown = sorted(set(modules) - set(COMPARED))
    if unknown:
        raise SystemExit(f"--compare runs {', '.join(COMPARED)} only, not {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="lucidgreen-compare-") as tmp:
        ref_dir, scratch = Path(tmp) / "ref", Path(tmp) / "cwd"
        ref_dir.mkdir()
        scratch.mkdir()
        commit = export_ref(ref, ref_dir)
        results = measure(ref_dir, modules, rounds=rounds, quick=quick, scratch=scratch)
    dirty = " (uncommitted changes included)" if _git("status", "--porcelain", "lucidgreen") else ""
    head = _git("rev-parse", "--short", "HEAD").strip()
    print(
        f"lucidgreen before/after, {rounds} interleaved rounds{', quick' if quick else ''}: "
        f"REF {ref} = {commit[:10]}, working tree = {head}{dirty}"
    )
    print(table(results, modules, ref))
    saved = REPO_ROOT / "benchmarks" / "results" / "compare.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    raw = {"ref": ref, "commit": commit, "head": head, "rounds": results}
    saved.write_text(json.dumps(raw, indent=2) + "\n")
    print(f"\nevery round's figures: {saved}")
    return 0
