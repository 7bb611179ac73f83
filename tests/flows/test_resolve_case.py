"""``lucidgreen.flows``: CaseID QR -> collection -> items -> brand/product/batch, on the fake."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import attrs
import pytest

from lucidgreen import InvalidLucidID, NotFound, PermissionDenied, SourceClient
from lucidgreen.flows import DetailCache, ResolvedCase, case_identifier, resolve_case
from lucidgreen.source.models import Batch, Brand, Collection, Item, Product
from lucidgreen.testing import Collection as CollectionRecord
from lucidgreen.testing import FakeLucidGreen

S = "/api/v1.5"
DETAILS = ("brands", "products", "batches")


def _count(fake: FakeLucidGreen, resource: str) -> int:
    return len(fake.requests.matching(f"{S}/{resource}/", site="api"))


def _api_requests(fake: FakeLucidGreen) -> int:
    return len([r for r in fake.requests if r.raw_path.startswith("/api/")])


async def _warm_up(source: SourceClient, fake: FakeLucidGreen) -> None:
    """One request first, so the token request happens outside a measurement."""
    await source.digital_coas.get(next(iter(fake.state.digital_coas)))


def _case_with_slash(fake: FakeLucidGreen) -> CollectionRecord:
    return next(c for c in fake.state.cases.values() if "/" in c.identifier and c.current_ids())


async def test_shared_details_cost_one_request_each(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, limiter: Any
) -> None:
    """Six items sharing one brand, product and batch cost 1 + 6 + 3 requests in all."""
    fake = lucidgreen_fake
    case = _case_with_slash(fake)
    lucid_ids = case.current_ids()
    records = [fake.state.items[lid] for lid in lucid_ids]
    distinct = {
        "brands": {r.brand_uuid for r in records},
        "products": {r.product_uuid for r in records},
        "batches": {r.batch_uuid for r in records},
    }
    assert len(lucid_ids) > len(distinct["products"])  # the case repeats a product

    resolved = await resolve_case(source, case.identifier)

    assert isinstance(resolved, ResolvedCase)
    assert isinstance(resolved.collection, Collection)
    assert resolved.collection.uuid == case.uuid
    assert resolved.lucid_ids == tuple(lucid_ids)
    assert all(isinstance(item, Item) for item in resolved.items.values())
    assert {k: set(v) for k, v in (("brands", resolved.brands), ("products", resolved.products),
                                   ("batches", resolved.batches))} == distinct  # fmt: skip
    assert all(isinstance(b, Brand) for b in resolved.brands.values())
    assert all(isinstance(p, Product) for p in resolved.products.values())
    assert all(isinstance(b, Batch) for b in resolved.batches.values())
    for lucid_id, item in resolved.items.items():
        record = fake.state.items[lucid_id]
        assert resolved.products[item.product_uuid or ""].uuid == record.product_uuid
    assert _count(fake, "collections") == 1
    assert _count(fake, "items") == len(lucid_ids)
    for resource in DETAILS:
        paths = [r.raw_path for r in fake.requests.matching(f"{S}/{resource}/")]
        assert sorted(paths) == sorted(f"{S}/{resource}/{u}/" for u in distinct[resource])
    expected_total = 1 + len(lucid_ids) + sum(len(v) for v in distinct.values())
    assert _api_requests(fake) == expected_total
    assert limiter.acquired == expected_total  # every request spent the client's budget


async def test_result_is_frozen_and_read_only(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """ResolvedCase is a frozen attrs class whose mappings cannot be changed."""
    resolved = await resolve_case(source, _case_with_slash(lucidgreen_fake).uuid)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        resolved.items = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        resolved.brands["x"] = resolved.brands[next(iter(resolved.brands))]  # type: ignore[index]


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_concurrency_bounds_requests_in_flight(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, in_flight: Any, concurrency: int
) -> None:
    """With slow answers, never more than ``concurrency`` requests are open, and it is reached."""
    fake = lucidgreen_fake
    order = max(fake.state.collections.values(), key=lambda c: len(c.current_ids()))
    assert len(order.current_ids()) >= 8
    await _warm_up(source, fake)
    in_flight.reset()
    fake.faults.path_latency = {f"{S}/{name}/": 0.03 for name in ("items", *DETAILS)}

    resolved = await resolve_case(source, order.identifier, concurrency=concurrency)

    assert len(resolved.items) == len(order.current_ids())
    assert in_flight.most == concurrency
    assert in_flight.now == 0


def slow_detail(
    source: SourceClient, fake: FakeLucidGreen, kind: str, latency: float
) -> tuple[DetailCache, str]:
    """A fresh DetailCache on ``source`` and the fake's first ``kind`` uuid, its detail route
    answering after ``latency`` s so that concurrent asks overlap."""
    fake.faults.path_latency = {f"{S}/{kind}/": latency}
    return DetailCache(source), next(iter(getattr(fake.state, kind)))


async def test_cache_coalesces_concurrent_requests(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Twenty tasks asking for one product at once cost one request; later asks cost none."""
    fake = lucidgreen_fake
    cache, uuid = slow_detail(source, fake, "products", 0.05)
    results = await asyncio.gather(*(cache.product(uuid) for _ in range(20)))
    assert {p.uuid for p in results} == {uuid}
    assert all(p is results[0] for p in results)
    assert await cache.product(uuid) is results[0]
    assert _count(fake, "products") == 1
    assert len(cache) == 1
    cache.forget(uuid)
    assert len(cache) == 0
    await cache.product(uuid)
    assert _count(fake, "products") == 2


