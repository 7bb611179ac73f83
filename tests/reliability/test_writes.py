"""Writes whose answer is lost: replayed only where the server deduplicates, else reported.

The rule (``lucidgreen.retry``): ``transactions.complete`` is deduplicated by ``order_id``, so
it is resent after a 5xx or a lost answer, and a resend refused with "This transaction has
already been processed." proves the first attempt applied: ``TransactionResult(replayed=True)``.
Other writes (``caseids.import_case``, ``transactions.void``) are resent only after a 429 (the
server refused before acting); a lost answer raises ``WriteOutcomeUnknown`` and a 5xx raises
``ServerError``, each after exactly one request.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest

from lucidgreen import RetryPolicy, ServerError, WriteOutcomeUnknown
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import Collection, FakeLucidGreen

COMPLETE = "/api/v1.2/transactions/complete/"
VOID = "/api/v1.2/transactions/void/"
IMPORT = "/api/v1.2/caseids/import/"
WHEN = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
async def fake():
    async with FakeLucidGreen(products=10, rate_limits=False, seed=12) as started:
        yield started


def _cases(fake: FakeLucidGreen) -> list[tuple[Collection, str, list[str]]]:
    """Importable cases: the case, its first packaged product and that product's LucidIDs."""
    found = []
    for case in fake.state.cases.values():
        if case.uuid in fake.state.cases_scanned_elsewhere or not case.current_ids():
            continue
        packaged = fake.state.items[case.current_ids()[0]].packaged_product_uuid
        ids = [
            i for i in case.current_ids() if fake.state.items[i].packaged_product_uuid == packaged
        ]
        found.append((case, packaged, ids))
    return found


async def _import(client, case: Collection, packaged: str, package_uid: str = "PKG-1"):
    return await client.caseids.import_case(
        case_uuid=case.uuid,
        packaged_product_uuid=packaged,
        pos_product_id="P1",
        pos_inventory_id="I1",
        package_uid=package_uid,
    )


async def test_a_complete_whose_answer_is_lost_after_applying_is_replayed(fake) -> None:
    """The resend is refused as already processed, so complete reports replayed=True, once."""
    case, packaged, ids = _cases(fake)[0]
    fake.faults.script(COMPLETE, ["drop_after_apply"])
    async with fake.retail_client() as client:
        await _import(client, case, packaged)
        with without_sleeping():
            result = await client.transactions.complete(
                order_id="O-1", items=ids[:2], performed_at=WHEN
            )
    assert result == TransactionResult(order_id="O-1", replayed=True)
    assert list(fake.state.transactions) == ["O-1"]
    sent = fake.requests.matching(COMPLETE)
    assert [r.status for r in sent] == [None, 400]
    assert sent[0].json()["order_id"] == sent[1].json()["order_id"] == "O-1"


@pytest.mark.parametrize("write", ["import_case", "void"])
async def test_an_unsafe_write_whose_answer_is_lost_raises_outcome_unknown(fake, write) -> None:
    """A lost answer to an unsafe write raises WriteOutcomeUnknown after one request (applied)."""
    case, packaged, ids = _cases(fake)[0]
    async with fake.retail_client() as client:
        await _import(client, case, packaged)
        await client.transactions.complete(order_id="O-2", items=ids[:1], performed_at=WHEN)
        path = IMPORT if write == "import_case" else VOID
        fake.faults.script(path, ["drop_after_apply"])
        other, other_packaged, _ = _cases(fake)[1]
        if write == "import_case":
            call = _import(client, other, other_packaged, "PKG-2")
        else:
            call = client.transactions.void(order_id="O-2", performed_at=WHEN)
        with without_sleeping(), pytest.raises(WriteOutcomeUnknown) as caught:
            await call
    assert "may have applied" in str(caught.value)
    assert len(fake.requests.matching(path)) == (2 if write == "import_case" else 1)
    if write == "import_case":
        assert [i.package_uid for i in fake.state.imports] == ["PKG-1", "PKG-2"]
    else:
        assert fake.state.transactions["O-2"].voided_at is not None


async def test_a_503_on_an_unsafe_write_raises_server_error_after_one_request(fake) -> None:
    """A 5xx may mean the write applied, so import_case is not resent: ServerError, sent once."""
    case, packaged, _ = _cases(fake)[0]
    fake.faults.script(IMPORT, [(503, None)])
    async with fake.retail_client() as client:
        with without_sleeping(), pytest.raises(ServerError) as caught:
            await _import(client, case, packaged)
    assert caught.value.status == 503
    assert len(fake.requests.matching(IMPORT)) == 1
    assert fake.state.imports == []


