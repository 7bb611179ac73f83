"""Fixtures shared across the test directories: clients on the loopback fake whose product
budget never waits but counts how often it was spent, and a throwaway ``redis-server`` for
the tests marked ``redis``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from lucidgreen import RetailClient, SourceClient, TokenBucket
from lucidgreen.testing import FakeLucidGreen
from tests.support import free_port


class CountingBucket(TokenBucket):
    """A roomy :class:`TokenBucket` that counts how often its budget was spent."""

    __slots__ = ("acquired",)

    def __init__(self) -> None:
        super().__init__(limit=1_000_000, per=60.0, burst=1000)
        self.acquired = 0

    async def acquire(self) -> float:
        self.acquired += 1
        return await super().acquire()


@pytest.fixture
def limiter() -> CountingBucket:
    """The product budget of ``source`` and ``retail``: never waits, counts acquisitions."""
    return CountingBucket()


@pytest.fixture
async def source(
    lucidgreen_fake: FakeLucidGreen, limiter: CountingBucket
) -> AsyncIterator[SourceClient]:
    """A SourceClient talking to the loopback fake with its generated credentials."""
    client_id, secret = lucidgreen_fake.source_credentials
    async with SourceClient(
        client_id, secret, base_url=lucidgreen_fake.url, rate_limiter=limiter
    ) as client:
        yield client


@pytest.fixture
async def retail(
    lucidgreen_fake: FakeLucidGreen, limiter: CountingBucket
) -> AsyncIterator[RetailClient]:
    """A RetailClient talking to the loopback fake with its generated credentials."""
    client_id, secret = lucidgreen_fake.retail_credentials
    async with RetailClient(
        client_id, secret, base_url=lucidgreen_fake.url, rate_limiter=limiter
    ) as client:
        yield client


def _unavailable(reason: str) -> None:
    # CI installs redis-server; there a missing binary is a broken setup, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the redis tests may not be skipped)")
    pytest.skip(reason)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a redis-server started for this test session, stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server is not on PATH (apt-get install redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        _unavailable("the redis package is missing (pip install 'lucidgreen[redis]')")
    assert binary is not None
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers_ping(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server on port {port} did not answer PING")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