async def test_cache_is_keyed_by_kind_and_bounded(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, in_flight: Any
) -> None:
    """Brand, product and batch are cached apart; the cache's own concurrency bound holds."""
    fake = lucidgreen_fake
    await _warm_up(source, fake)
    in_flight.reset()
    fake.faults.path_latency = {f"{S}/{name}/": 0.03 for name in DETAILS}
    cache = DetailCache(source, concurrency=2)
    brands = list(fake.state.brands)
    products = list(fake.state.products)[:4]
    batches = list(fake.state.batches)[:4]
    await asyncio.gather(
        *(cache.brand(u) for u in brands),
        *(cache.product(u) for u in products),
        *(cache.batch(u) for u in batches),
    )
    assert len(cache) == len(brands) + len(products) + len(batches)
    assert in_flight.most == 2
    assert [_count(fake, name) for name in DETAILS] == [len(brands), len(products), len(batches)]
    with pytest.raises(ValueError, match="concurrency"):
        DetailCache(source, concurrency=0)


async def test_a_shared_cache_spans_cases(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Two cases resolved with one DetailCache fetch a brand they share only once."""
    fake = lucidgreen_fake
    cases = [c for c in fake.state.cases.values() if c.current_ids()]
    brand_of = {c.uuid: fake.state.items[c.current_ids()[0]].brand_uuid for c in cases}
    first, second = next(
        (a, b) for a in cases for b in cases if a is not b and brand_of[a.uuid] == brand_of[b.uuid]
    )
    cache = DetailCache(source)
    one = await resolve_case(source, first.uuid, cache=cache)
    two = await resolve_case(source, second.uuid, cache=cache)
    shared = brand_of[first.uuid]
    assert one.brands[shared] is two.brands[shared]
    assert [r.raw_path for r in fake.requests.matching(f"{S}/brands/")] == [f"{S}/brands/{shared}/"]


async def test_failed_fetch_is_shared_then_forgotten(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """Every waiter of a failed fetch gets the error from one request; the next ask retries."""
    fake = lucidgreen_fake
    cache, uuid = slow_detail(source, fake, "products", 0.03)
    fake.state.forbidden.add(uuid)
    outcomes = await asyncio.gather(
        *(cache.product(uuid) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, PermissionDenied) for o in outcomes)
    assert _count(fake, "products") == 1
    assert len(cache) == 0
    fake.state.forbidden.clear()
    assert (await cache.product(uuid)).uuid == uuid
    assert _count(fake, "products") == 2


async def test_cancelling_one_waiter_keeps_the_shared_fetch(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A cancelled waiter leaves the fetch to the others; when all leave, it is dropped."""
    fake = lucidgreen_fake
    cache, uuid = slow_detail(source, fake, "batches", 0.1)
    quitter = asyncio.create_task(cache.batch(uuid))
    stayer = asyncio.create_task(cache.batch(uuid))
    await asyncio.sleep(0)  # both waiters now await the one shared fetch
    quitter.cancel()
    assert (await stayer).uuid == uuid
    assert quitter.cancelled()
    assert _count(fake, "batches") == 1

    other = list(fake.state.batches)[1]
    lonely = asyncio.create_task(cache.batch(other))
    await asyncio.sleep(0)
    lonely.cancel()
    with pytest.raises(asyncio.CancelledError):
        await lonely
    await asyncio.sleep(0)
    assert len(cache) == 1  # the abandoned fetch is not kept
    assert (await cache.batch(other)).uuid == other
    assert _count(fake, "batches") in {2, 3}  # the abandoned one may have left already


@pytest.mark.parametrize(
    "form",
    [
        "https://qr.lcdg.io/case/{encoded}",
        "https://qr.lcdg.io/case/{encoded}/",
        "https://dev-qr.lcdg.io/c/{uuid}/",
        "http://qr.lucidgreen.io/collection/{uuid}",
        "qr.lcdg.io/case/{encoded}?source=scan",
        "  {identifier}  ",
        "{uuid}",
    ],
)
async def test_qr_url_forms_and_bare_identifiers(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, form: str
) -> None:
    """Every CaseID QR form and a bare identifier or uuid resolve to the same case."""
    case = _case_with_slash(lucidgreen_fake)
    text = form.format(
        encoded=quote(case.identifier, safe=""), uuid=case.uuid, identifier=case.identifier
    )
    resolved = await resolve_case(source, text)
    assert resolved.collection.uuid == case.uuid
    assert len(resolved.items) == len(case.current_ids())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("https://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM", ValueError),
        ("https://example.com/case/ABC", InvalidLucidID),
        ("https://qr.lcdg.io/case/", InvalidLucidID),
        ("   ", ValueError),
    ],
)
async def test_texts_that_name_no_case_are_refused_locally(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen, text: str, error: type[Exception]
) -> None:
    """An item QR, a foreign URL or a blank text raises before any request."""
    with pytest.raises(error):
        await resolve_case(source, text)
    with pytest.raises(ValueError, match="concurrency"):
        await resolve_case(source, "CASE 1", concurrency=0)
    assert len(lucidgreen_fake.requests) == 0


