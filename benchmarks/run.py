"""The benchmark runner: every module's figures, one table, one JSON file.

``python -m benchmarks [--quick] [--json PATH] [--only overhead,structuring,...]``
``python -m benchmarks --compare REF [--only overhead,exports] [--rounds N] [--quick]``: a
git ref's SDK against the working tree's, interleaved in one run (:mod:`benchmarks.compare`).

Each module (``overhead``, ``structuring``, ``pagination`` (latency hiding and memory),
``limiter``, ``reliability``, ``hardening`` (linear export parse, body cap)) has a
``run(*, quick: bool) -> dict[str, float]``. The runner
calls them in turn, in this process, and turns their figures into rows: each a ratio against
a baseline measured in the same run, with its goal and whether it was met. A module that is
missing or fails is reported as such and the others still run. The raw figures of every
module go to the JSON file (default ``benchmarks/results/latest.json``) next to the rows.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import operator
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python benchmarks/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from benchmarks._common import REPO_ROOT, machine

MODULES = (
    "overhead", "structuring", "pagination", "limiter", "reliability", "wire", "hardening",
    "exports",
)  # fmt: skip
DEFAULT_JSON = REPO_ROOT / "benchmarks" / "results" / "latest.json"

Figures = dict[str, float]


@dataclass
class Goal:
    """``value <op> threshold``, e.g. ``>= 0.6``."""

    op: str
    threshold: float

    def met(self, value: float) -> bool:
        compare: Callable[[float, float], bool] = {
            ">=": operator.ge,
            "<=": operator.le,
            "==": operator.eq,
        }[self.op]
        return compare(value, self.threshold)

    def __str__(self) -> str:
        return f"{self.op} {self.threshold:g}"


@dataclass
class Row:
    """One line of the table."""

    section: str
    figure: str
    value: float | None
    unit: str  # "x" for a ratio, or what the value counts
    baseline: str  # what the value is measured against (and both sides' raw figures)
    goal: Goal | None = None
    status: str = field(default="")

    def __post_init__(self) -> None:
        if not self.status:
            if self.value is None or math.isnan(self.value):
                self.status = "n/a"
            elif self.goal is None:
                self.status = "info"
            else:
                self.status = "pass" if self.goal.met(self.value) else "MISS"

    def shown_value(self) -> str:
        if self.value is None:
            return "-"
        if self.unit == "x":
            return f"{self.value:.2f}x"
        if self.unit == "%":
            return f"{self.value:.1%}"
        return f"{self.value:g} {self.unit}".strip()

    def shown_goal(self) -> str:
        if self.goal is None:
            return "-"
        if self.unit == "%":
            return f"{self.goal.op} {self.goal.threshold:.0%}"
        return f"{self.goal}{'x' if self.unit == 'x' else ''}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["goal"] = None if self.goal is None else str(self.goal)
        return data


def _rate(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}/s"


# --- rows per module -------------------------------------------------------------------------


def overhead_rows(f: Figures) -> list[Row]:
    sdk = f"SDK {_rate(f.get('sdk_items_per_s'))}"
    cpu = f"SDK {_rate(f.get('sdk_cpu_items_per_s'))}"
    return [
        Row(
            "Overhead",
            "items/s, async for over products",
            f.get("sdk_vs_bare_ratio"),
            "x",
            f"{sdk} vs bare aiohttp + json.loads {_rate(f.get('bare_items_per_s'))}",
            Goal(">=", 0.8),  # issue #26
        ),
        Row(
            "Overhead",
            "items/s, async for over products",
            f.get("sdk_vs_httpx_ratio"),
            "x",
            f"{sdk} vs httpx + pydantic v2 {_rate(f.get('httpx_items_per_s'))}",
            Goal(">=", 1.5),
        ),
        Row(
            "Overhead",
            "items per client CPU-second",
            f.get("sdk_vs_bare_cpu_ratio"),
            "x",
            f"{cpu} vs bare aiohttp {_rate(f.get('bare_cpu_items_per_s'))}",
        ),
        Row(
            "Overhead",
            "items per client CPU-second",
            f.get("sdk_vs_httpx_cpu_ratio"),
            "x",
            f"{cpu} vs httpx + pydantic {_rate(f.get('httpx_cpu_items_per_s'))}",
        ),
        Row(
            "Overhead",
            "items/s, OpenTelemetry on vs off",
            f.get("otel_on_vs_off_ratio"),
            "x",
            f"SDK traced (in-memory exporter) {_rate(f.get('sdk_otel_items_per_s'))} "
            f"vs not instrumented {_rate(f.get('sdk_items_per_s'))}",
            Goal(">=", 0.9),  # issue #26
        ),
        Row(
            "Overhead",
            "items per client CPU-second, OpenTelemetry on vs off",
            f.get("otel_on_vs_off_cpu_ratio"),
            "x",
            f"SDK traced {_rate(f.get('sdk_otel_cpu_items_per_s'))} vs not instrumented {cpu}",
        ),
    ]


def structuring_rows(f: Figures) -> list[Row]:
    cases = (
        ("summary_list", "µs/record, products_list page"),
        ("summary_one", "µs/record, one list item"),
        ("retail_detail", "µs/record, Retail product detail"),
    )
    rows = []
    for key, label in cases:
        ours, theirs = f.get(f"{key}_lucidgreen_us"), f.get(f"{key}_pydantic_us")
        shown = "?" if ours is None or theirs is None else f"{ours:.2f} µs vs {theirs:.2f} µs"
        rows.append(
            Row(
                "Structuring",
                f"{label} (time ratio, < 1 is faster)",
                f.get(f"{key}_ratio"),
                "x",
                f"converter {shown} pydantic v2",
            )
        )
    known, unknown = f.get("extras_known_us"), f.get("extras_unknown_us")
    shown = "?" if known is None or unknown is None else f"{unknown:.2f} µs vs {known:.2f} µs"
    rows.append(
        Row(
            "Structuring",
            "µs/record, 7 unknown fields kept in extras vs none (time ratio)",
            f.get("extras_ratio"),
            "x",
            f"with unknown fields {shown} without",
        )
    )
    return rows


def pagination_rows(f: Figures) -> list[Row]:
    """Latency hiding (and, when pagination.py measures it, memory)."""
    rows = [
        Row(
            "Latency hiding",
            "prefetch=8 at Retail's 1000/min: share of the rate-limit bound",
            f.get("limited_bound_share"),
            "%",
            _pair(f, "limited_prefetch_seconds", "limited_bound_seconds", "s", "bound"),
            Goal(">=", 0.90),
        ),
        Row(
            "Latency hiding",
            "prefetch=8 vs sequential, 1000/min limit",
            f.get("limited_speedup"),
            "x",
            _pair(f, "limited_prefetch_seconds", "limited_sequential_seconds", "s", "sequential"),
            Goal(">=", 3.5),
        ),
        Row(
            "Latency hiding",
            "prefetch=8 vs sequential, limit lifted",
            f.get("unlimited_speedup"),
            "x",
            _pair(
                f, "unlimited_prefetch_seconds", "unlimited_sequential_seconds", "s", "sequential"
            ),
            Goal(">=", 6.0),
        ),
    ]
    rows += [
        Row(
            "Latency hiding",
            "prefetch=8 at 1000/min: share of this bucket's best (burst, then paced)",
            f.get("limited_floor_share"),
            "%",
            _pair(f, "limited_prefetch_seconds", "limited_floor_seconds", "s", "floor"),
        ),
        Row(
            "Latency hiding",
            "prefetch=8, limit lifted: share of the ideal (1 + ceil(39/8)) x 250 ms",
            f.get("unlimited_ideal_share"),
            "%",
            _pair(f, "unlimited_prefetch_seconds", "unlimited_ideal_seconds", "s", "ideal"),
        ),
    ]
    return rows


def heap_rows(f: Figures) -> list[Row]:
    """pagination.py's tracemalloc figures, when it has them."""
    rows = []
    for key, value in f.items():
        if key.startswith("heap_") and key.endswith("_ratio"):
            sizes = key.removeprefix("heap_").removesuffix("_ratio").split("_vs_")
            small, large = (f.get(f"heap_peak_{size}_kib", math.nan) / 1024 for size in sizes[::-1])
            rows.append(
                Row(
                    "Memory",
                    f"peak Python heap (tracemalloc) {sizes[0].upper()} / {sizes[1]} items",
                    value,
                    "x",
                    f"{large:.2f} MiB vs {small:.2f} MiB (pagination.py)",
                )
            )
    return rows


