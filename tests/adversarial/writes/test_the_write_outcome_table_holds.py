"""The write-outcome table in ``docs/write-outcomes.md`` is what the SDK does, cell by cell.

The test reads the table from the page, and for every row (a write method) and every column
(an unclear outcome) drives that method against a hostile server playing that outcome on
the write's first request, then answering the way LucidRetail does: the duplicate answer
when the write was applied and the API recognises it again, a success otherwise. It checks
the cell's claim (resent or sent once; success, replayed, or the error named), that the
server's request count is the SDK's (stats, hooks, spans), and that no write was applied
twice. A write method of the SDK without a row, or a row without a driver, fails.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

import attrs
import pytest

import lucidgreen
from lucidgreen import RetryPolicy
from lucidgreen.retry import without_sleeping
from tests.adversarial.outcomes import outcome_of
from tests.adversarial.support import LID, LID2, NOW
from tests.adversarial.wire.hostile import (
    SESSIONS,
    Action,
    Answer,
    Counted,
    Fault,
    Seen,
    Session,
    counted,
    hostile,
)

ROOT = Path(__file__).parents[3]
PAGE = ROOT / "docs" / "write-outcomes.md"
# The package under test, wherever it is installed (a wheel's tests run beside no source).
PACKAGE = Path(lucidgreen.__file__).parent
SUCCESS = {"status": "success", "request_id": "r-1"}
ALREADY_PROCESSED = Answer(400, {"message": "This transaction has already been processed."})
ALREADY_IMPORTED = Answer(
    400, {"detail": f"Items in CaseID {LID} are already imported into inventory PKG-1."}
)
Call = Callable[[Counted], Awaitable[Any]]


@attrs.frozen
class Driver:
    """How to call one write method, and what the server answers it."""

    call: Call
    product: Literal["retail", "source"] = "retail"
    success: Any = SUCCESS
    duplicate: Answer | None = None  # LucidRetail's answer to the same write sent again


def _request(verb: str) -> Driver:
    return Driver(lambda c: c.retail.operations.request(verb, "thing/", json={"a": 1}))


def _escape_hatch(product: Literal["retail", "source"], verb: str) -> Driver:
    return Driver(
        lambda c: getattr(c, product).request(verb, "thing/", json={"a": 1}), product=product
    )


DRIVERS: dict[str, Driver] = {
    "retail.transactions.complete": Driver(
        lambda c: c.retail.transactions.complete(order_id="O-1", items=[LID], performed_at=NOW),
        duplicate=ALREADY_PROCESSED,
    ),
    "retail.transactions.void": Driver(
        lambda c: c.retail.transactions.void(order_id="O-1", performed_at=NOW),
        duplicate=ALREADY_PROCESSED,
    ),
    "retail.transactions.void without order_id": Driver(
        lambda c: c.retail.transactions.void(performed_at=NOW)
    ),
    "retail.caseids.import_case": Driver(
        lambda c: c.retail.caseids.import_case(
            case_uuid=LID,
            packaged_product_uuid=LID2,
            pos_product_id="P",
            pos_inventory_id="I",
            package_uid="PKG-1",
        ),
        success={"case_uuid": LID, "packaged_product_uuid": LID2, "package_uid": "PKG-1"},
        duplicate=ALREADY_IMPORTED,
    ),
    "retail.caseids.remove_import": Driver(
        lambda c: c.retail.caseids.remove_import(case_uuid=LID, package_uid="PKG-1")
    ),
    "retail.inventory.add_items": Driver(
        lambda c: c.retail.inventory.add_items(LID, case_uuid=LID2, lucid_ids=[LID2]),
        success={"inventory_collection_identifier": "X"},
    ),
    "retail.operations.request POST": _request("POST"),
    "retail.operations.request PUT": _request("PUT"),
    "retail.operations.request PATCH": _request("PATCH"),
    "retail.operations.request DELETE": _request("DELETE"),
    **{
        f"{product}.request {verb}": _escape_hatch(product, verb)
        for product in ("retail", "source")
        for verb in ("POST", "PUT", "PATCH", "DELETE")
    },
    "retail.operations.inventory_collection_delete": Driver(
        lambda c: c.retail.operations.inventory_collection_delete(LID, "X")
    ),
    "retail.operations.validate_lucid_ids": Driver(
        lambda c: c.retail.operations.validate_lucid_ids([LID])
    ),
    "retail.operations.associate_regulator_uid": Driver(
        lambda c: c.retail.operations.associate_regulator_uid("X", "1A4000000000000000000001")
    ),
    "retail.operations.package_uids_associations_request": Driver(
        lambda c: c.retail.operations.package_uids_associations_request({"a": 1})
    ),
    "source.assets.create": Driver(
        lambda c: c.source.assets.create("texts", name="n", content="c"),
        product="source",
        success={"uuid": LID, "name": "n"},
    ),
    "source.assets.delete": Driver(lambda c: c.source.assets.delete(LID), product="source"),
}

# What the hostile server does to the write's first request, per column: the fault, and
# whether the write was applied before it. "dropped before sending" is the server's own
# keep-alive race (idle_close=0: a request on a reused connection is reset unread), so the
# requests it answers meet no fault.
OUTCOMES: dict[str, tuple[Action | None, bool]] = {
    "dropped before sending": (None, False),
    "dropped after sending": (Fault.DROP, True),
    "timeout after sending": (Fault.STALL, True),
    "5xx": (Answer(503, b""), True),
    "429": (Answer(429, {"detail": "throttled"}, {"Retry-After": "0"}), False),
}


@attrs.frozen
class Claim:
    """One cell: ``resent`` or not, what the call gives, and whether a footnote (¹) applies."""

    method: str
    outcome: str
    resent: bool
    gives: str  # "success", "replayed" or an error class name
    footnote: bool


_CELL = re.compile(r"(?P<sent>resent|once) → `?(?P<gives>\w+)`?(?P<note> ¹)?")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def read_table(text: str) -> list[Claim]:
    """Every cell of the page's write-outcome table (the one whose first column is Method)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Method |"))
    header = _cells(lines[start])[1:-1]  # the outcome columns, "Why" left out
    claims = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        method = cells[0].replace("`", "")
        for outcome, cell in zip(header, cells[1:-1], strict=True):
            found = _CELL.fullmatch(cell)
            assert found is not None, f"{method} / {outcome}: cannot read {cell!r}"
            claims.append(
                Claim(
                    method,
                    outcome,
                    found["sent"] == "resent",
                    found["gives"],
                    bool(found["note"]),
                )
            )
    return claims


