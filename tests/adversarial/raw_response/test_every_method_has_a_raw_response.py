"""``with_raw_response`` works for every public method of every namespace of both clients.

The namespaces and their methods are found by introspection; each is driven against the
fake server. A success answers a :class:`RawResponse` whose ``parse()`` is what the plain
method returns; an HTTP error raises as the plain call does.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import lucidgreen
from lucidgreen._namespace import namespaces_of, public_methods
from lucidgreen.testing import EXAMPLE_PRODUCT_UUID, FakeLucidGreen

Call = Callable[[Any, FakeLucidGreen], Awaitable[Any]]
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

SOURCE: dict[str, Call] = {
    "products.list": lambda c, f: c.products.list(limit=3),
    "products.get": lambda c, f: c.products.get(EXAMPLE_PRODUCT_UUID),
    "batches.list": lambda c, f: c.batches.list(),
    "batches.get": lambda c, f: c.batches.get("missing"),
    "brands.list": lambda c, f: c.brands.list(),
    "brands.get": lambda c, f: c.brands.get("missing"),
    "items.get": lambda c, f: c.items.get(f.sellable_lucid_ids()[0]),
    "collections.get": lambda c, f: c.collections.get("missing"),
    "collections.case": lambda c, f: c.collections.case("missing"),
    "digital_coas.get": lambda c, f: c.digital_coas.get("missing"),
    "assets.list": lambda c, f: c.assets.list("texts"),
    "assets.get": lambda c, f: c.assets.get("texts", "missing"),
    "assets.create": lambda c, f: c.assets.create("texts", name="n", content="c"),
    "assets.delete": lambda c, f: c.assets.delete("missing"),
}

RETAIL: dict[str, Call] = {
    "products.get": lambda c, f: c.products.get(EXAMPLE_PRODUCT_UUID),
    "batches.get": lambda c, f: c.batches.get("missing"),
    "brands.get": lambda c, f: c.brands.get("missing"),
    "caseids.import_case": lambda c, f: c.caseids.import_case(
        case_uuid="missing",
        packaged_product_uuid="missing",
        pos_product_id="p",
        pos_inventory_id="i",
        package_uid="1A4060300000001000000001",
    ),
    "caseids.remove_import": lambda c, f: c.caseids.remove_import(
        case_uuid="missing", package_uid="1A4060300000001000000001"
    ),
    "transactions.complete": lambda c, f: c.transactions.complete(
        order_id="raw-1", items=f.sellable_lucid_ids()[:1], performed_at=NOW
    ),
    "transactions.void": lambda c, f: c.transactions.void(performed_at=NOW, order_id="none"),
    "package_uids.export": lambda c, f: c.package_uids.export(wait=False),
    "inventory.add_items": lambda c, f: c.inventory.add_items(
        f.dispensary_uuid, case_uuid="missing", lucid_ids=["missing"]
    ),
    "inventory.collection_of": lambda c, f: c.inventory.collection_of(f.sellable_lucid_ids()[0]),
    "operations.request": lambda c, f: c.operations.request(
        "GET", f"products/{EXAMPLE_PRODUCT_UUID}/"
    ),
    "operations.digital_coa_detail": lambda c, f: c.operations.digital_coa_detail("missing"),
    "operations.item_details": lambda c, f: c.operations.item_details(f.sellable_lucid_ids()[0]),
    "operations.collection_details": lambda c, f: c.operations.collection_details("missing"),
    "operations.collection_cases_full_details": lambda c, f: (
        c.operations.collection_cases_full_details("missing")
    ),
    "operations.inventory_collection_delete": lambda c, f: c.operations.inventory_collection_delete(
        f.dispensary_uuid, "missing"
    ),
    "operations.validate_lucid_ids": lambda c, f: c.operations.validate_lucid_ids(
        f.sellable_lucid_ids()[:1]
    ),
    "operations.associate_regulator_uid": lambda c, f: c.operations.associate_regulator_uid(
        "missing", "1A4060300000001000000001"
    ),
    "operations.package_uids_associations_request": lambda c, f: (
        c.operations.package_uids_associations_request({"date": "2025-01-01"})
    ),
    "operations.package_uids_associations_fetch": lambda c, f: (
        c.operations.package_uids_associations_fetch("missing")
    ),
    "operations.regulator_uid_lookup": lambda c, f: c.operations.regulator_uid_lookup("missing"),
}

CLIENTS: list[tuple[type[lucidgreen.SourceClient | lucidgreen.RetailClient], dict[str, Call]]] = [
    (lucidgreen.SourceClient, SOURCE),
    (lucidgreen.RetailClient, RETAIL),
]


def _methods(client_type: type) -> set[str]:
    return {
        f"{namespace}.{method}"
        for namespace, descriptor in vars(client_type).items()
        if hasattr(descriptor, "kind")
        for method in public_methods(descriptor.kind)
    }


@pytest.mark.parametrize(("client_type", "calls"), CLIENTS, ids=["source", "retail"])
def test_the_walk_covers_every_public_method(client_type: type, calls: dict[str, Call]) -> None:
    """A method added to a namespace must be added here (the walk below drives each)."""
    assert _methods(client_type) == set(calls)


def _client(client_type: type, fake: FakeLucidGreen) -> Any:
    credentials = (
        fake.source_credentials
        if client_type is lucidgreen.SourceClient
        else (fake.retail_credentials)
    )
    return client_type(*credentials, base_url=fake.url)


async def _plain_error(call: Awaitable[Any]) -> type[BaseException] | None:
    try:
        result = await call
    except lucidgreen.LucidGreenError as exc:
        return type(exc)
    if isinstance(result, lucidgreen.AsyncPager):
        async for _ in result.pages():
            break
    return None


@pytest.mark.parametrize(("client_type", "calls"), CLIENTS, ids=["source", "retail"])
async def test_every_method_answers_a_raw_response_or_raises_as_plain(
    client_type: type, calls: dict[str, Call]
) -> None:
    """Each method's raw call gives status, case-insensitive headers, request id, elapsed,
    attempts and ``parse()``; or raises the very error class the plain call raises."""
    succeeded = 0
    async with (
        FakeLucidGreen(products=12, page_size=5) as fake,
        _client(client_type, fake) as client,
    ):
        assert set(namespaces_of(type(client))) == {name.split(".")[0] for name in calls}
        for name, call in calls.items():
            method = getattr(getattr(client, name.split(".")[0]), name.split(".")[1])
            try:
                raw = await call(client.with_raw_response, fake)
            except lucidgreen.LucidGreenError as exc:
                failure: type[BaseException] | None = type(exc)
            else:
                failure = None
            if failure is not None:
                if inspect.signature(method).return_annotation != "None":
                    assert await _plain_error(call(client, fake)) is failure, name
                continue
            succeeded += 1
            assert isinstance(raw, lucidgreen.RawResponse), name
            assert 200 <= raw.status_code < 300, name
            assert raw.request_id, name
            assert raw.headers["X-REQUEST-ID"] == raw.request_id, name
            assert raw.headers["x-request-id"] == raw.request_id
            assert raw.attempts >= 1, name
            assert raw.elapsed >= 0, name
            parsed = raw.parse()
            if name.endswith(".list"):
                assert isinstance(parsed, lucidgreen.Page), name
                assert parsed.response is raw, name
    # The reads of seed data (example product, lists, a stocked LucidID) answer 2xx.
    assert succeeded >= 4