def _pair(f: Figures, ours: str, theirs: str, unit: str, name: str) -> str:
    a, b = f.get(ours), f.get(theirs)
    if a is None or b is None:
        return f"{ours} vs {theirs}"
    return f"{a:.2f} {unit} vs {name} {b:.2f} {unit}"


def limiter_rows(f: Figures) -> list[Row]:
    nan = math.nan
    rows = [
        Row(
            "Limiter",
            "TokenBucket, 1 client, no latency: accepted / allowed rate",
            f.get("client_share"),
            "%",
            f"SourceClient vs the fake's 60 per 1.5 s window (a minute 40x compressed), "
            f"{f.get('client_accepted', nan):.0f} accepted",
            Goal(">=", 0.99),
        ),
        Row(
            "Limiter",
            "TokenBucket, 1 client, no latency: 429s",
            f.get("client_rate_limited"),
            "",
            "the fake's DRF sliding window",
            Goal("==", 0),
        ),
        Row(
            "Limiter",
            "TokenBucket, 0-3 s arrival jitter: accepted / allowed rate",
            f.get("jitter_share"),
            "%",
            f"jitter 40x compressed with the window; counting at the answer predicts "
            f"per / (per + mean delay) = {f.get('jitter_expected', nan):.2%}",
            Goal(">=", 0.98),
        ),
        Row(
            "Limiter",
            "TokenBucket, 0-3 s arrival jitter: accepted / predicted",
            f.get("jitter_vs_expected"),
            "%",
            "the exact window loses the mean delay once per window, and nothing else",
            Goal(">=", 0.99),
        ),
        Row(
            "Limiter",
            "TokenBucket, 0-3 s arrival jitter: 429s",
            f.get("jitter_rate_limited"),
            "",
            "requests reach the window out of send order",
            Goal("==", 0),
        ),
    ]
    for limiter, prefix in (("TokenBucket", "neighbour"), ("Redis", "redis_neighbour")):
        if f"{prefix}_burst_second_wave" not in f:
            continue
        burst, steady = f"{prefix}_burst", f"{prefix}_steady"
        rows += [
            Row(
                "Limiter",
                f"{limiter}, neighbour burns 95 % of the window: 429s after the first wave",
                f.get(f"{burst}_second_wave"),
                "",
                f"first wave {f.get(f'{burst}_first_wave', nan):.0f} (in flight at the first "
                "429); then the window counts as full",
                Goal("==", 0),
            ),
            Row(
                "Limiter",
                f"{limiter}, neighbour burns 95 % of the window: accepted / limit once it left",
                f.get(f"{burst}_post_pause_share"),
                "%",
                "SourceClient, 250 calls at once, 100 per 3 s",
                Goal(">=", 0.9),
            ),
            Row(
                "Limiter",
                f"{limiter}, neighbour keeps 30 % of every window: 429s after the first wave",
                f.get(f"{steady}_second_wave"),
                "",
                f"first wave {f.get(f'{steady}_first_wave', nan):.0f}; each later one a lone "
                "probe, the hold between them doubling (only a 429 shows the neighbour)",
                Goal("<=", 2),
            ),
            Row(
                "Limiter",
                f"{limiter}, neighbour keeps 30 % of every window: accepted / what it leaves",
                f.get(f"{steady}_vs_left"),
                "%",
                f"{f.get(f'{steady}_post_pause_share', nan):.2%} of the limit beside 30 %, "
                "from a window after the first 429; 400 calls at once",
                Goal(">=", 0.9),
            ),
        ]
    if "redis_rtt_share" in f:
        rows += [
            Row(
                "Limiter",
                "RedisRateLimiter 100 ms away, 3 procs: granted / (per / (per + rtt))",
                f.get("redis_rtt_vs_ceiling"),
                "%",
                f"{f['redis_rtt_share']:.2%} of the limit on a 1.5 s window, whose ceiling "
                f"is {f.get('redis_rtt_ceiling', nan):.2%} (99.8 % on a real minute)",
                Goal(">=", 0.95),
            ),
            Row(
                "Limiter",
                "RedisRateLimiter 100 ms away: windows over the limit",
                f.get("redis_rtt_violations"),
                "",
                "the exact-window rule is unchanged by leasing",
                Goal("==", 0),
            ),
        ]
    if "redis_share" not in f:
        rows.append(Row("Limiter", "RedisRateLimiter: skipped (no redis-server)", None, "", "-"))
    else:
        rows += [
            Row(
                "Limiter",
                "RedisRateLimiter, 4 procs, one key: granted / allowed rate",
                f["redis_share"],
                "%",
                f"{f.get('redis_processes', nan):.0f} processes, 40 per 1.5 s, no latency",
                Goal(">=", 0.99),
            ),
            Row(
                "Limiter",
                "RedisRateLimiter, 4 procs: windows over the limit (would-be 429s)",
                f.get("redis_violations"),
                "",
                f"fullest window {f.get('redis_max_in_window', nan):.0f} "
                f"of {f.get('redis_limit', nan):.0f}",
                Goal("==", 0),
            ),
        ]
    rows.append(
        Row(
            "Limiter",
            "acquire + settle with budget available / no-op limiter",
            f.get("acquire_vs_noop_ratio"),
            "x",
            f"{f.get('acquire_us', nan):.2f} µs vs Unlimited "
            f"{f.get('acquire_noop_baseline_us', nan):.2f} µs, asyncio.Lock "
            f"{f.get('acquire_lock_baseline_us', nan):.2f} µs",
        )
    )
    waited = f.get("waiters_seconds", nan)
    served = f.get("waiters_served_seconds", nan)
    ideal = waited / f.get("waiters_vs_ideal_ratio", nan)
    rows += [
        Row(
            "Limiter",
            "10,000 waiters at 5,000/s: first to last grant / ideal",
            f.get("waiters_served_vs_ideal_ratio"),
            "x",
            f"{served:.2f} s vs ideal (n - capacity) / rate {ideal:.2f} s",
            Goal("<=", 1.1),
        ),
        Row(
            "Limiter",
            "10,000 waiters at 5,000/s: wall time (task creation included) / ideal",
            f.get("waiters_vs_ideal_ratio"),
            "x",
            f"{waited:.2f} s vs ideal {ideal:.2f} s",
        ),
    ]
    return rows