CLAIMS = read_table(PAGE.read_text())


_SENDS_A_WRITE = frozenset({"_post", "_post_for", "_write", "post", "write", "delete"})


def _calls_on_self(function: ast.AST) -> set[str]:
    """The names ``function`` calls as ``self.<name>(...)`` or ``self._api.<name>(...)``;
    the escape hatch's ``_escape_hatch.send(...)`` (any verb) counts as ``write``."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            on_self = isinstance(owner, ast.Name) and owner.id == "self"
            on_api = isinstance(owner, ast.Attribute) and owner.attr == "_api"
            if on_self or on_api:
                found.add(node.func.attr)
            elif isinstance(owner, ast.Name) and owner.id == "_escape_hatch":
                found.add("write" if node.func.attr == "send" else node.func.attr)
    return found


def write_methods(source: str, namespace: str) -> set[str]:
    """Pure: the public methods of the module's classes that send a write, directly or
    through the class's own private helpers, as ``<namespace>.<method>``."""
    writes: set[str] = set()
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef):
            continue
        calls = {
            f.name: _calls_on_self(f)
            for f in cls.body
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        writing = {name for name, called in calls.items() if called & _SENDS_A_WRITE}
        while grown := {n for n, called in calls.items() if called & writing} - writing:
            writing |= grown
        writes |= {f"{namespace}.{name}" for name in writing if not name.startswith("_")}
    return writes


def test_the_table_lists_every_write_method_and_everyoutcome_of() -> None:
    """Every public method of a resource namespace that sends a write has a row (and every
    row a driver); every row has every outcome."""
    sdk = set()
    for product in ("retail", "source"):
        for module in sorted((PACKAGE / product).glob("[!_]*.py")):
            sdk |= write_methods(module.read_text(), f"{product}.{module.stem}")
        # The clients' own writes (``client.request``), shared by both products.
        client = write_methods((PACKAGE / "_client.py").read_text(), product)
        sdk |= client
    assert {claim.method.split(" ")[0] for claim in CLAIMS} == sdk
    assert sorted({claim.method for claim in CLAIMS}) == sorted(DRIVERS)
    for method in DRIVERS:
        assert [c.outcome for c in CLAIMS if c.method == method] == list(OUTCOMES)


def test_write_methods_are_found_through_private_helpers() -> None:
    """Pure: a public method that writes through a private helper is a write; a read is not."""
    source = """
class Things(Resource):
    async def get(self, uuid):
        return await self._get(uuid)

    async def create(self, body):
        return await self._send(body)

    async def _send(self, body):
        return await self._api.post("p", body)
"""
    assert write_methods(source, "x.things") == {"x.things.create"}


def test_the_table_reader_reads_a_cell_and_refuses_nonsense() -> None:
    """Pure: the reader takes the page's vocabulary and nothing else."""
    table = (
        "| Method | 5xx | Why |\n|---|---|---|\n| `a.b` | once → `WriteOutcomeUnknown` ¹ | x |\n"
    )
    assert read_table(table) == [Claim("a.b", "5xx", False, "WriteOutcomeUnknown", True)]
    with pytest.raises(AssertionError, match="cannot read"):
        read_table(table.replace("once →", "maybe →"))


class _Server:
    """The write's fate: its first request meets ``fault``; later ones the API's answer."""

    def __init__(self, driver: Driver, fault: Action | None, applies: bool) -> None:
        self.driver, self.fault, self.applies = driver, fault, applies
        self.writes = self.applied = 0

    def decide(self, seen: Seen) -> Action:
        if seen.method == "GET":  # the read that leaves a pooled connection behind
            return Answer(200, {"uuid": LID, "name": "P"})
        self.writes += 1
        if self.writes == 1 and self.fault is not None:
            self.applied += self.applies
            return self.fault
        if self.applied and self.driver.duplicate is not None:
            return self.driver.duplicate
        self.applied += 1
        return Answer(200, self.driver.success)


def _expected(claim: Claim, session: Session) -> tuple[bool, str]:
    if claim.footnote and session == "caller":
        return False, "WriteOutcomeUnknown"  # footnote ¹: the caller's pool decides
    return claim.resent, claim.gives


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.method}/{c.outcome}")
async def test_each_cell_of_the_write_outcome_table_holds(claim: Claim, session: Session) -> None:
    """Drive the cell's method into the cell's outcome; the call does what the cell says."""
    driver = DRIVERS[claim.method]
    fault, applies = OUTCOMES[claim.outcome]
    fate = _Server(driver, fault, applies)
    before = claim.outcome == "dropped before sending"
    async with hostile(fate.decide, idle_close=0.0 if before else None) as server:
        options: dict[str, Any] = {"retry": RetryPolicy(max_retries=3), "timeout": 0.5}
        async with counted(server, session=session, product=driver.product, **options) as c:
            if before:
                await (c.retail.products.get(LID) if driver.product == "retail" else
                       c.source.products.get(LID))  # fmt: skip
            resent, gives = _expected(claim, session)
            with without_sleeping():
                outcome = await outcome_of(driver.call(c))
            c.assert_counted(server)
    writes = [r for r in server.requests if r.method != "GET"]
    assert len(writes) == (2 if resent else 1), f"{claim}: {writes}"
    assert fate.applied <= 1
    if gives in ("success", "replayed"):
        assert not isinstance(outcome, BaseException), repr(outcome)
        assert getattr(outcome, "replayed", False) is (gives == "replayed")
    else:
        assert type(outcome).__name__ == gives, repr(outcome)
        assert isinstance(outcome, lucidgreen.WriteOutcomeUnknown)
        assert outcome.outcome_unknown
