"""``python -m benchmarks.page_cost`` still runs: it captures the fake's pages once, and each
walk it times over its in-memory transport gives a figure (a few pages of the in-process
fake, so the profile tool cannot rot)."""

from __future__ import annotations

import pytest

from benchmarks import page_cost
from lucidgreen.testing import FakeLucidGreen


async def test_the_walks_over_captured_pages_give_a_figure_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(page_cost, "WALKS", 2)
    async with FakeLucidGreen(products=250, page_size=100, rate_limits=False) as fake:
        client_id, secret = fake.source_credentials
        answers = await page_cost.capture(fake.url, client_id, secret)
        origin = fake.url
    assert len(answers) == 3  # captured once: the walks below never reach the fake
    figures = await page_cost.walks(origin, answers, profile=False)
    assert set(figures) == {
        "json.loads of the page",
        "SDK walk",
        "SDK walk, traced (in-memory exporter)",
        "SDK walk, traced (no-op providers)",
    }
    assert all(value > 0 for value in figures.values())


async def test_the_live_walks_over_the_real_transport_give_a_figure_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--live``: the bare loop, the SDK walk and the traced walk each reach the fake over
    loopback and give a CPU and a wall figure per page."""
    monkeypatch.setattr(page_cost, "LIVE_WALKS", 1)
    async with FakeLucidGreen(products=250, page_size=100, rate_limits=False) as fake:
        client_id, secret = fake.source_credentials
        figures = await page_cost.live(fake.url, client_id, secret, pages=3)
    walks = (
        "live: bare aiohttp + json.loads",
        "live: SDK walk",
        "live: SDK walk, traced (in-memory exporter)",
    )
    assert set(figures) == {f"{walk}, {kind}" for walk in walks for kind in ("CPU", "wall")}
    assert all(value > 0 for value in figures.values())
