"""``FakeState``: everything the fake serves, open for tests to read and change."""

from __future__ import annotations

import attrs

from . import records

__all__ = ["ASSET_TYPES", "FakeState"]

#: The ``<asset_type>`` path values of the assets endpoints.
ASSET_TYPES = ("texts", "images", "videos", "files")


@attrs.define
class FakeState:
    """The data behind both APIs. Dicts keep insertion order, which is the list order.

    Tests may mutate any of it between (or during) requests: add a product mid-walk, drop a
    batch to provoke a 404, add a uuid to ``forbidden`` to provoke a 403, mark a case as
    ``cases_scanned_elsewhere``. Retail writes land in ``imports``, ``transactions`` and
    ``inventory_collections``.
    """

    company_uuid: str
    dispensary_uuid: str
    brands: dict[str, records.Brand] = attrs.field(factory=dict)
    products: dict[str, records.Product] = attrs.field(factory=dict)
    batches: dict[str, records.Batch] = attrs.field(factory=dict)
    packaged_products: dict[str, records.PackagedProduct] = attrs.field(factory=dict)
    labs: dict[str, records.Lab] = attrs.field(factory=dict)
    digital_coas: dict[str, records.DigitalCOA] = attrs.field(factory=dict)
    items: dict[str, records.Item] = attrs.field(factory=dict)
    collections: dict[str, records.Collection] = attrs.field(factory=dict)
    assets: dict[str, dict[str, records.Asset]] = attrs.field(
        factory=lambda: {asset_type: {} for asset_type in ASSET_TYPES}
    )
    #: uuids (of any entity) whose detail endpoints answer 403: seen by another company.
    forbidden: set[str] = attrs.field(factory=set)
    #: Case uuids already scanned by another dispensary (caseids/import and add-items refuse);
    #: generated: the last case and every tenth one.
    cases_scanned_elsewhere: set[str] = attrs.field(factory=set)
    #: False: the Retail credentials are linked to no dispensary (package export answers 428).
    dispensary_linked: bool = True
    imports: list[records.CaseImport] = attrs.field(factory=list)
    transactions: dict[str, records.Transaction] = attrs.field(factory=dict)
    inventory_collections: dict[str, records.InventoryCollection] = attrs.field(factory=dict)

    # -- lookups -----------------------------------------------------------------------------

    @property
    def cases(self) -> dict[str, records.Collection]:
        """Collections with ``collection_type == "case"``, by uuid."""
        return {u: c for u, c in self.collections.items() if c.collection_type == "case"}

    def find_collection(self, key: str) -> records.Collection | None:
        """A collection by uuid or by (decoded) identifier, as the API path accepts both."""
        found = self.collections.get(key)
        if found is not None:
            return found
        return next((c for c in self.collections.values() if c.identifier == key), None)

    def collections_of(self, lucid_id: str) -> list[records.Collection]:
        """Collections the LucidID is or was a member of, in creation order."""
        return [
            c for c in self.collections.values() if any(m.lucid_id == lucid_id for m in c.members)
        ]

    def in_inventory(self, lucid_id: str) -> bool:
        """Whether the dispensary imported this LucidID (case import or add-items)."""
        if any(lucid_id in imp.lucid_ids for imp in self.imports):
            return True
        return any(
            lucid_id in inv.lucid_ids
            for inv in self.inventory_collections.values()
            if not inv.is_removed
        )

    def inventory_collection_of(self, lucid_id: str) -> records.InventoryCollection | None:
        """The most recent live inventory collection holding the LucidID."""
        for inv in reversed(self.inventory_collections.values()):
            if not inv.is_removed and lucid_id in inv.lucid_ids:
                return inv
        return None

    def export_mapping(self) -> dict[str, dict[str, list[str]]]:
        """``{package_uid: {case_uuid: [lucid_id, ...]}}`` of the applied case imports."""
        mapping: dict[str, dict[str, list[str]]] = {}
        for imp in self.imports:
            mapping.setdefault(imp.package_uid, {}).setdefault(imp.case_uuid, []).extend(
                imp.lucid_ids
            )
        return mapping
