"""LucidRetail inventory collections (POS): ``/api/v1.2/collections/inventory-pos/``."""

from __future__ import annotations

from collections.abc import Iterable

from .._instrument import sdk_call
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import InventoryCollection, InventoryItemsAddition

__all__ = ["Inventory"]


class Inventory(Resource):
    """``retail.inventory``: add a case's items to an inventory collection, look one up."""

    @sdk_call
    async def add_items(
        self,
        dispensary_uuid: str,
        *,
        case_uuid: str,
        lucid_ids: Iterable[str],
        inventory_collection_identifier: str | None = None,
        internal_inventory_item_id: str | None = None,
        internal_catalog_product_id: str | None = None,
        hostname: str | None = None,
    ) -> InventoryCollection:
        """Add CaseID items to an inventory collection; returns the collection's identifier.

        Without ``inventory_collection_identifier`` a new collection is created.
        """
        body = InventoryItemsAddition(
            case_uuid=validate_lucid_id(case_uuid),
            lucid_ids=[validate_lucid_id(item) for item in lucid_ids],
            inventory_collection_identifier=inventory_collection_identifier,
            internal_inventory_item_id=internal_inventory_item_id,
            internal_catalog_product_id=internal_catalog_product_id,
            hostname=hostname,
        )
        path = self._api.path(
            "collections", "inventory-pos", validate_lucid_id(dispensary_uuid), "add-items"
        )
        return await self._post_for(path, body, InventoryCollection)

    @sdk_call
    async def collection_of(self, lucid_id: str) -> InventoryCollection:
        """The inventory collection holding a LucidID (raises NotFound if none).

        An unauthenticated lookup: no Authorization header is sent, and it spends its own
        60-per-minute budget (counted per IP by LucidRetail), not the API key's.
        """
        path = self._api.path(
            "collections", "inventory-pos", "lucid-id", validate_lucid_id(lucid_id)
        )
        return await self._get(path, InventoryCollection, public=True)
