"""What a new user of the testing kit needs: stock to sell, a summary, credentials it names."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from lucidgreen.testing import EXAMPLE_PRODUCT_UUID, SUMMARY_PATH, FakeLucidGreen


async def test_a_fresh_fake_has_one_case_in_stock(lucidgreen_fake):
    """Out of the box, one case (not another dispensary's) is in inventory: sellable IDs."""
    stock = lucidgreen_fake.sellable_lucid_ids()
    assert stock
    assert all(lucidgreen_fake.state.in_inventory(lid) for lid in stock)
    (held,) = {inv.case_uuid for inv in lucidgreen_fake.state.inventory_collections.values()}
    assert held not in lucidgreen_fake.state.cases_scanned_elsewhere
    assert lucidgreen_fake.state.imports == []  # the case-import path stays untouched


@pytest.mark.lucidgreen_fake(stock=0)
async def test_stock_zero_starts_empty_and_add_inventory_fills_it(lucidgreen_fake):
    """``stock=0`` sells nothing; ``add_inventory(case)`` stocks exactly that case's IDs."""
    fake = lucidgreen_fake
    assert fake.sellable_lucid_ids() == []
    case = next(iter(fake.state.cases.values()))
    stock = fake.add_inventory(case.uuid)
    assert stock.case_uuid == case.uuid
    assert set(stock.lucid_ids) == {lid for lid in case.current_ids() if lid in fake.state.items}
    assert fake.sellable_lucid_ids() == list(stock.lucid_ids)
    # One inventory collection per packaged product, as add-items requires.
    for identifier in stock.inventory_collections:
        held = fake.state.inventory_collections[identifier].lucid_ids
        assert len({fake.state.items[lid].packaged_product_uuid for lid in held}) == 1


async def test_add_inventory_refuses_a_foreign_or_unknown_case(lucidgreen_fake):
    """A case of another dispensary, or no case at all, is a ValueError naming it."""
    foreign = next(iter(lucidgreen_fake.state.cases_scanned_elsewhere))
    with pytest.raises(ValueError, match="another dispensary"):
        lucidgreen_fake.add_inventory(foreign)
    with pytest.raises(ValueError, match="not a case"):
        lucidgreen_fake.add_inventory(EXAMPLE_PRODUCT_UUID)


@pytest.mark.lucidgreen_fake(cases=2, stock=5)
async def test_add_inventory_runs_out_of_cases_clearly(lucidgreen_fake):
    """Stock is capped by the cases there are; asking for one more says what to do."""
    with pytest.raises(ValueError, match="cases=N"):
        lucidgreen_fake.add_inventory()


async def test_every_fake_holds_the_docs_example_product(lucidgreen_fake):
    """``UNDTMBovdue9tFWfhamnDM`` (the README's product) is the first product of any fake."""
    assert next(iter(lucidgreen_fake.state.products)) == EXAMPLE_PRODUCT_UUID
    assert FakeLucidGreen(seed=7, products=3).state.products[EXAMPLE_PRODUCT_UUID].uuid == (
        EXAMPLE_PRODUCT_UUID
    )


async def test_summary_endpoint_splits_limiter_429s_from_injected(lucidgreen_fake, session):
    """GET /__fake__/summary counts requests, 429s by origin and faults; it counts not itself."""
    fake = lucidgreen_fake
    fake.limits.enabled = True
    fake.faults.script("/api/v1.5/brands/", [(429, {"detail": "x"}, {"Retry-After": "1"})])
    headers = {"Authorization": f"Bearer {fake.issue_token()}"}
    limit = fake.limits.limit_for("source")
    assert limit is not None
    for _ in range(limit.limit + 1):  # one past the window: the limiter's own 429
        async with session.get(fake.url + "/api/v1.5/products/", headers=headers):
            pass
    async with session.get(fake.url + "/api/v1.5/brands/", headers=headers):
        pass
    async with session.get(fake.url + SUMMARY_PATH) as response:
        summary = await response.json()
    assert summary == fake.summary()
    assert summary["requests"] == limit.limit + 2
    assert summary["rate_limited"] == {"total": 2, "from_rate_limiter": 1, "injected": 1}
    assert summary["faults"] == {"script": 1}
    assert summary["by_status"] == {"200": limit.limit, "429": 2}
    assert len(fake.requests) == limit.limit + 2


def test_help_names_the_credentials_it_accepts():
    """``python -m lucidgreen.testing --help`` explains the credentials and the control path."""
    result = subprocess.run(
        [sys.executable, "-m", "lucidgreen.testing", "--help"],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    assert "--source-credentials ID:SECRET" in result.stdout
    assert "derived from --seed" in result.stdout
    assert SUMMARY_PATH in result.stdout


async def test_process_uses_given_credentials_and_prints_a_summary_on_exit(session):
    """Chosen credentials are the ones accepted; SIGTERM prints the JSON summary of the run."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lucidgreen.testing", "--products", "3", "--json",
        "--source-credentials", "my-id:my-secret",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        info = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=20))
        assert (info["source_client_id"], info["source_client_secret"]) == ("my-id", "my-secret")
        form = {"grant_type": "client_credentials", "client_id": "my-id", "client_secret": "no"}
        async with session.post(info["url"] + "/o/token/", data=form) as refused:
            assert refused.status == 401
    finally:
        process.terminate()
    out, _ = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
    summary = json.loads(out.decode().strip().splitlines()[-1])["summary"]
    assert summary["requests"] == 1
    assert summary["by_status"] == {"401": 1}
