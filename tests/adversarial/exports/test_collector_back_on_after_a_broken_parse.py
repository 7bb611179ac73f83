"""Promise attacked: the export parse pauses the garbage collector only for its own
synchronous work; a consumer callback that raises mid-feed, or a download cancelled while
the file is still arriving, leaves the collector on."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
from collections.abc import Iterator

import pytest

from lucidgreen import RetailClient
from lucidgreen.retail._export_file import ExportFileParser
from lucidgreen.testing import FakeLucidGreen


@pytest.fixture
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


@pytest.mark.usefixtures("collector_on")
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_consumer_raising_inside_feed_leaves_the_collector_on(
    error: type[BaseException],
) -> None:
    def explode(packages: object) -> None:
        raise error

    parser = ExportFileParser(on_packages=explode)
    raw = json.dumps({f"P{i}": {"C": ["L"]} for i in range(100)}).encode()
    with pytest.raises(error):
        parser.feed(raw)
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
@pytest.mark.parametrize("steps", [0, 1, 2, 4, 8, 12])
async def test_a_download_cancelled_mid_file_leaves_the_collector_on(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, steps: int
) -> None:
    """The task is cancelled at whichever await ``steps`` loop turns reach (connecting,
    reading a chunk, after parsing one); if it already finished, it finished cleanly."""
    export = await retail.package_uids.export()
    task = asyncio.ensure_future(export.download())
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert gc.isenabled()
