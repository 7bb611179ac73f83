"""Exports and import time: the package-UID export readers against a bare GET + json.loads.

Run ``python -m benchmarks.exports [--quick]``.

* **Readers.** A loopback server in its own process (so its CPU is not the client's) serves
  one export file of about 10 MB (5 with ``--quick``) shaped like the fake's (1-3 CaseIDs a
  package, 1-6 LucidIDs a case, 22-character ids). Each round reads it with
  ``PackageExport.download()``, with ``entries()`` (counting the entries) and with a bare
  ``aiohttp`` GET + ``json.loads`` of the body, in a rotating order; the figures are MB/s and
  the median of the rounds' ratios. The server answers from memory at loopback speed: the
  hardest case for a streaming reader, whose parse overlaps only a short transfer.
* **Flat memory.** Peak RSS (``VmHWM``) of a fresh process streaming ``entries()`` of a
  file four times larger, over the same for the base file.
* **Import time.** Fresh processes time ``import aiohttp``, ``import lucidgreen`` and
  ``import lucidgreen; lucidgreen.SourceClient`` (everything a client needs), median of
  several, interleaved.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

from ._common import REPO_ROOT, median, stop

MB = 1_000_000

_SERVER = r"""
import base64, json, random, sys
from aiohttp import web

def build(size):
    rng = random.Random(size)
    def uid():
        return base64.b32encode(rng.randbytes(14)).decode()[:22]
    parts, total = [], 2
    while total < size:
        cases = {uid(): [uid() for _ in range(rng.randint(1, 6))] for _ in range(rng.randint(1, 3))}
        part = json.dumps("1A40603000" + f"{rng.getrandbits(56):014X}") + ":" + json.dumps(cases)
        parts.append(part)
        total += len(part) + 1
    return ("{" + ",".join(parts) + "}").encode()

files = {f"/{mb}.json": build(int(mb * 1_000_000)) for mb in map(float, sys.argv[1:])}

async def serve(request):
    return web.Response(body=files[request.path], content_type="application/json")

app = web.Application()
app.router.add_get("/{name}", serve)

async def main():
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(json.dumps({"url": f"http://127.0.0.1:{port}",
                      "bytes": {k: len(v) for k, v in files.items()}}), flush=True)
    import asyncio
    await asyncio.Event().wait()

web.asyncio.run(main())
"""

_STREAM_CHILD = r"""
import asyncio, json, sys
from benchmarks._common import peak_rss_mib
import lucidgreen
import lucidgreen.ratelimit
from lucidgreen.retail.package_uids import PackageExport

async def main(url):
    async with lucidgreen.RetailClient("id", "secret", base_url=url.rsplit("/", 1)[0],
                                       rate_limiter=lucidgreen.ratelimit.Unlimited()) as retail:
        export = PackageExport(retail._api, url=url, export_date=None)
        n = 0
        async for _ in export.entries():
            n += 1
    print(json.dumps({"entries": n, "peak_mib": peak_rss_mib()}))

asyncio.run(main(sys.argv[1]))
"""


@contextmanager
def export_server(*sizes_mb: float) -> Iterator[dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, *map(str, sizes_mb)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        stop(process)


async def _bare(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(url) as response:
        response.raise_for_status()
        return len(json.loads(await response.read()))


async def readers(url: str, rounds: int) -> dict[str, float]:
    import lucidgreen
    import lucidgreen.ratelimit  # an attribute only once imported (lucidgreen loads lazily)
    from lucidgreen.retail.package_uids import PackageExport

    async with (
        aiohttp.ClientSession() as session,
        lucidgreen.RetailClient(
            "id",
            "secret",
            base_url=url.rsplit("/", 1)[0],
            rate_limiter=lucidgreen.ratelimit.Unlimited(),
        ) as retail,
    ):
        export = PackageExport(retail._api, url=url, export_date=None)

        async def download() -> int:
            return len(await export.download())

        async def entries() -> int:
            seen: set[str] = set()
            async for entry in export.entries():
                seen.add(entry.package_uid)
            return len(seen)

        walks: dict[str, Callable[[], Awaitable[int]]] = {
            "bare": lambda: _bare(session, url),
            "download": download,
            "entries": entries,
        }
        counts = {name: await walk() for name, walk in walks.items()}  # warm-up
        if len(set(counts.values())) != 1:
            raise RuntimeError(f"the readers saw different package counts: {counts}")
        seconds: dict[str, list[float]] = {name: [] for name in walks}
        order = list(walks)
        for round_ in range(rounds):
            turn = round_ % len(order)
            for name in order[turn:] + order[:turn]:
                started = time.perf_counter()
                await walks[name]()
                seconds[name].append(time.perf_counter() - started)
    figures = {f"{name}_seconds": median(values) for name, values in seconds.items()}
    for name in ("download", "entries"):
        figures[f"{name}_vs_bare_ratio"] = median(
            [b / s for b, s in zip(seconds["bare"], seconds[name], strict=True)]
        )
    return figures


def stream_peak(url: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _STREAM_CHILD, url],
        capture_output=True, text=True, timeout=300, env=env, check=True,
    )  # fmt: skip
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_mib"])


_IMPORT = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
IMPORTS = {
    "aiohttp": "import aiohttp",
    "lucidgreen": "import lucidgreen",
    "client": "import lucidgreen; lucidgreen.SourceClient",
}


def import_times(runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        for name, code in IMPORTS.items():
            done = subprocess.run(
                [sys.executable, "-c", _IMPORT.format(code=code)],
                capture_output=True, text=True, check=True, cwd=REPO_ROOT,
            )  # fmt: skip
            times[name].append(float(done.stdout))
    figures = {f"import_{name}_ms": median(values) * 1000 for name, values in times.items()}
    for name in ("lucidgreen", "client"):
        figures[f"import_{name}_vs_aiohttp_ratio"] = median(
            [ours / base for ours, base in zip(times[name], times["aiohttp"], strict=True)]
        )
    return figures


def run(*, quick: bool = False) -> dict[str, float]:
    """The figures described in the module docstring, as ``{name: value}``."""
    base, rounds = (5.0, 3) if quick else (10.0, 7)
    with export_server(base, base * 4) as served:
        url = f"{served['url']}/{base}.json"
        size = served["bytes"][f"/{base}.json"]
        figures = asyncio.run(readers(url, rounds))
        figures["file_mb"] = size / MB
        for name in ("bare", "download", "entries"):
            figures[f"{name}_mb_per_s"] = size / MB / figures[f"{name}_seconds"]
        small = stream_peak(url)
        large = stream_peak(f"{served['url']}/{base * 4}.json")
    figures.update(entries_rss_small_mib=small, entries_rss_large_mib=large)
    figures["entries_rss_ratio"] = large / small
    return {**figures, **import_times(3 if quick else 7)}


def main(argv: list[str]) -> None:
    for name, value in run(quick="--quick" in argv).items():
        print(f"{name:34} {value:12.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