def reliability_rows(f: Figures) -> list[Row]:
    products = f.get("products", math.nan)
    context = (
        f"of {products:.0f} products; {f.get('faults_injected', math.nan):.0f} faults injected, "
        f"{f.get('retries', math.nan):.0f} retries, {f.get('renewals_after_401', math.nan):.0f}"
        f" token renewals, {f.get('seconds', math.nan):.1f} s"
    )
    return [
        Row("Reliability", "full sync under faults: products lost", f.get("lost"), "", context,
            Goal("==", 0)),
        Row("Reliability", "full sync under faults: products duplicated", f.get("duplicated"), "",
            context, Goal("==", 0)),
    ]  # fmt: skip


def wire_rows(f: Figures) -> list[Row]:
    nan = math.nan
    window = (
        f"{f.get('limit', nan):.0f} per {f.get('per', nan):g} s, {f.get('calls', nan):.0f} reads"
    )
    rows = []
    for name, label in (
        ("drops", "1 answer in 4 dropped"),
        ("stale", "stale connections"),
        ("both", "drops and stale connections"),
    ):
        context = (
            f"{window}: {f.get(f'{name}_server_requests', nan):.0f} requests read, "
            f"{f.get(f'{name}_dropped', nan):.0f} dropped, {f.get(f'{name}_stale', nan):.0f} "
            f"stale, {f.get(f'{name}_uncounted', nan):.0f} not counted by the SDK"
        )
        rows.append(
            Row(
                "Wire",
                f"sliding-window server, {label}: 429s",
                f.get(f"{name}_429s"),
                "",
                context,
                Goal("==", 0),
            )
        )
    rows += [
        Row(
            "Wire",
            "drops and stale: requests/s / allowed rate",
            f.get("both_share_of_limit"),
            "%",
            f"after the bucket's first burst; without faults "
            f"{f.get('clean_share_of_limit', nan):.1%}",
            Goal(">=", 0.95),
        ),
        Row(
            "Wire",
            "server requests not counted by the SDK (stats, hooks, spans)",
            sum(f.get(f"{n}_uncounted", nan) for n in ("clean", "drops", "stale", "both")),
            "",
            "all four runs",
            Goal("==", 0),
        ),
        Row(
            "Wire",
            "1 in 4 dropped, aiohttp's own resend let through: 429s",
            f.get("unguarded_429s"),
            "",
            f"the one-try guard patched out (before #20): "
            f"{f.get('unguarded_server_requests', nan):.0f} requests read, "
            f"{f.get('unguarded_uncounted', nan):.0f} not counted by the SDK",
        ),
    ]
    return rows


