"""Helpers the benchmark modules share: the fake server as a process, tokens, medians, RSS."""

from __future__ import annotations

import json
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

REPO_ROOT = Path(__file__).resolve().parents[1]


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (at least one)."""
    return float(statistics.median(values))


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB.

    On Linux this is ``VmHWM`` from ``/proc/self/status``, which belongs to this program
    only: ``ru_maxrss`` survives ``exec`` and may still hold the parent's peak from before
    the fork, which would make every child look as large as the runner.
    """
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def stop(process: subprocess.Popen[Any], *, timeout: float = 5) -> None:
    """Terminate ``process`` and wait for it; kill it when it outlives ``timeout``."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def fake_process(**options: object) -> Iterator[dict[str, str]]:
    """``python -m lucidgreen.testing`` in its own process, so its CPU is not ours.

    ``options`` become command-line flags (``products=5000`` -> ``--products 5000``;
    ``no_rate_limits=True`` -> ``--no-rate-limits``). Yields the JSON line the fake prints:
    ``url``, ``source_client_id``, ``source_client_secret``, ``retail_client_id``...
    """
    command = [sys.executable, "-m", "lucidgreen.testing", "--json"]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            command.append(flag)
        elif value is not False and value is not None:
            command += [flag, str(value)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake server did not start: {' '.join(command)}")
        yield json.loads(line)
    finally:
        stop(process, timeout=10)
        if process.stdout is not None:
            process.stdout.close()


async def fetch_token(session: aiohttp.ClientSession, url: str, client_id: str, secret: str) -> str:
    """A bearer token from the fake's ``/o/token/`` (for the hand-written baselines)."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    async with session.post(f"{url}/o/token/", data=form) as response:
        response.raise_for_status()
        token: str = (await response.json())["access_token"]
        return token
