"""Wire figures: a sliding-window server that drops answers and stale connections.

Run ``python -m benchmarks.wire [--quick]``. Each scenario sends reads from 8 tasks through
``TokenBucket(limit, per)`` to a loopback server that enforces the same limit as a sliding
window, counting every request it reads (dropped ones too): one run without faults (the
baseline), one with 1 answer in 4 dropped, one where a third of the requests on a connection
idle 20 ms meet it as the server closes it (reset, unread), and one with both. Figures per
scenario: the server's 429s, its request count beside the SDK's attempts (stats, hooks and
OpenTelemetry spans), and requests per second after the first window as a share of the
limit. A last run repeats the drops with aiohttp's own resend let through (the SDK's
one-try guard patched out, as before issue #20), to show what the guard prevents. The
scenario is the one ``tests/adversarial/wire/test_the_limit_holds_under_drops.py``
checks (``tests/adversarial/wire/window.py``).

``run(quick=...)`` returns the figures as numbers, for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.adversarial.wire.window import WindowRun, windowed_run  # noqa: E402

SCENARIOS: dict[str, dict[str, Any]] = {
    "clean": {"drop_every": None},
    "drops": {"drop_every": 4},
    "stale": {"drop_every": None, "idle_close": 0.02, "race_every": 3},
    "both": {"drop_every": 4, "idle_close": 0.02, "race_every": 3},
}


def _figures(name: str, run: WindowRun) -> dict[str, float]:
    counts = (run.attempts, run.hooks, run.spans)
    return {
        f"{name}_429s": float(run.server_429s + run.client_429s),
        f"{name}_server_requests": float(run.server_requests),
        f"{name}_uncounted": float(max(abs(run.server_requests - n) for n in counts)),
        f"{name}_share_of_limit": run.share_of_limit,
        f"{name}_dropped": float(run.dropped),
        f"{name}_stale": float(run.lost_races),
        f"{name}_seconds": run.seconds,
    }


@contextmanager
def aiohttp_resends_allowed() -> Iterator[None]:
    """The transport without its one-try guard: aiohttp may resend a request by itself."""

    def session_middlewares_only(session: Any, wire: Any) -> tuple[Any, ...]:
        del wire  # the guard it would add
        return tuple(getattr(session, "_middlewares", ()) or ())

    with mock.patch("lucidgreen._transport._aiohttp.middlewares_for", session_middlewares_only):
        yield


async def _all(quick: bool) -> dict[str, float]:
    limit, per, calls = (20, 0.5, 120) if quick else (50, 1.0, 400)
    figures: dict[str, float] = {"limit": float(limit), "per": per, "calls": float(calls)}
    for name, faults in SCENARIOS.items():
        run = await windowed_run(limit=limit, per=per, calls=calls, **faults)
        figures.update(_figures(name, run))
    with aiohttp_resends_allowed():
        unguarded = await windowed_run(limit=limit, per=per, calls=calls, **SCENARIOS["drops"])
    figures.update(_figures("unguarded", unguarded))
    clean = figures["clean_share_of_limit"]
    for name in ("drops", "stale", "both"):
        figures[f"{name}_vs_clean_ratio"] = figures[f"{name}_share_of_limit"] / clean
    return figures


def run(*, quick: bool = False) -> dict[str, float]:
    """Every scenario once (120 reads at 20 per 0.5 s when ``quick``, else 400 at 50 per s)."""
    return asyncio.run(_all(quick))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    figures = run(quick=args.quick)
    print(json.dumps(figures, indent=2))
    bad = [
        k
        for k, v in figures.items()
        if k.endswith(("_429s", "_uncounted")) and not k.startswith("unguarded") and v
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
