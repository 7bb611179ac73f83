"""The documentation site, opened as a reader opens it: built by mkdocs, rendered by Chromium.

The API reference must render every public name: each name of ``lucidgreen.__all__`` and of
the ``__all__`` of every public module (no ``_`` in its dotted path). The built pages are
loaded in headless Chromium (Debian's ``chromium``) and the rendered DOM is read, so a page
that builds but does not render (a broken template, an object mkdocstrings silently skipped)
fails here.

``LUCIDGREEN_DOCS_SITE`` names an already built site directory; otherwise the site is built
once for the module. Skipped, with the reason, when mkdocs or Chromium is missing (``.ci/run``
installs both).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

import lucidgreen

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PAGES = tuple(f"reference/{page}.html" for page in ("lucidgreen", "resources", "helpers"))
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def _chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = os.environ.get("LUCIDGREEN_DOCS_SITE")
    if built:
        return Path(built)
    for needed in ("mkdocs", "mkdocstrings", "material"):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{needed} is not installed: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def chromium() -> str:
    found = _chromium()
    if found is None:
        pytest.skip("chromium is not installed: apt-get install chromium")
    return found


class _Ids(HTMLParser):
    """Every element ``id`` of a document, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _rendered(chromium: str, page: Path, profile: Path) -> _Ids:
    """The DOM Chromium renders for ``page`` (scripts run), parsed."""
    assert page.is_file(), f"the site has no {page.name}"
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    parsed = _Ids()
    parsed.feed(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def reference(site: Path, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> _Ids:
    """The ids and text of every API reference page, as rendered."""
    merged = _Ids()
    for name in REFERENCE_PAGES:
        page = _rendered(chromium, site / name, tmp_path_factory.mktemp("chromium"))
        merged.ids |= page.ids
        merged.text += page.text
    return merged


def _public_modules() -> Iterator[str]:
    yield "lucidgreen"
    for info in pkgutil.walk_packages(lucidgreen.__path__, "lucidgreen."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield info.name


def _rendered_as(name: str, module: str, ids: set[str]) -> bool:
    """``module.name`` is on a page under its own path, a package that re-exports it, or the
    module that defines it."""
    parts = module.split(".")
    paths = {f"{'.'.join(parts[:n])}.{name}" for n in range(len(parts), 0, -1)}
    defined_in = getattr(getattr(importlib.import_module(module), name), "__module__", None)
    if isinstance(defined_in, str):
        paths.add(f"{defined_in}.{name}")
    return not paths.isdisjoint(ids)


def test_the_reference_renders_every_name_lucidgreen_exports(reference: _Ids):
    """Each name of ``lucidgreen.__all__`` has its own rendered section, with its name shown."""
    names = [name for name in lucidgreen.__all__ if name != "__version__"]
    missing = [name for name in names if f"lucidgreen.{name}" not in reference.ids]
    assert missing == []
    shown = "".join(reference.text)
    assert [name for name in names if name not in shown] == []


def test_the_reference_renders_every_public_modules_names(reference: _Ids):
    """Every ``__all__`` name of every public module is rendered somewhere it can be imported."""
    missing = [
        f"{module}.{name}"
        for module in _public_modules()
        for name in getattr(importlib.import_module(module), "__all__", ())
        if name != "__version__" and not _rendered_as(name, module, reference.ids)
    ]
    assert missing == []


@pytest.mark.parametrize("client", [lucidgreen.SourceClient, lucidgreen.RetailClient])
def test_each_clients_section_lists_its_namespaces_and_methods(client: type, reference: _Ids):
    """A client's reference lists its namespaces and ``with_options`` / ``aclose``."""
    namespaces = [name for name in client.__annotations__ if not name.startswith("_")]
    expected = [*namespaces, "with_options", "aclose", "stats"]
    prefix = f"lucidgreen.{client.__name__}"
    assert [name for name in expected if f"{prefix}.{name}" not in reference.ids] == []
