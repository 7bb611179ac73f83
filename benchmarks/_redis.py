"""A throwaway ``redis-server`` on loopback: the one bootstrap of the benchmarks and the tests.

``benchmarks/limiter.py`` uses it for its cross-process figures, ``tests/conftest.py`` for the
``redis_url`` fixture (tests may import benchmarks; benchmarks never import tests for this).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks._common import stop


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(*, start_timeout: float = 10.0) -> Iterator[str | None]:
    """The URL of a redis-server started for the block, or None when the binary is missing.

    The server keeps nothing on disk and is stopped (killed if it lingers) when the block ends.
    Raises :class:`RuntimeError` when it does not answer ``PING`` within ``start_timeout``.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = _free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers_ping(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not answer PING")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)