def hardening_rows(f: Figures) -> list[Row]:
    per_mb = (
        f"{f.get('parse_16mb_s_per_mb', math.nan) * 1000:.0f} ms/MB at 16 MB vs "
        f"{f.get('parse_2mb_s_per_mb', math.nan) * 1000:.0f} ms/MB at 2 MB (one package)"
    )
    rss = (
        f"{f.get('rss_capped_endless_mib', math.nan):.0f} MiB endless body, 64 MiB cap vs "
        f"{f.get('rss_uncapped_mib', math.nan):.0f} MiB for a "
        f"{f.get('rss_uncapped_body_mib', math.nan):.0f} MiB body uncapped"
    )
    return [
        Row("Hardening", "export parse time per MB, 16 MB / 2 MB package",
            f.get("parse_ratio_16_vs_2"), "x", per_mb, Goal("<=", 1.5)),
        Row("Hardening", "peak RSS, capped endless body / uncapped finite body",
            f.get("rss_cap_ratio"), "x", rss, Goal("<=", 0.75)),
    ]  # fmt: skip


def exports_rows(f: Figures) -> list[Row]:
    nan = math.nan
    bare = f"bare GET + json.loads {f.get('bare_mb_per_s', nan):.0f} MB/s"
    size = f"{f.get('file_mb', nan):.0f} MB file"
    imports = (
        f"{f.get('import_lucidgreen_ms', nan):.0f} ms vs import aiohttp "
        f"{f.get('import_aiohttp_ms', nan):.0f} ms (fresh processes)"
    )
    client = f"{f.get('import_client_ms', nan):.0f} ms vs {f.get('import_aiohttp_ms', nan):.0f} ms"
    return [
        Row("Exports", "MB/s, PackageExport.download() / bare GET + json.loads",
            f.get("download_vs_bare_ratio"), "x",
            f"{f.get('download_mb_per_s', nan):.0f} MB/s vs {bare}, {size}", Goal(">=", 1.0)),
        Row("Exports", "MB/s, PackageExport.entries() / bare GET + json.loads",
            f.get("entries_vs_bare_ratio"), "x",
            f"{f.get('entries_mb_per_s', nan):.0f} MB/s vs {bare}, {size}", Goal(">=", 1.0)),
        Row("Exports", "peak RSS streaming entries(), 4x file / 1x file",
            f.get("entries_rss_ratio"), "x",
            f"{f.get('entries_rss_large_mib', nan):.1f} MiB vs "
            f"{f.get('entries_rss_small_mib', nan):.1f} MiB", Goal("<=", 1.1)),
        Row("Import", "import lucidgreen / import aiohttp",
            f.get("import_lucidgreen_vs_aiohttp_ratio"), "x", imports, Goal("<=", 1.5)),
        Row("Import", "import lucidgreen + first SourceClient / import aiohttp",
            f.get("import_client_vs_aiohttp_ratio"), "x", client),
    ]  # fmt: skip


