"""401, 403, 404, 405 and legacy-403 answers of the fake, mapped per endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from lucidgreen import (
    AuthenticationError,
    InvalidPayload,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    RetailClient,
    SourceClient,
)
from lucidgreen.testing import FakeLucidGreen, FakeState

UNKNOWN = "Dg9VE6nVPr2SWWwYuxQkuq"  # well-formed, but in no generated table
WHEN = datetime(2025, 1, 1, tzinfo=UTC)

Pick = Callable[[FakeState], str]
SourceCall = Callable[[SourceClient, str], Awaitable[Any]]
RetailCall = Callable[[RetailClient, str], Awaitable[Any]]


def _first(table: str) -> Pick:
    return lambda state: next(iter(getattr(state, table)))


def _first_text_asset(state: FakeState) -> str:
    return next(iter(state.assets["texts"]))


SOURCE_DETAILS: dict[str, tuple[Pick, SourceCall]] = {
    "products.get": (_first("products"), lambda s, u: s.products.get(u)),
    "batches.get": (_first("batches"), lambda s, u: s.batches.get(u)),
    "brands.get": (_first("brands"), lambda s, u: s.brands.get(u)),
    "items.get": (_first("items"), lambda s, u: s.items.get(u)),
    "collections.get": (_first("collections"), lambda s, u: s.collections.get(u)),
    "collections.case": (lambda st: next(iter(st.cases)), lambda s, u: s.collections.case(u)),
    "digital_coas.get": (_first("digital_coas"), lambda s, u: s.digital_coas.get(u)),
    "assets.get": (_first_text_asset, lambda s, u: s.assets.get("texts", u)),
    "assets.delete": (_first_text_asset, lambda s, u: s.assets.delete(u)),
}

RETAIL_DETAILS: dict[str, tuple[Pick, RetailCall]] = {
    "products.get": (_first("products"), lambda r, u: r.products.get(u)),
    "batches.get": (_first("batches"), lambda r, u: r.batches.get(u)),
    "brands.get": (_first("brands"), lambda r, u: r.brands.get(u)),
    "operations.collection_cases_full_details": (
        lambda st: next(iter(st.cases)),
        lambda r, u: r.operations.collection_cases_full_details(u),
    ),
}


DETAILS = [("source", name) for name in SOURCE_DETAILS] + [
    ("retail", name) for name in RETAIL_DETAILS
]


@pytest.mark.parametrize(("product", "name"), DETAILS, ids=[f"{p}-{n}" for p, n in DETAILS])
async def test_forbidden_and_not_found(
    source: SourceClient,
    retail: RetailClient,
    lucidgreen_fake: FakeLucidGreen,
    product: str,
    name: str,
) -> None:
    """A uuid of another company raises PermissionDenied; an unknown one NotFound: on every
    detail call of both products."""
    client: Any = source if product == "source" else retail
    details: dict[str, tuple[Pick, Any]] = SOURCE_DETAILS if product == "source" else RETAIL_DETAILS
    pick, call = details[name]
    uuid = pick(lucidgreen_fake.state)
    lucidgreen_fake.state.forbidden.add(uuid)
    with pytest.raises(PermissionDenied) as forbidden:
        await call(client, uuid)
    assert forbidden.value.status == 403
    assert forbidden.value.message == "You do not have permission to perform this action."
    assert forbidden.value.request_id
    with pytest.raises(NotFound) as missing:
        await call(client, UNKNOWN)
    assert (missing.value.status, missing.value.message) == (404, "Not found.")
    assert [r.status for r in lucidgreen_fake.requests if r.raw_path.startswith("/api/")] == [
        403,
        404,
    ]


@pytest.mark.parametrize("name", list(SOURCE_DETAILS))
async def test_source_refused_token_is_authentication_error(
    lucidgreen_fake: FakeLucidGreen, limiter: Any, name: str
) -> None:
    """A bearer token the server does not know (401, no body) raises AuthenticationError."""
    pick, call = SOURCE_DETAILS[name]
    async with SourceClient(
        token="not-a-token", base_url=lucidgreen_fake.url, rate_limiter=limiter
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            await call(client, pick(lucidgreen_fake.state))
    assert caught.value.status == 401
    assert "not-a-token" not in str(caught.value)
    assert [r.status for r in lucidgreen_fake.requests] == [401]


async def test_retail_token_on_source_paths_is_refused(
    lucidgreen_fake: FakeLucidGreen, limiter: Any
) -> None:
    """A Retail token used against LucidSource paths raises AuthenticationError."""
    token = lucidgreen_fake.issue_token("retail")
    async with SourceClient(token=token, base_url=lucidgreen_fake.url, rate_limiter=limiter) as c:
        with pytest.raises(AuthenticationError):
            await c.products.get(next(iter(lucidgreen_fake.state.products)))


async def test_expired_token_is_renewed_once_and_the_call_succeeds(
    source: SourceClient, retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """After the server expires every token, each client renews once and replays its call."""
    fake = lucidgreen_fake
    product = next(iter(fake.state.products))
    await source.products.get(product)
    await retail.products.get(product)
    assert fake.expire_tokens() == 2
    assert (await source.products.get(product)).uuid == product
    assert (await retail.products.get(product)).uuid == product
    assert source.stats.replays_after_401 == 1
    assert retail.stats.replays_after_401 == 1
    assert fake.stats.tokens_issued == 4
    assert fake.stats.by_status[401] == 2


async def test_wrong_method_is_method_not_allowed(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A verb the route does not take raises MethodNotAllowed with the DRF detail."""
    product = next(iter(lucidgreen_fake.state.products))
    with pytest.raises(MethodNotAllowed) as caught:
        await retail.operations.request("DELETE", f"products/{product}/")
    assert caught.value.status == 405
    assert caught.value.message == 'Method "DELETE" not allowed.'
    assert caught.value.headers["allow"] == "GET, OPTIONS"
    assert len(lucidgreen_fake.requests.matching("/api/v1.2/products/")) == 1


