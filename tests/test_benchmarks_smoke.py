"""The benchmark runner still runs, and the converter's fast path agrees with cattrs'.

The benchmarks are not part of the test suite (``python -m benchmarks``); this smoke test runs
a tiny quick subset so the runner cannot rot. The second half guards the structuring fast
path added for the benchmarks: it must accept, refuse and produce exactly what cattrs'
generated code does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run as runner
from lucidgreen._converter import make_converter, structure
from lucidgreen.errors import DecodeError
from lucidgreen.retail import models as retail
from lucidgreen.source import models as source

SAMPLES = Path(__file__).parent / "samples"


def test_the_wire_benchmarks_unguarded_transport_still_fits_the_transport() -> None:
    """``benchmarks/wire.py`` patches the one-try guard out by replacing
    ``middlewares_for``: the stand-in takes what the transport passes the real one (a full
    run once ended in a TypeError when its arguments changed)."""
    import inspect

    from benchmarks import wire
    from lucidgreen._transport import _aiohttp

    module: Any = _aiohttp
    real = inspect.signature(module.middlewares_for)
    with wire.aiohttp_resends_allowed():
        stand_in = module.middlewares_for
        assert stand_in(object(), object()) == ()
    assert len(inspect.signature(stand_in).parameters) == len(real.parameters)


def test_quick_subset_writes_one_table_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quick overhead + structuring run prints the table and writes ratios with goals."""
    report_path = tmp_path / "out" / "bench.json"

    code = runner.main(["--quick", "--only", "overhead,structuring", "--json", str(report_path)])

    assert code == 0
    printed = capsys.readouterr().out
    assert "Overhead" in printed
    assert "Structuring" in printed
    report = json.loads(report_path.read_text())
    assert report["modules"]["overhead"]["status"] == "ok"
    assert report["modules"]["pagination"]["status"] == "skipped"
    overhead = [row for row in report["rows"] if row["section"] == "Overhead"]
    assert [row["goal"] for row in overhead if row["goal"]] == [">= 0.8", ">= 1.5", ">= 0.9"]
    for row in overhead + [r for r in report["rows"] if r["section"] == "Structuring"]:
        assert row["value"] > 0
        assert row["status"] in ({"pass", "MISS"} if row["goal"] else {"info"})


def test_a_missing_module_becomes_a_row_not_a_crash() -> None:
    """A benchmark module that does not exist is reported as MISSING in the table."""
    outcome = runner.run_module("no_such_benchmark", quick=True)

    assert outcome.status == "missing"
    rows = runner.build_rows({"pagination": outcome})
    assert [row.status for row in rows] == ["MISSING"]
    assert "MISSING" in runner.render(rows)


def test_a_goal_row_says_miss_when_the_figure_falls_short() -> None:
    """A ratio below its ``>=`` goal is marked MISS, one at or above it pass."""
    short = runner.overhead_rows({"sdk_vs_bare_ratio": 0.59, "sdk_vs_httpx_ratio": 1.5})

    assert [row.status for row in short[:2]] == ["MISS", "pass"]


# --- the converter's fast path vs cattrs' generated structuring ------------------------------

OBJECT_SAMPLES: dict[str, type[Any]] = {
    "source/product_detail.json": source.Product,
    "source/batch_detail.json": source.Batch,
    "source/brand_detail.json": source.Brand,
    "source/item_detail.json": source.Item,
    "source/collection_detail.json": source.Collection,
    "source/case_detail.json": source.Case,
    "source/digital_coa_detail.json": source.DigitalCOA,
    "source/asset_detail.json": source.Asset,
    "retail/product_detail.json": retail.Product,
    "retail/batch_detail.json": retail.Batch,
}
PAGE_SAMPLES: dict[str, type[Any]] = {
    "source/products_list.json": source.ProductSummary,
    "source/batches_list.json": source.BatchSummary,
    "source/assets_list.json": source.Asset,
}
ODD_VALUES: list[Any] = [None, "", "x", 12, 1.5, True, [], [1], {}, {"uuid": 3}]


def _records() -> list[Any]:
    records = []
    for name, model in OBJECT_SAMPLES.items():
        data = json.loads((SAMPLES / name).read_text())
        records.append(pytest.param(data, model, id=name))
    for name, model in PAGE_SAMPLES.items():
        page = json.loads((SAMPLES / name).read_text())
        records += [
            pytest.param(item, model, id=f"{name}[{i}]") for i, item in enumerate(page["results"])
        ]
    return records


def _variants(record: dict[str, Any]) -> list[Any]:
    """The record, and each top-level field dropped or replaced by an odd value."""
    variants: list[Any] = [record, [], "text", None]
    for key in record:
        variants.append({k: v for k, v in record.items() if k != key})
        variants += [{**record, key: odd} for odd in ODD_VALUES]
    return variants


@pytest.mark.parametrize(("record", "model"), _records())
def test_fast_structuring_matches_cattrs(record: dict[str, Any], model: type[Any]) -> None:
    """On every sample and each one-field mutation, both paths give equal objects or both fail."""
    reference = make_converter(detailed=True, forbid_extra_keys=False)
    for data in _variants(record):
        try:
            expected = reference.structure(data, model)
        except Exception:  # any cattrs failure; the SDK must then raise DecodeError
            with pytest.raises(DecodeError):
                structure(data, model)
        else:
            assert structure(data, model) == expected


def test_models_use_the_fast_path() -> None:
    """The flat and nested models are structured by the generated fast function."""
    converter = make_converter(detailed=False, forbid_extra_keys=False)
    for model in (source.ProductSummary, source.Product, retail.Product, retail.Batch):
        hook = converter.get_structure_hook(model)
        assert hook.__code__.co_filename.startswith("<lucidgreen structure")