def memory_rows(f: Figures, source: str) -> list[Row]:
    rows = []
    for suffix, label in (("", "sequential"), ("_prefetch8", "prefetch=8")):
        if f"rss_ratio{suffix}" not in f:
            continue
        rows.append(
            Row(
                "Memory",
                f"peak RSS streaming 1M / 100k items, {label}",
                f[f"rss_ratio{suffix}"],
                "x",
                f"{f[f'rss_1m_mib{suffix}']:.1f} MiB vs {f[f'rss_100k_mib{suffix}']:.1f} MiB"
                f" ({source})",
                Goal("<=", 1.1),
            )
        )
    return rows


# --- running ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # "ok", "missing", "error", "skipped"
    seconds: float = 0.0
    figures: Figures = field(default_factory=dict)
    error: str | None = None


def run_module(name: str, quick: bool) -> Outcome:
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return Outcome("missing", error=f"benchmarks/{name}.py does not exist")
        return Outcome("error", error=traceback.format_exc())
    except Exception:
        return Outcome("error", error=traceback.format_exc())
    started = time.perf_counter()
    try:
        figures = module.run(quick=quick)
    except Exception:
        return Outcome("error", time.perf_counter() - started, error=traceback.format_exc())
    return Outcome("ok", time.perf_counter() - started, {k: float(v) for k, v in figures.items()})


