"""Where LucidIDs are: an item's collections, a collection's members, and the self-contained
case record."""

from __future__ import annotations

from ..._state.records import Collection, Item, Membership
from ..._state.state import FakeState
from . import values as v
from .catalogue import batch_summary, brand_summary, product_summary
from .values import JSON

__all__ = ["case_document", "collection_detail", "item_detail"]


def _membership_of(collection: Collection, member: Membership) -> JSON:
    return {
        "uuid": collection.uuid,
        "identifier": collection.identifier,
        "collection_type": collection.collection_type,
        "added_on": v.z(member.added_on),
        "name": collection.name,
        "is_public": collection.is_public,
        "removed_on": v.z(member.removed_on),
    }


def item_detail(item: Item, state: FakeState) -> JSON:
    current: list[JSON] = []
    removed: list[JSON] = []
    for collection in state.collections_of(item.uuid):
        for member in collection.members:
            if member.lucid_id == item.uuid:
                target = current if member.removed_on is None else removed
                target.append(_membership_of(collection, member))
    batch = state.batches.get(item.batch_uuid)
    return {
        "created": v.z(item.created),
        "uuid": item.uuid,
        "brand_uuid": item.brand_uuid,
        "product_uuid": item.product_uuid,
        "batch_uuid": item.batch_uuid,
        "digital_coa_uuids": [] if batch is None else list(batch.digital_coa_uuids),
        "collections": current,
        "removed_collections": removed,
    }


def _member(member: Membership) -> JSON:
    return {
        "lucid_id": member.lucid_id,
        "added_on": v.z(member.added_on),
        "removed_on": v.z(member.removed_on),
        "removed_by_company_uuid": member.removed_by_company_uuid,
    }


def collection_detail(collection: Collection) -> JSON:
    return {
        "uuid": collection.uuid,
        "identifier": collection.identifier,
        "name": collection.name,
        "collection_type": collection.collection_type,
        "added_on": v.z(collection.added_on),
        "is_public": collection.is_public,
        "is_removed": collection.is_removed,
        "removed_on": v.z(collection.removed_on),
        "sub_type": collection.sub_type,
        "items": [_member(m) for m in collection.members if m.removed_on is None],
        "removed_items": [_member(m) for m in collection.members if m.removed_on is not None],
    }


def case_document(case: Collection, state: FakeState) -> JSON:
    """The self-contained case record (inferred from the documented fragments).

    ``regulator_ids`` are the regulator-type collections holding the case's items, oldest
    first; each item lists the ``regulator_id_uuids`` that tag it.
    """
    body = collection_detail(case)
    members = [m for m in case.members if m.removed_on is None]
    ids = {m.lucid_id for m in members}
    regulators = sorted(
        (
            c
            for c in state.collections.values()
            if c.collection_type == "regulator" and ids.intersection(c.current_ids())
        ),
        key=lambda c: c.added_on,
    )
    items = [state.items[m.lucid_id] for m in members if m.lucid_id in state.items]
    packaged = {
        i.packaged_product_uuid: state.packaged_products.get(i.packaged_product_uuid) for i in items
    }
    product_ids = list(dict.fromkeys(i.product_uuid for i in items))
    batch_ids = list(dict.fromkeys(i.batch_uuid for i in items))
    brand_ids = list(dict.fromkeys(i.brand_uuid for i in items))
    body.update(
        brands=[brand_summary(state.brands[u]) for u in brand_ids if u in state.brands],
        products=[product_summary(state.products[u]) for u in product_ids if u in state.products],
        batches=[batch_summary(state.batches[u]) for u in batch_ids if u in state.batches],
        packaged_products=[
            {
                "uuid": pp.uuid,
                "product_uuid": pp.product_uuid,
                "batch_uuid": pp.batch_uuid,
                "regulatory_id": pp.regulatory_id,
            }
            for pp in packaged.values()
            if pp is not None
        ],
        cases=[
            {"uuid": c.uuid, "identifier": c.identifier, "added_on": v.z(c.added_on)}
            for c in sorted(
                (state.collections[u] for u in case.sub_case_uuids if u in state.collections),
                key=lambda c: c.added_on,
            )
        ],
        regulator_ids=[
            {"uuid": r.uuid, "identifier": r.identifier, "added_on": v.z(r.added_on)}
            for r in regulators
        ],
        items=[
            {
                "lucid_id": m.lucid_id,
                "added_on": v.z(m.added_on),
                "removed_on": None,
                "packaged_product_uuid": state.items[m.lucid_id].packaged_product_uuid
                if m.lucid_id in state.items
                else None,
                "regulator_id_uuids": [r.uuid for r in regulators if m.lucid_id in r.current_ids()],
            }
            for m in members
        ],
    )
    return body
