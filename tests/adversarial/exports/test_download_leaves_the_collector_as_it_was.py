"""``download()`` pauses the garbage collector for its parse only: a hostile file that
fails the parse, or a caller that had switched the collector off, finds it as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from lucidgreen import DecodeError, RetailClient
from lucidgreen.retail._export_file import collector_paused
from lucidgreen.testing import FakeLucidGreen


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    if was_on:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_restored")
@pytest.mark.parametrize("was_on", [True, False])
def test_the_pause_restores_the_state_it_found_even_on_error(was_on: bool) -> None:
    """On stays on and off stays off, whether the parse returns or raises."""
    (gc.enable if was_on else gc.disable)()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is was_on
    with pytest.raises(DecodeError), collector_paused():
        raise DecodeError("hostile", text="")
    assert gc.isenabled() is was_on


@pytest.mark.usefixtures("collector_restored")
@pytest.mark.parametrize(
    "body", [b'{"P": {"C": ["a"]}, "Q": {"C": [1]}}', b'{"P": {"C": ["a"]}', b"\xff{}"]
)
@pytest.mark.parametrize("was_on", [True, False])
async def test_a_failed_download_leaves_the_collector_as_it_was(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, body: bytes, was_on: bool
) -> None:
    """Wrong shape, truncation, bad bytes: DecodeError, and the collector as before."""
    export = await retail.package_uids.export()
    lucidgreen_fake.faults.script("/exports/", [(200, body)])
    (gc.enable if was_on else gc.disable)()
    with pytest.raises(DecodeError):
        await export.download()
    assert gc.isenabled() is was_on
