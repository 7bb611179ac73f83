"""Sub-cases nested past MAX_CASE_DEPTH are refused by an explicit count, on any Python."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from lucidgreen.errors import DecodeError
from lucidgreen.push._case import MAX_CASE_DEPTH, parse_case


def _nested(depth: int) -> str:
    return '{"cases": [' * depth + "{}" + "]}" * depth


@pytest.fixture
def roomy_stack() -> Iterator[None]:
    """A recursion limit far above the depth (as 3.13 behaves): only the count can refuse."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


@pytest.mark.usefixtures("roomy_stack")
@pytest.mark.parametrize("depth", [MAX_CASE_DEPTH + 1, 300])
def test_nesting_past_the_bound_is_refused_even_with_stack_to_spare(depth: int) -> None:
    """The refusal names the bound; it never depends on RecursionError."""
    with pytest.raises(DecodeError, match=f"more than {MAX_CASE_DEPTH} deep"):
        parse_case(_nested(depth))


def test_nesting_at_the_bound_parses() -> None:
    """A case nested exactly MAX_CASE_DEPTH deep is read to its innermost sub-case."""
    case = parse_case(_nested(MAX_CASE_DEPTH))
    for _ in range(MAX_CASE_DEPTH):
        (case,) = case.cases
    assert case.cases == ()
