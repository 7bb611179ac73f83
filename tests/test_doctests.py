"""The examples in the package's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import lucidgreen


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(lucidgreen.__path__, "lucidgreen."):
        if info.name.endswith("__main__"):
            continue
        source = importlib.util.find_spec(info.name)
        origin = source.origin if source else None
        if origin and origin.endswith(".py"):
            with Path(origin).open(encoding="utf-8") as file:
                if ">>> " in file.read():
                    names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_some_modules_carry_examples() -> None:
    assert len(MODULES) >= 5, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_of(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