async def test_unknown_case_is_not_found(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """An identifier no collection has raises NotFound after the one collection request."""
    with pytest.raises(NotFound):
        await resolve_case(source, "https://qr.lcdg.io/case/NO%20SUCH%2FCASE")
    assert [r.raw_path for r in lucidgreen_fake.requests if r.raw_path.startswith("/api/")] == [
        f"{S}/collections/NO%20SUCH%2FCASE/"
    ]


async def test_a_failing_detail_fails_the_flow(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A product the credentials may not see makes resolve_case raise PermissionDenied."""
    fake = lucidgreen_fake
    case = _case_with_slash(fake)
    fake.state.forbidden.add(fake.state.items[case.current_ids()[0]].product_uuid)
    with pytest.raises(PermissionDenied) as caught:
        await resolve_case(source, case.uuid)
    assert caught.value.status == 403


async def test_empty_case_needs_one_request(
    source: SourceClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """A case without current items resolves to empty mappings with one request."""
    fake = lucidgreen_fake
    case = _case_with_slash(fake)
    case.members.clear()
    resolved = await resolve_case(source, case.identifier)
    assert (dict(resolved.items), dict(resolved.brands), dict(resolved.products)) == ({}, {}, {})
    assert _api_requests(fake) == 1


def test_case_identifier_doctest_cases() -> None:
    """case_identifier keeps bare identifiers and decodes QR URLs."""
    assert case_identifier("MANIFEST 0086834/J 6") == "MANIFEST 0086834/J 6"
    assert case_identifier("https://qr.lcdg.io/c/Khf8UxYKJFnCC7n4UkNUQu/") == (
        "Khf8UxYKJFnCC7n4UkNUQu"
    )
    assert case_identifier("https://qr.lcdg.io/case/PO%202023%2F1") == "PO 2023/1"
