"""``lucidgreen get``: one resource as JSON on stdout, for each kind; ``python -m lucidgreen``."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from lucidgreen import __version__
from lucidgreen.testing import FakeLucidGreen
from tests.cli.helpers import retail_args, source_args


def source_ids(fake: FakeLucidGreen) -> dict[str, tuple[str, str]]:
    """kind -> (argument to pass, uuid the answer must carry)."""
    state = fake.state
    product = next(iter(state.products.values()))
    batch = next(iter(state.batches.values()))
    brand = next(iter(state.brands.values()))
    item = next(iter(state.items.values()))
    collection = next(c for c in state.collections.values() if c.collection_type != "case")
    case = next(iter(state.cases.values()))
    coa = next(iter(state.digital_coas.values()))
    asset = next(iter(state.assets["images"].values()))
    return {
        "product": (product.uuid, product.uuid),
        "batch": (batch.uuid, batch.uuid),
        "brand": (brand.uuid, brand.uuid),
        "item": (item.uuid, item.uuid),
        "collection": (collection.identifier, collection.uuid),
        "case": (case.identifier, case.uuid),
        "coa": (coa.uuid, coa.uuid),
        "asset": (asset.uuid, asset.uuid),
    }


@pytest.mark.parametrize(
    "kind", ["product", "batch", "brand", "item", "collection", "case", "coa", "asset"]
)
async def test_get_source_prints_the_resource_as_json(lucidgreen_fake, run_cli, kind):
    """``get source KIND ID`` prints one JSON object: the resource that ID names."""
    argument, uuid = source_ids(lucidgreen_fake)[kind]
    result = await run_cli(
        "get", "source", kind, argument, "--asset-type", "images", *source_args(lucidgreen_fake)
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["uuid"] == uuid
    assert result.err == ""


async def test_get_source_product_fields_match_the_fake(lucidgreen_fake, run_cli):
    """The printed product carries the fake's values (name, nested brand), not just an id."""
    product = next(iter(lucidgreen_fake.state.products.values()))
    result = await run_cli("get", "source", "product", product.uuid, *source_args(lucidgreen_fake))
    data = json.loads(result.out)
    assert (data["name"], data["sku"]) == (product.name, product.sku)
    assert data["brand"]["uuid"] == product.brand_uuid


@pytest.mark.parametrize("kind", ["product", "batch"])
async def test_get_retail_prints_the_resource_as_json(lucidgreen_fake, run_cli, kind):
    """``get retail product|batch ID`` prints LucidRetail's view of the resource."""
    records = lucidgreen_fake.state.products if kind == "product" else lucidgreen_fake.state.batches
    uuid = next(iter(records))
    result = await run_cli("get", "retail", kind, uuid, *retail_args(lucidgreen_fake))
    assert result.code == 0, result.err
    assert json.loads(result.out)["uuid"] == uuid


async def test_get_retail_inventory_collection_of_an_unknown_lucid_id(lucidgreen_fake, run_cli):
    """The public inventory lookup of a LucidID in no collection exits 4 (not found)."""
    lucid_id = next(iter(lucidgreen_fake.state.items))
    result = await run_cli(
        "get", "retail", "inventory-collection", lucid_id, *retail_args(lucidgreen_fake)
    )
    assert result.code == 4
    assert "not found" in result.err


async def test_credentials_come_from_the_environment(lucidgreen_fake, run_cli, monkeypatch):
    """With no credential flags, LUCIDGREEN_CLIENT_ID/SECRET are used."""
    client_id, client_secret = lucidgreen_fake.source_credentials
    monkeypatch.setenv("LUCIDGREEN_CLIENT_ID", client_id)
    monkeypatch.setenv("LUCIDGREEN_CLIENT_SECRET", client_secret)
    product = next(iter(lucidgreen_fake.state.products))
    result = await run_cli("get", "source", "product", product, "--base-url", lucidgreen_fake.url)
    assert result.code == 0, result.err
    token_requests = lucidgreen_fake.requests.matching("/o/token/")
    assert [r.form().get("client_id") for r in token_requests] == [client_id]


def test_python_dash_m_runs_the_same_main():
    """``python -m lucidgreen --version`` reaches the CLI's parser and prints the version."""
    completed = subprocess.run(
        [sys.executable, "-m", "lucidgreen", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"lucidgreen {__version__}"


async def test_python_dash_m_get_against_the_fake(lucidgreen_fake):
    """``python -m lucidgreen get`` in a separate process prints the product as JSON."""
    product = next(iter(lucidgreen_fake.state.products))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lucidgreen", "get", "source", "product", product,
        *source_args(lucidgreen_fake),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err
    assert json.loads(out)["uuid"] == product
