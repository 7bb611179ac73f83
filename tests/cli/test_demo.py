"""``lucidgreen demo``: exits 0 with a summary measured from the run."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lucidgreen.cli import main


def run_demo_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code = main(["demo", "--no-progress", "--json", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary: dict[str, Any] = json.loads(captured.out)
    return summary


def test_demo_summary_counts_what_was_synced(capsys):
    """A small demo exits 0; every kind is listed and fetched in full, and requests add up."""
    summary = run_demo_json(capsys, "--products", "12", "--seed", "3")
    items = summary["items"]
    assert items == {
        "products": {"listed": 12, "details": 12},
        "batches": {"listed": 2, "details": 2},  # products // 5
        "brands": {"listed": 4, "details": 4},
    }
    export = summary["export"]
    assert export["packages"] >= 50  # the fake's synthetic packages (plus any imports)
    assert export["cases"] >= export["packages"]
    assert export["lucid_ids"] >= export["cases"]
    by_product = summary["requests_by_product"]
    # One list page each (products, batches, brands), one detail per item; each retry resends.
    assert by_product["source"]["api"] == 3 + 12 + 2 + 4 + by_product["source"]["retries"]
    # The export request and the file download from the CDN.
    assert by_product["retail"]["api"] == 2 + by_product["retail"]["retries"]
    assert by_product["source"]["token"] == by_product["retail"]["token"] == 1
    total = sum(side["api"] + side["token"] for side in by_product.values())
    assert summary["requests"] == total > 0
    assert summary["retries"] == sum(summary["retries_by_reason"].values())
    assert summary["retries"] == sum(side["retries"] for side in by_product.values())
    assert summary["elapsed_seconds"] > 0
    rate = summary["source_rate"]
    assert rate["limit"] == 60
    assert rate["window_seconds"] == 2.0
    assert 0 < rate["percent_of_limit"] <= 105


def test_demo_text_summary_states_the_time_compression(capsys):
    """The human summary names the compression and prints the run's own counts."""
    code = main(["demo", "--no-progress", "--products", "7"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "time-compressed 30x" in captured.out
    assert re.search(r"products\s+7 listed\s+7 details fetched", captured.out)
    found = re.search(r"requests\s+(\d+)", captured.out)
    assert found is not None, captured.out
    requests = int(found.group(1))
    assert requests >= 7 + 4 + 1
    assert "time-compressed 30x" in captured.err  # the opening line on stderr


def test_demo_shows_a_progress_bar_on_stderr(capsys):
    """Without --no-progress the run ends with a final progress line reaching 100 %."""
    code = main(["demo", "--products", "5", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    last = captured.err.strip().splitlines()[-1]
    assert re.search(r"demo sync (\d+)/\1 \(100%\)", last)
    json.loads(captured.out)  # stdout holds only the JSON summary
