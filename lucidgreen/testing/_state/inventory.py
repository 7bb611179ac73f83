"""Stock for the fake dispensary: LucidIDs that ``transactions.complete`` accepts.

A sale needs LucidIDs the dispensary has in inventory. :func:`add_inventory` puts a case
there the way ``POST …/inventory-pos/add-items/`` would (one inventory collection per
packaged product of the case), without an HTTP round trip; a fresh fake stocks one case
this way, so a test can sell at once.
"""

from __future__ import annotations

import uuid

import attrs

from lucidgreen.ids import from_uuid

from .records import Collection, InventoryCollection
from .state import FakeState

__all__ = ["Stock", "add_inventory", "sellable_lucid_ids", "stockable"]


@attrs.frozen
class Stock:
    """One case put in inventory: its LucidIDs, and the inventory collections holding them."""

    case_uuid: str
    lucid_ids: tuple[str, ...]
    inventory_collections: tuple[str, ...]


def stockable(state: FakeState) -> list[Collection]:
    """Cases the dispensary may stock: not scanned elsewhere, not empty, not stocked yet."""
    stocked = {inv.case_uuid for inv in state.inventory_collections.values() if not inv.is_removed}
    stocked |= {imp.case_uuid for imp in state.imports}
    return [
        case
        for case in state.cases.values()
        if case.uuid not in state.cases_scanned_elsewhere
        and case.uuid not in stocked
        and any(lid in state.items for lid in case.current_ids())
    ]


def add_inventory(state: FakeState, case_uuid: str | None = None) -> Stock:
    """Put case ``case_uuid`` (default: the last case not stocked yet) in inventory."""
    if case_uuid is None:
        candidates = stockable(state)
        if not candidates:
            raise ValueError("no case left to stock: generate more cases (cases=N)")
        case = candidates[-1]  # the last: tests that take the first case find it untouched
    else:
        found = state.cases.get(case_uuid)
        if found is None:
            raise ValueError(f"{case_uuid!r} is not a case of this fake")
        if case_uuid in state.cases_scanned_elsewhere:
            raise ValueError(f"case {case_uuid} belongs to another dispensary")
        case = found
    by_packaged: dict[str, list[str]] = {}
    for lid in case.current_ids():
        item = state.items.get(lid)
        if item is not None:
            by_packaged.setdefault(item.packaged_product_uuid, []).append(lid)
    identifiers = []
    for packaged_uuid, lucid_ids in by_packaged.items():
        identifier = from_uuid(uuid.uuid5(uuid.NAMESPACE_URL, f"stock:{case.uuid}:{packaged_uuid}"))
        state.inventory_collections[identifier] = InventoryCollection(
            identifier, case.uuid, list(lucid_ids)
        )
        identifiers.append(identifier)
    return Stock(
        case.uuid,
        tuple(lid for ids in by_packaged.values() for lid in ids),
        tuple(identifiers),
    )


def sellable_lucid_ids(state: FakeState) -> list[str]:
    """LucidIDs in inventory and in no live (unvoided) transaction: what can be sold now."""
    sold = {
        lid for sale in state.transactions.values() if sale.voided_at is None for lid in sale.items
    }
    seen: dict[str, None] = {}
    for imp in state.imports:
        seen.update(dict.fromkeys(imp.lucid_ids))
    for inv in state.inventory_collections.values():
        if not inv.is_removed:
            seen.update(dict.fromkeys(inv.lucid_ids))
    return [lid for lid in seen if lid not in sold]
