"""Which tests use aioresponses, and whether aioresponses works on the installed aiohttp.

aioresponses 0.7.9 builds ``aiohttp.ClientResponse`` itself and breaks on aiohttp 3.14
(``ClientResponse.__init__()`` needs ``stream_writer``). Rather than compare version numbers,
the probe sends one mocked request: whatever aioresponses release fixes it, its tests run again.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from types import CodeType, ModuleType

import aiohttp
import pytest

_PROBE_URL = "http://probe.invalid/"


async def _probe() -> None:
    from aioresponses import aioresponses

    with aioresponses() as mocked:
        mocked.get(_PROBE_URL, status=204)
        async with aiohttp.ClientSession() as session, session.get(_PROBE_URL) as response:
            if response.status != 204:
                raise RuntimeError(f"a mocked 204 came back as {response.status}")


def aioresponses_broken() -> str | None:
    """``None`` when aioresponses answers a mocked request here, else why it does not."""
    try:
        asyncio.run(_probe())
    except ImportError:
        return "aioresponses is not installed"
    except Exception as exc:  # any failure of the probe means the tests cannot run
        return f"{type(exc).__name__}: {exc}"
    return None


def _is_aioresponses(value: object) -> bool:
    name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
    return isinstance(name, str) and name.split(".")[0] == "aioresponses"


def _names_used(code: CodeType) -> Iterator[str]:
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, CodeType):  # a nested function or comprehension
            yield from _names_used(constant)


def _calls_aioresponses(function: Callable[..., object]) -> bool:
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    found = getattr(function, "__globals__", {})
    return any(_is_aioresponses(found.get(name)) for name in _names_used(code))


def uses_aioresponses(item: pytest.Function) -> bool:
    """Whether the test, or any fixture it uses (however indirectly), refers to aioresponses."""
    functions = [item.function]
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        functions.extend(definition.func for definition in definitions)
    return any(_calls_aioresponses(function) for function in functions)
