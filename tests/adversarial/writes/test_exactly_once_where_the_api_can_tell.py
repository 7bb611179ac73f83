"""Exactly once where the API can tell: a write the server recognises when it comes again is
resent after an unclear outcome, and the duplicate answer to our own resend is the success it
is, marked ``replayed``.

LucidRetail recognises a sale or a void by ``order_id`` ("This transaction has already been
processed.") and a CaseID imported again into the same package uid ("Items in CaseID ... are
already imported into inventory <package_uid>."). The fake answers both the same way. A write
it cannot recognise (a void without ``order_id``) is never resent.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from lucidgreen import (
    CaseAlreadyImported,
    RetailClient,
    RetryPolicy,
    TransactionAlreadyProcessed,
    WriteOutcomeUnknown,
)
from lucidgreen.errors import BadRequest
from lucidgreen.retail._rules import proves_own_import, proves_own_transaction
from lucidgreen.retail.models import CaseImportResult
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import Collection, FakeLucidGreen
from lucidgreen.testing._faults import ScriptStep
from tests.adversarial.support import NOW, retail, serve

COMPLETE = "/api/v1.2/transactions/complete/"
VOID = "/api/v1.2/transactions/void/"
IMPORT = "/api/v1.2/caseids/import/"
WHEN = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)

Case = tuple[Collection, str, list[str]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeLucidGreen]:
    async with FakeLucidGreen(products=10, rate_limits=False, seed=12) as started:
        yield started


def _cases(fake: FakeLucidGreen) -> list[Case]:
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


async def _import(client: RetailClient, case: Case, package_uid: str) -> CaseImportResult:
    return await client.caseids.import_case(
        case_uuid=case[0].uuid,
        packaged_product_uuid=case[1],
        pos_product_id="P1",
        pos_inventory_id="I1",
        package_uid=package_uid,
    )


async def _sold(client: RetailClient, case: Case, order_id: str) -> None:
    await _import(client, case, "PKG-1")
    await client.transactions.complete(order_id=order_id, items=case[2][:1], performed_at=WHEN)


def _applied(fake: FakeLucidGreen, write: str) -> int:
    """How many times ``write`` took effect in the fake's state."""
    if write == "complete":
        return len(fake.state.transactions)
    if write == "void":
        return sum(t.voided_at is not None for t in fake.state.transactions.values())
    return len(fake.state.imports)


Write = Callable[[RetailClient, Case], Awaitable[TransactionResult | CaseImportResult]]
WRITES: dict[str, tuple[str, Write]] = {
    "complete": (
        COMPLETE,
        lambda c, case: c.transactions.complete(
            order_id="O-1", items=case[2][:1], performed_at=WHEN
        ),
    ),
    "void": (VOID, lambda c, case: c.transactions.void(order_id="O-1", performed_at=WHEN)),
    "import_case": (IMPORT, lambda c, case: _import(c, case, "PKG-1")),
}
UNCLEAR: dict[str, tuple[ScriptStep, bool]] = {
    # fault -> whether the first attempt applied (so the resend meets the duplicate answer)
    "answer lost after applying": ("drop_after_apply", True),
    "connection dropped unread": ("drop", False),
    "503": ((503, None), False),
}


@pytest.mark.parametrize("write", WRITES, ids=WRITES)
@pytest.mark.parametrize("fault", UNCLEAR, ids=UNCLEAR)
async def test_a_recognisable_write_is_resent_and_applied_once(
    fake: FakeLucidGreen, write: str, fault: str
) -> None:
    """After an unclear outcome the write is resent; it lands once, and the call reports
    ``replayed=True`` exactly when the duplicate answer proved the first attempt applied."""
    path, call = WRITES[write]
    step, first_applied = UNCLEAR[fault]
    case = _cases(fake)[0]
    async with fake.retail_client() as client:
        if write == "void":
            await _sold(client, case, "O-1")
        elif write == "complete":
            await _import(client, case, "PKG-1")
        before = len(fake.requests.matching(path))
        fake.faults.script(path, [step])
        with without_sleeping():
            result = await call(client, case)
    assert result.replayed is first_applied
    assert _applied(fake, write) == 1
    assert len(fake.requests.matching(path)) - before == 2
    if first_applied:
        assert [r.status for r in fake.requests.matching(path)][-2:] == [None, 400]


@pytest.mark.parametrize("write", ["void", "import_case"])
async def test_a_duplicate_met_on_a_first_attempt_is_the_callers_own_and_raises(
    fake: FakeLucidGreen, write: str
) -> None:
    """Without an unclear attempt before it, the duplicate answer is a write the caller sent
    earlier: the typed refusal, never a replayed success."""
    case = _cases(fake)[0]
    expected: type[BadRequest] = CaseAlreadyImported
    async with fake.retail_client() as client:
        await _sold(client, case, "O-1")
        if write == "void":
            expected = TransactionAlreadyProcessed
            await client.transactions.void(order_id="O-1", performed_at=WHEN)
        with pytest.raises(expected) as caught:
            await WRITES[write][1](client, case)
    assert not caught.value.prior_outcome_unknown
    assert not caught.value.outcome_unknown