def build_rows(outcomes: dict[str, Outcome]) -> list[Row]:
    rows: list[Row] = []
    builders: dict[str, Callable[[Figures], list[Row]]] = {
        "overhead": overhead_rows,
        "pagination": pagination_rows,
        "limiter": limiter_rows,
        "structuring": structuring_rows,
        "reliability": reliability_rows,
        "wire": wire_rows,
        "hardening": hardening_rows,
        "exports": exports_rows,
    }
    sections = {
        "overhead": "Overhead",
        "pagination": "Latency hiding",
        "limiter": "Limiter",
        "structuring": "Structuring",
        "reliability": "Reliability",
        "wire": "Wire",
        "hardening": "Hardening",
        "exports": "Exports",
    }
    for name in (
        "overhead",
        "pagination",
        "limiter",
        "reliability",
        "wire",
        "structuring",
        "hardening",
        "exports",
    ):
        outcome = outcomes.get(name)
        if outcome is None or outcome.status == "skipped":
            continue
        if outcome.status != "ok":
            first_line = (outcome.error or "").strip().splitlines()[-1:] or [""]
            rows.append(Row(sections[name], f"{name}.py: {first_line[0]}", None, "", "-",
                            status=outcome.status.upper()))  # fmt: skip
            continue
        rows += builders[name](outcome.figures)
        if name == "pagination":
            if any(key.startswith("rss_ratio") for key in outcome.figures):
                rows += memory_rows(outcome.figures, "pagination.py")
            rows += heap_rows(outcome.figures)
    return rows


def render(rows: Sequence[Row]) -> str:
    header = ("Section", "Figure", "Ratio", "Goal", "Result", "Measured vs baseline (same run)")
    table = [header] + [
        (r.section, r.figure, r.shown_value(), r.shown_goal(), r.status, r.baseline) for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    lines = []
    for index, line in enumerate(table):
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        lines.append("  ".join([*cells, line[-1]]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in [*widths, len(header[-1])]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller runs (~2 min)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"default {DEFAULT_JSON}")
    parser.add_argument(
        "--only", default=None, help=f"comma-separated subset of {','.join(MODULES)}"
    )
    parser.add_argument(
        "--compare",
        metavar="REF",
        help="run overhead (and exports, with --only) for git REF and the working tree, "
        "interleaved, and print both with their ratio",
    )
    parser.add_argument("--rounds", type=int, default=3, help="--compare: runs per side")
    args = parser.parse_args(argv)
    if args.compare:
        from benchmarks.compare import compare

        modules = (args.only or "overhead").split(",")
        return compare(args.compare, [m.strip() for m in modules if m.strip()],
                       rounds=args.rounds, quick=args.quick)  # fmt: skip
    chosen = [name.strip() for name in (args.only or ",".join(MODULES)).split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}")

    started = time.perf_counter()
    outcomes: dict[str, Outcome] = {}
    for name in MODULES:
        if name not in chosen:
            outcomes[name] = Outcome("skipped")
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        outcomes[name] = outcome = run_module(name, args.quick)
        note = outcome.error.strip().splitlines()[-1] if outcome.error else ""
        print(f"  {outcome.status} in {outcome.seconds:.1f} s {note}", file=sys.stderr, flush=True)

    rows = build_rows(outcomes)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    total = time.perf_counter() - started
    info = machine()
    print(f"lucidgreen benchmarks, {'quick' if args.quick else 'full'} run, {when}, "
          f"{info['cpus']} CPUs, Python {info['python']}, {total:.0f} s")  # fmt: skip
    print(render(rows))

    report = {
        "date": when,
        "quick": args.quick,
        "seconds": total,
        "machine": info,
        "rows": [row.as_json() for row in rows],
        "modules": {name: asdict(outcome) for name, outcome in outcomes.items()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {args.json}")
    return 1 if any(o.status == "error" for o in outcomes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
