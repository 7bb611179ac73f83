"""Helpers the benchmark modules share: the fake server as a process, tokens, medians, RSS,
and the bare loopback TCP server (the tests' ``tcp_server`` is this one too)."""

from __future__ import annotations

import asyncio
import json
import platform
import resource
import socket
import statistics
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from lucidgreen.testing import FakeLucidGreen

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def small_fake(**options: Any) -> FakeLucidGreen:
    """A :class:`FakeLucidGreen` with little data (20 products, 2 brands, 6 batches, 30 items,
    3 cases, 4 collections), so the server's own work stays small; ``options`` (limits,
    jitter, seed) on top."""
    sizes = {"products": 20, "brands": 2, "batches": 6, "items": 30, "cases": 3, "collections": 4}
    return FakeLucidGreen(**{**sizes, **options})


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


TcpHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def loopback_tcp(handle: TcpHandler) -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 (the OS picks the port, yielded) running ``handle`` per
    connection, which it closes afterwards whatever ``handle`` raised (the far end of an
    attack or a proxy may fail in any way)."""
    handlers: set[asyncio.Task[Any]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            await handle(reader, writer)
        except Exception:  # noqa: S110 - see the docstring
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(connected, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        # A handler still running (dribbling an answer, forwarding) is stopped, its socket
        # closed, before the loop goes (otherwise the next test meets its ResourceWarning).
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
