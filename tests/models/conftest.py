"""Fixtures for the model and converter tests: the recorded samples and the strict converter."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lucidgreen._converter import ModelConverter, make_strict_converter

SAMPLES = Path(__file__).parent.parent / "samples"


def read_sample(name: str) -> Any:
    """The parsed JSON of ``tests/samples/<name>``, e.g. ``"source/product_detail.json"``."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sample() -> Callable[[str], Any]:
    return read_sample


@pytest.fixture(scope="session")
def strict() -> ModelConverter:
    return make_strict_converter()
