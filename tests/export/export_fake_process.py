"""A FakeLucidGreen serving a large package-UID export from its own process.

Run by ``test_export_download.py`` so that ``tracemalloc`` in the test process measures the
client alone: the fake's own allocations (it generates the file on the fly) stay out of the
count. Prints one JSON line (``url``, ``client_id``, ``client_secret``, ``entries``), then
serves until its stdin closes.

Usage: ``python export_fake_process.py <packages>``; every package holds one CaseID with
one or two LucidIDs, so the file has exactly ``<packages>`` entries.
"""

from __future__ import annotations

import asyncio
import json
import sys

from lucidgreen.testing import FakeLucidGreen


async def main(packages: int) -> None:
    async with FakeLucidGreen(
        products=5, brands=1, batches=2, items=10, cases=1, items_per_case=2, collections=1,
        assets=1, rate_limits=False, export_packages=packages, max_recorded=100,
    ) as fake:  # fmt: skip
        fake.export.cases_per_package = (1, 1)
        fake.export.lucid_ids_per_case = (1, 2)
        client_id, client_secret = fake.retail_credentials
        line = {
            "url": fake.url,
            "client_id": client_id,
            "client_secret": client_secret,
            "entries": packages,
        }
        print(json.dumps(line), flush=True)
        await asyncio.to_thread(sys.stdin.buffer.read)  # until the test closes our stdin


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
