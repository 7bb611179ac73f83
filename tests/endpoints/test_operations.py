"""The undocumented Retail operations decode a returnCode envelope and surface its warning."""

from __future__ import annotations

import pytest
from aioresponses import aioresponses

from lucidgreen import RetailClient
from lucidgreen.ids import from_uuid

RETAIL = "https://retail.lucidgreen.io"
LUCID_ID = from_uuid("12345678-1234-5678-1234-567812345678")


async def test_operation_return_code_warning_reaches_the_logger(
    retail_unit: RetailClient, mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    """A returnCode list answer's warning is logged on ``lucidgreen`` and is on the result."""
    body = {
        "status": 200,
        "returnCode": 7,
        "count": 1,
        "items": [{"a": 1}],
        "warning": "Number of cakes may dwindle.",
    }
    mocked.post(f"{RETAIL}/api/v1.2/lucid-ids/validate/", payload=body)
    with caplog.at_level("WARNING", logger="lucidgreen"):
        result = await retail_unit.operations.validate_lucid_ids([LUCID_ID])
    assert result.data == body
    assert (result.return_code, result.warning) == (7, "Number of cakes may dwindle.")
    assert [r.getMessage() for r in caplog.records if r.name == "lucidgreen"] == [
        f"{RETAIL}/api/v1.2/lucid-ids/validate/: Number of cakes may dwindle."
    ]