async def test_legacy_403_invalid_payload_on_import_and_complete(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """On legacy paths a validation 400 comes as 403 "invalid payload": InvalidPayload."""
    fake = lucidgreen_fake
    fake.faults.legacy_403_paths = {"/api/v1.2/caseids/", "/api/v1.2/transactions/"}
    case = next(
        c for c in fake.state.cases.values() if c.uuid in fake.state.cases_scanned_elsewhere
    )
    with pytest.raises(InvalidPayload) as imported:
        await retail.caseids.import_case(
            case_uuid=case.uuid,
            packaged_product_uuid=fake.state.items[case.current_ids()[0]].packaged_product_uuid,
            pos_product_id="P",
            pos_inventory_id="I",
            package_uid="PKG",
        )
    assert imported.value.status == 403
    assert imported.value.reason == {
        "non_field_errors": ["This case has already been scanned for another dispensary."]
    }
    lucid_id = next(iter(fake.state.items))
    with pytest.raises(InvalidPayload) as sold:
        await retail.transactions.complete(order_id="O", items=[lucid_id], performed_at=WHEN)
    assert sold.value.status == 403
    assert sold.value.reason == {
        "message": "This transaction contains non-imported lucid ids.",
        "non_imported_lucidids": [lucid_id],
        "valid_transaction": False,
    }
    assert fake.state.imports == []
    assert fake.state.transactions == {}


async def test_legacy_403_permission_stays_permission_denied(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """With legacy paths on, a real 403 (no "invalid payload") is still PermissionDenied."""
    fake = lucidgreen_fake
    fake.faults.legacy_403_paths = {"/api/v1.5/"}
    product = next(iter(fake.state.products))
    fake.state.forbidden.add(product)
    with pytest.raises(PermissionDenied) as caught:
        await source.products.get(product)
    assert not isinstance(caught.value, InvalidPayload)
