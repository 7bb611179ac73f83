"""Hardening figures: the export parser is linear, and the body cap bounds memory.

Run ``python benchmarks/hardening.py [--quick]``.

* **Linear parse.** One package of 2, 8 and 16 MB (a single JSON value the streaming parser
  cannot split) is fed in 64 KiB chunks, as ``entries()`` does; the figure is the time per
  MB at 16 MB over the time per MB at 2 MB (best of a few rounds). A parser that re-parses
  the pending package on every chunk is quadratic (before this change: 0.1 / 2.4 / 9.3 s,
  a ratio near 8); a linear one stays near 1.
* **Body cap.** A child process (so its peak RSS is the client's alone) reads one answer
  through :class:`~lucidgreen._transport.AiohttpTransport` from a loopback server in this
  process: an *endless* body with the default 64 MiB cap, and, as the baseline, a finite
  body of 256 MiB (128 with ``--quick``) with no cap at all (``max_body_size=None``),
  which is what every answer could grow to before. Both are bounded in time and size.

``run(quick=...)`` returns the figures as numbers, for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from aiohttp import web  # noqa: E402

from lucidgreen.retail._export_file import ExportFileParser  # noqa: E402

MIB = 2**20
CHUNK = 65536


def one_package(size_mb: int) -> bytes:
    """An export file whose first package alone is ``size_mb`` MB of JSON."""
    case_bytes = len(json.dumps({f"C{0:021d}": [f"L{0:06d}{0:015d}"] * 20}))
    cases = size_mb * MIB // case_bytes + 1
    package = {f"C{i:021d}": [f"L{i:06d}{j:015d}" for j in range(20)] for i in range(cases)}
    return json.dumps({"PKG-BIG": package, "PKG-2": {"C": ["L"]}}).encode()


def parse_seconds(raw: bytes, rounds: int) -> float:
    """Best time to parse ``raw`` fed in 64 KiB chunks."""
    best = float("inf")
    for _ in range(rounds):
        parser = ExportFileParser(max_package_size=len(raw) + 1)
        started = time.perf_counter()
        for start in range(0, len(raw), CHUNK):
            parser.feed(raw[start : start + CHUNK])
        parser.close()
        best = min(best, time.perf_counter() - started)
    return best


def linear_parse(*, quick: bool) -> dict[str, float]:
    rounds = 1 if quick else 3
    figures: dict[str, float] = {}
    for size in (2, 8, 16):
        raw = one_package(size)
        seconds = parse_seconds(raw, rounds)
        figures[f"parse_{size}mb_seconds"] = seconds
        figures[f"parse_{size}mb_s_per_mb"] = seconds / (len(raw) / MIB)
    figures["parse_ratio_16_vs_2"] = figures["parse_16mb_s_per_mb"] / figures["parse_2mb_s_per_mb"]
    return figures


# --- body cap ----------------------------------------------------------------------------

_CHILD = """
import asyncio, json, resource, sys
from lucidgreen._transport import Request, Timeout
from lucidgreen._transport import AiohttpTransport

async def main(url, cap):
    transport = AiohttpTransport(max_body_size=cap)
    try:
        answer = await transport.send(Request("GET", url, authenticated=False),
                                      timeout=Timeout(total=120))
        outcome = f"read {len(answer.body)} bytes"
    except Exception as exc:
        outcome = type(exc).__name__
    await transport.aclose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "peak_kib": peak}))

asyncio.run(main(sys.argv[1], None if sys.argv[2] == "none" else int(sys.argv[2])))
"""


async def _endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    block = b" " * MIB
    limit = int(request.query.get("mib", "0")) or None
    sent = 0
    try:
        while limit is None or sent < limit:
            await response.write(block)
            sent += 1
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        pass  # the client stopped reading: what the cap is for
    return response


@contextmanager
def loopback_server() -> Iterator[str]:
    """An aiohttp.web server on 127.0.0.1 in a thread of its own, serving ``/body``."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, object] = {}

    async def start() -> None:
        app = web.Application()
        app.router.add_get("/body", _endless)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        state["port"] = sockets[0].getsockname()[1]
        state["runner"] = runner
        ready.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{state['port']}/body"
    finally:
        runner = state["runner"]
        assert isinstance(runner, web.AppRunner)
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def child_peak(url: str, cap: str) -> tuple[float, str]:
    """Peak RSS (MiB) of a child reading ``url`` with ``cap``, and what it got."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, cap],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["peak_kib"] / 1024, str(report["outcome"])


def body_cap(*, quick: bool) -> dict[str, float]:
    baseline_mib = 128 if quick else 256
    with loopback_server() as url:
        capped, capped_outcome = child_peak(url, str(64 * MIB))
        uncapped, uncapped_outcome = child_peak(f"{url}?mib={baseline_mib}", "none")
    if capped_outcome != "DecodeError" or not uncapped_outcome.startswith("read"):
        raise RuntimeError(f"unexpected outcomes: {capped_outcome!r}, {uncapped_outcome!r}")
    return {
        "rss_capped_endless_mib": capped,
        "rss_uncapped_mib": uncapped,
        "rss_uncapped_body_mib": float(baseline_mib),
        "rss_cap_ratio": capped / uncapped,
    }


def run(*, quick: bool) -> dict[str, float]:
    return {**linear_parse(quick=quick), **body_cap(quick=quick)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for name, value in run(quick=args.quick).items():
        print(f"{name:28} {value:10.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
