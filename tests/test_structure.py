"""The package's shape: no import cycle inside ``lucidgreen/``, and no module over 400 lines
without a reason in its docstring.

The import graph is read from the source with :mod:`ast`: every import statement, relative
imports resolved, only ``if TYPE_CHECKING:`` blocks left out (they never run). Imports inside
functions count: deferring an import hides a circle between two modules, it does not remove
it (``_cli`` / ``_cli_demo`` / ``_cli_export`` once imported each other that way).
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import lucidgreen

# The package as imported: the source tree, or an installed wheel when CI tests that.
PACKAGE = Path(lucidgreen.__file__).resolve().parent

#: A module longer than this needs a docstring line starting with ``LONG_BECAUSE``.
MAX_LINES = 400
LONG_BECAUSE = "Long because:"


def module_names(root: Path) -> dict[str, Path]:
    """``{"pkg.sub.mod": path}`` for every ``.py`` file of the package at ``root``."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in ``body`` and the blocks it holds, but ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(node.orelse)
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                yield from _imports([child for child in block if isinstance(child, ast.stmt)])
            for child in block or []:
                if isinstance(child, ast.ExceptHandler | ast.match_case):
                    yield from _imports(child.body)


def import_graph(root: Path) -> dict[str, set[str]]:
    """``{module: modules of the same package it imports}``.

    Importing ``a.b.c`` runs ``a.b`` first, so a target's parent packages count too, except
    the importer's own ancestors (Python is already loading those when the importer runs).
    """
    names = module_names(root)
    graph: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        if is_package:
            ancestors.add(name)
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets.add(module)
            # ``from pkg import sub`` loads the submodule ``pkg.sub`` when there is one.
            targets.update(f"{module}.{alias.name}" for alias in node.names)
        for target in targets:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in names and prefix not in ancestors and prefix != name:
                    graph[name].add(prefix)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None when the graph has none."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph[node]):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            found = visit(start)
            if found:
                return found
    return None


def long_modules_without_reason(root: Path) -> list[str]:
    """Modules over :data:`MAX_LINES` lines whose docstring has no ``Long because:`` line."""
    offenders = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n") + (not source.endswith("\n"))
        if lines <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(source)) or ""
        if not any(line.strip().startswith(LONG_BECAUSE) for line in docstring.splitlines()):
            offenders.append(f"{path.relative_to(root.parent)} ({lines} lines)")
    return offenders


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_lucidgreen_has_no_import_cycle() -> None:
    """No chain of load-time imports inside lucidgreen/ leads back to where it started."""
    graph = import_graph(PACKAGE)
    assert len(graph) > 50  # the reader found the package's modules
    # ... and their imports (``lucidgreen`` itself loads the clients lazily, on first use)
    assert "lucidgreen._pipeline" in graph["lucidgreen._client"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_module_is_over_400_lines_without_a_reason() -> None:
    """A module over 400 lines says why in a docstring line starting ``Long because:``."""
    offenders = long_modules_without_reason(PACKAGE)
    assert offenders == [], f"over {MAX_LINES} lines, no {LONG_BECAUSE!r} line: {offenders}"


def test_the_cycle_reader_finds_relative_package_and_parent_cycles(tmp_path: Path) -> None:
    """Relative imports, ``from . import sub`` and a subpackage's ``__init__`` all count."""
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .sub.b import thing\n",
            "sub/__init__.py": "from .. import c\n",
            "sub/b.py": "thing = 1\n",
            "c.py": "import pkg.a\n",
        },
    )
    assert find_cycle(import_graph(root)) == ["pkg.a", "pkg.sub", "pkg.c", "pkg.a"]


def test_the_cycle_reader_skips_only_type_checking_imports(tmp_path: Path) -> None:
    """Imports under ``if TYPE_CHECKING:`` never run; one deferred into a function still
    closes a circle."""
    files = {
        "__init__.py": "",
        "a.py": "from . import b\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n",
    }
    assert find_cycle(import_graph(_package(tmp_path / "typing", files))) is None
    files["b.py"] += "def later():\n    try:\n        from . import a\n    finally:\n        pass\n"
    cycle = find_cycle(import_graph(_package(tmp_path / "deferred", files)))
    assert cycle == ["pkg.a", "pkg.b", "pkg.a"]


@pytest.mark.parametrize(("docstring", "flagged"), [("A module.", True), (LONG_BECAUSE, False)])
def test_the_length_check_wants_the_reason_line(
    tmp_path: Path, docstring: str, flagged: bool
) -> None:
    """401 lines fail without a ``Long because:`` docstring line and pass with one."""
    body = f'"""Title.\n\n{docstring} one table.\n"""\n' + "x = 1\n" * (MAX_LINES - 3)
    root = _package(tmp_path, {"__init__.py": "", "long.py": body, "short.py": "x = 1\n"})
    assert (long_modules_without_reason(root) == ["pkg/long.py (401 lines)"]) is flagged
