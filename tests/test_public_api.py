"""The public surface of ``lucidgreen``: ``__all__``, docstrings, a clean import, the version."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import pytest

import lucidgreen

PUBLIC_NAMES = [name for name in lucidgreen.__all__ if name != "__version__"]


def test_all_is_sorted_and_unique() -> None:
    """``lucidgreen.__all__`` is sorted and lists each name once."""
    assert lucidgreen.__all__ == sorted(set(lucidgreen.__all__))


def test_all_has_no_private_names() -> None:
    """No exported name starts with an underscore (``__version__`` aside)."""
    assert [name for name in PUBLIC_NAMES if name.startswith("_")] == []
    assert "__version__" in lucidgreen.__all__


def test_the_clients_and_errors_are_exported() -> None:
    """The names every user needs are in ``__all__``."""
    expected = {
        "SourceClient",
        "RetailClient",
        "TokenBucket",
        "RedisRateLimiter",
        "RetryPolicy",
        "LucidGreenError",
        "APIError",
        "AuthenticationError",
        "NotFound",
        "TransportError",
        "WriteOutcomeUnknown",
        "Transport",
        "Instrumentation",
        "CallObserver",
        "CallName",
    }
    assert expected <= set(lucidgreen.__all__)


EXTENSION_POINTS = {
    "lucidgreen.transport": ["Request", "Response", "StreamedResponse", "Timeout", "Transport"],
    "lucidgreen.instrumentation": ["CallName", "CallObserver", "Instrumentation"],
}


@pytest.mark.parametrize(
    ("module", "name"),
    [(module, name) for module, names in EXTENSION_POINTS.items() for name in names],
)
def test_the_extension_points_are_defined_at_public_modules(module: str, name: str) -> None:
    """What a user implements (a transport, an instrumentation) and the values it speaks are
    defined at a public module, which lists them, and ``lucidgreen`` exports the same object."""
    value = getattr(lucidgreen, name)
    assert value.__module__ == module
    assert name in importlib.import_module(module).__all__


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_exported_name_is_importable_and_documented(name: str) -> None:
    """Each exported name imports with ``from lucidgreen import ...`` and has its own docstring."""
    namespace: dict[str, object] = {}
    exec(f"from lucidgreen import {name}", namespace)
    value = namespace[name]
    assert value is getattr(lucidgreen, name)
    # A class's __doc__ is its own (None when it has none): never inherited from a base.
    doc = value.__doc__
    assert isinstance(doc, str), f"lucidgreen.{name} has no docstring"
    assert doc.strip(), f"lucidgreen.{name} has an empty docstring"


def test_import_is_clean_under_warnings_as_errors() -> None:
    """``python -W error -c "import lucidgreen"`` exits 0 and writes nothing to stderr."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import lucidgreen"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_version_matches_the_installed_distribution() -> None:
    """``lucidgreen.__version__`` is the version pip installed."""
    assert lucidgreen.__version__ == importlib.metadata.version("lucidgreen")
    assert isinstance(lucidgreen.__version__, str)
