"""The package surface: exports, the protocol, and RedisRateLimiter without redis installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lucidgreen import errors, ratelimit
from lucidgreen.errors import LucidGreenError

REPO_ROOT = Path(__file__).resolve().parents[2]

WITHOUT_REDIS = """
import sys
sys.modules["redis"] = None  # as if the extra were not installed
from lucidgreen import errors, ratelimit
ratelimit.TokenBucket()
try:
    ratelimit.RedisRateLimiter("redis://localhost", "key")
except ImportError as exc:
    print(exc)
"""


def test_exports() -> None:
    """The package exports the protocols, the three limiters, the error, the pacing and
    the documented limits; the dead sizing and product constructors are gone."""
    for name in (
        "RateLimiter",
        "Permit",
        "TokenBucket",
        "RedisRateLimiter",
        "Unlimited",
        "RateLimiterUnavailable",
        "Pacing",
        "SOURCE_LIMIT",
    ):
        assert name in ratelimit.__all__
        assert hasattr(ratelimit, name)
    assert issubclass(ratelimit.RateLimiterUnavailable, LucidGreenError)
    assert ratelimit.RateLimiterUnavailable is errors.RateLimiterUnavailable
    for gone in ("Sizing", "DEFAULT_UTILIZATION"):
        assert not hasattr(ratelimit, gone)
    for gone in ("for_source", "for_retail", "for_public_lookup"):
        assert not hasattr(ratelimit.TokenBucket, gone)


def test_redis_limiter_without_redis_names_the_extra() -> None:
    """Without the redis package, importing works and constructing RedisRateLimiter raises an
    ImportError that says which extra to install."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_REDIS],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'lucidgreen[redis]'" in result.stdout