async def test_an_import_resent_into_another_package_uid_is_a_real_conflict(
    fake: FakeLucidGreen,
) -> None:
    """The case is already in PKG-1; an import into PKG-2 meets a 503 and is resent: the
    answer names PKG-1, so ours never applied, and CaseAlreadyImported is raised."""
    case = _cases(fake)[0]
    async with fake.retail_client() as client:
        await _import(client, case, "PKG-1")
        fake.faults.script(IMPORT, [(503, None)])
        with without_sleeping(), pytest.raises(CaseAlreadyImported) as caught:
            await _import(client, case, "PKG-2")
    assert caught.value.package_uid == "PKG-1"
    assert caught.value.prior_outcome_unknown
    assert [i.package_uid for i in fake.state.imports] == ["PKG-1"]


async def test_a_void_without_order_id_is_never_resent() -> None:
    """The server cannot recognise a void without ``order_id``: a 503 is reported, once."""

    async def unavailable(request: web.Request, n: int) -> web.Response:
        return web.Response(status=503)

    async with serve(unavailable) as (url, log), retail(url, retry=RetryPolicy()) as client:
        with without_sleeping(), pytest.raises(WriteOutcomeUnknown) as caught:
            await client.transactions.void(performed_at=NOW)
    assert caught.value.outcome_unknown
    assert len(log) == 1


def _refusal(cls: type[BadRequest], prior: bool, **fields: Any) -> Any:
    return cls("m", status=400, prior_outcome_unknown=prior, **fields)


@pytest.mark.parametrize(
    ("prior", "case_uuid", "package_uid", "proves"),
    [
        (True, "C", "PKG-1", True),
        (False, "C", "PKG-1", False),  # a first attempt: the caller imported it before
        (True, "C", "PKG-2", False),  # into another package: a real conflict
        (True, "D", "PKG-1", False),  # another case named: not our import
    ],
)
def test_only_our_own_import_is_proven_by_the_duplicate_answer(
    prior: bool, case_uuid: str, package_uid: str, proves: bool
) -> None:
    """Pure: the duplicate answer proves our import only after an unclear attempt and only
    when it names the case and package uid the call sent."""
    exc = _refusal(CaseAlreadyImported, prior, case_uuid="C", package_uid="PKG-1")
    assert proves_own_import(exc, case_uuid=case_uuid, package_uid=package_uid) is proves


@pytest.mark.parametrize("prior", [True, False])
def test_already_processed_proves_our_own_transaction_only_after_an_unclear_attempt(
    prior: bool,
) -> None:
    exc = _refusal(TransactionAlreadyProcessed, prior, order_id="O")
    assert proves_own_transaction(exc) is prior


async def test_every_sale_and_void_lands_once_under_random_faults(
    fake: FakeLucidGreen, figures: Callable[[str, dict[str, object]], None]
) -> None:
    """Under 5xx, 429s and answers lost after applying, 100 sales and their 100 voids each
    land exactly once and each call returns; the replayed ones are exactly those whose
    applying attempt lost its answer."""
    case = _cases(fake)[0]
    async with fake.retail_client(retry=RetryPolicy(max_retries=10)) as client:
        await _import(client, case, "PKG-1")
        faults = fake.faults
        faults.paths = (COMPLETE, VOID)
        faults.error_rate, faults.rate_limit_rate, faults.drop_rate = 0.15, 0.05, 0.15
        faults.drop_mode = "after"
        orders = [f"ORDER-{n:03}" for n in range(100)]
        with without_sleeping():
            completed = await asyncio.gather(
                *(
                    client.transactions.complete(order_id=o, items=case[2][:1], performed_at=WHEN)
                    for o in orders
                )
            )
            voided = await asyncio.gather(
                *(client.transactions.void(order_id=o, performed_at=WHEN) for o in orders)
            )
    assert sorted(fake.state.transactions) == orders
    assert all(t.voided_at is not None for t in fake.state.transactions.values())
    replayed: Counter[str] = Counter()
    for path, results in ((COMPLETE, completed), (VOID, voided)):
        assert [r.order_id for r in results] == orders
        applying: dict[str, str | None] = {}
        for r in fake.requests.matching(path):
            if r.fault in (None, "drop"):  # answered by the handler, or applied then dropped
                applying.setdefault(r.json()["order_id"], r.fault)
        lost = {o for o, fault in applying.items() if fault == "drop"}
        assert {r.order_id for r in results if r.replayed} == lost
        replayed[path] = len(lost)
    assert replayed[COMPLETE]
    assert replayed[VOID]
    figures(
        "writes under faults (100 completes, 100 voids)",
        {
            "complete requests": len(fake.requests.matching(COMPLETE)),
            "completes replayed (applied, answer lost)": replayed[COMPLETE],
            "void requests": len(fake.requests.matching(VOID)),
            "voids replayed (applied, answer lost)": replayed[VOID],
            "sales applied": len(fake.state.transactions),
        },
    )
