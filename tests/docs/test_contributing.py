"""The contributing page's module list names every module of the package, and only those.

A module added, moved or removed without the list changing fails here, and the message
holds the list to paste, built from each module's docstring (its first paragraph).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import lucidgreen

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "contributing.md"
# The package as installed (a wheel's tests run beside no source tree); paths read from its
# parent, so they are ``lucidgreen/...`` either way.
PACKAGE = Path(lucidgreen.__file__).resolve().parent
_ENTRY = re.compile(r"^- `(lucidgreen/[\w/]+\.py)` — ", re.MULTILINE)
_LONGEST = 100
_ROLE = re.compile(r":\w+:`~?(?:[\w.]+\.)?([^`]+)`")  # :class:`~lucidgreen.X` -> `X`


def _summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line, cut at about 100 characters."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(docstring.split("\n\n", 1)[0].split())
    text = _ROLE.sub(r"`\1`", text).replace("``", "`")  # reST markup as Markdown
    if len(text) <= _LONGEST:
        return text
    return text[:_LONGEST].rsplit(" ", 1)[0] + " …"


def module_list() -> str:
    """The Layout section's list, as it should read today."""
    modules = sorted(PACKAGE.rglob("*.py"))
    return "\n".join(
        f"- `{path.relative_to(PACKAGE.parent).as_posix()}` — {_summary(path)}" for path in modules
    )


def test_every_module_of_the_package_is_listed_once_and_nothing_else() -> None:
    listed = _ENTRY.findall(PAGE.read_text(encoding="utf-8"))
    actual = [p.relative_to(PACKAGE.parent).as_posix() for p in sorted(PACKAGE.rglob("*.py"))]
    assert sorted(listed) == actual, (
        "docs/contributing.md's module list is out of date; replace it with:\n" + module_list()
    )


def test_every_module_says_what_it_is_for() -> None:
    """A module without a docstring would show an empty line on the page."""
    missing = [line for line in module_list().splitlines() if line.endswith("— ")]
    assert missing == []
