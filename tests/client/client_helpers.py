"""Helpers shared by the client tests: ids from the fake, lifted limiters, window counting."""

from __future__ import annotations

import socket
from collections.abc import Sequence

from lucidgreen import TokenBucket
from lucidgreen.testing import FakeLucidGreen, RecordedRequest

#: A syntactically valid LucidID (22 shortuuid characters) for tests without a fake.
SOME_UUID = "7M87b4sPkYt5qG8bZhoDtK"
OTHER_UUID = "dhvJzSCKexZs62xsp6hRkf"


def lifted_limiter() -> TokenBucket:
    """A bucket so generous it never makes a test wait (the fake's limits are off too)."""
    return TokenBucket(limit=10**6, per=60)


def product_uuids(fake: FakeLucidGreen, count: int = 1) -> list[str]:
    """The uuids of the first ``count`` products the fake serves."""
    return list(fake.state.products)[:count]


def api_requests(fake: FakeLucidGreen) -> list[RecordedRequest]:
    """Recorded requests to the APIs (``/api/...``), token requests left out."""
    return fake.requests.matching("/api/", site="api")


def token_requests(fake: FakeLucidGreen) -> list[RecordedRequest]:
    return fake.requests.matching("/o/token/", method="POST")


def max_in_window(times: Sequence[float], window: float) -> int:
    """The most requests in any half-open window ``(t - window, t]``, as DRF counts them."""
    ordered = sorted(times)
    most = 0
    first = 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def achieved_share(times: Sequence[float], limit: int, per: float) -> float:
    """Rate between the first and the last request, as a share of ``limit / per``.

    ``(n - 1) / (t_last - t_first)``: the n requests delimit n - 1 intervals, so an evenly
    paced run at exactly the allowed rate scores 1.0 whatever its length.
    """
    ordered = sorted(times)
    rate = (len(ordered) - 1) / (ordered[-1] - ordered[0])
    return rate * per / limit


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def importable_case(fake: FakeLucidGreen) -> dict[str, str]:
    """Arguments for ``retail.caseids.import_case`` that the fake accepts (a fresh import)."""
    for case in fake.state.cases.values():
        if case.uuid in fake.state.cases_scanned_elsewhere:
            continue
        for lucid_id in case.current_ids():
            item = fake.state.items.get(lucid_id)
            if item is not None and item.packaged_product_uuid:
                return {
                    "case_uuid": case.uuid,
                    "packaged_product_uuid": item.packaged_product_uuid,
                    "pos_product_id": "pos-product-1",
                    "pos_inventory_id": "pos-inventory-1",
                    "package_uid": "1A4FF0300000029000012345",
                }
    raise LookupError("the fake has no importable case")