async def test_a_429_on_an_unsafe_write_is_retried_and_applied_once(fake) -> None:
    """A 429 is refused before the server acts, so import_case is resent and applied once."""
    case, packaged, _ = _cases(fake)[0]
    throttled = (429, {"detail": "Request was throttled."}, {"Retry-After": "1"})
    fake.faults.script(IMPORT, [throttled, throttled])
    async with fake.retail_client() as client:
        with without_sleeping():
            result = await _import(client, case, packaged)
    assert result.case_uuid == case.uuid
    assert [r.status for r in fake.requests.matching(IMPORT)] == [429, 429, 200]
    assert len(fake.state.imports) == 1


async def test_the_write_rule_holds_under_random_faults(fake, figures) -> None:
    """Under 5xx, 429s and answers lost after applying, completes land exactly once each and
    voids are never sent to the handler twice: each returns, or says it may have applied."""
    case, packaged, ids = _cases(fake)[0]
    async with fake.retail_client(retry=RetryPolicy(max_retries=10)) as client:
        await _import(client, case, packaged)
        faults = fake.faults
        faults.paths = (COMPLETE, VOID)
        faults.error_rate, faults.rate_limit_rate, faults.drop_rate = 0.15, 0.05, 0.15
        faults.drop_mode = "after"
        orders = [f"ORDER-{n:03}" for n in range(100)]
        with without_sleeping():
            completed = await asyncio.gather(
                *(
                    client.transactions.complete(order_id=o, items=ids[:1], performed_at=WHEN)
                    for o in orders
                )
            )
            voided = await asyncio.gather(
                *(client.transactions.void(order_id=o, performed_at=WHEN) for o in orders),
                return_exceptions=True,
            )
    # complete: every order applied exactly once, each reported as done.
    assert sorted(fake.state.transactions) == orders
    assert [r.order_id for r in completed] == orders
    # The first request of an order that reached the handler applied it; when its answer was
    # dropped, the resends were refused as duplicates and complete says replayed=True.
    applying: dict[str, str | None] = {}
    for r in fake.requests.matching(COMPLETE):
        if r.fault in (None, "drop"):
            applying.setdefault(r.json()["order_id"], r.fault)
    lost_after_applying = {o for o, fault in applying.items() if fault == "drop"}
    assert {r.order_id for r in completed if r.replayed} == lost_after_applying
    assert lost_after_applying
    replayed = len(lost_after_applying)
    # void: only a WriteOutcomeUnknown (a lost answer, or a 5xx as ServerErrorOutcomeUnknown,
    # which is also a ServerError) may be raised, and no void reached the handler twice (the
    # fake refuses a second void, which would surface as BadRequest).
    outcomes = Counter(
        "ServerError" if isinstance(v, ServerError) else type(v).__name__ for v in voided
    )
    assert all(isinstance(v, WriteOutcomeUnknown) for v in voided if isinstance(v, Exception))
    assert set(outcomes) <= {"TransactionResult", "WriteOutcomeUnknown", "ServerError"}
    reached = Counter(
        r.json()["order_id"]
        for r in fake.requests.matching(VOID)
        if r.fault in (None, "drop")  # answered by the handler, or applied then dropped
    )
    assert max(reached.values()) == 1
    for order, outcome in zip(orders, voided, strict=True):
        applied = fake.state.transactions[order].voided_at is not None
        if isinstance(outcome, TransactionResult):
            assert applied
        elif isinstance(outcome, ServerError):
            assert not applied  # the fake's injected 5xx answer before the handler runs
        else:
            assert applied  # the fake drops answers only after applying (drop_mode "after")
    figures(
        "writes under faults (100 completes, 100 voids)",
        {
            "complete requests": len(fake.requests.matching(COMPLETE)),
            "completes replayed (applied, answer lost)": replayed,
            "transactions applied": len(fake.state.transactions),
            "void requests": len(fake.requests.matching(VOID)),
            "voids returned": outcomes["TransactionResult"],
            "voids WriteOutcomeUnknown": outcomes["WriteOutcomeUnknown"],
            "voids ServerError": outcomes["ServerError"],
            "voids reaching the server twice": sum(n - 1 for n in reached.values()),
        },
    )
