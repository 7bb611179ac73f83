"""LucidSource items (LucidIDs): ``/api/v1.5/items/<LucidID>/``."""

from __future__ import annotations

from .._instrument import sdk_call
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Item

__all__ = ["Items"]


class Items(Resource):
    """``source.items``: one tagged item by its LucidID."""

    @sdk_call
    async def get(self, lucid_id: str) -> Item:
        """The item's brand, product, batch and collections (items_get).

        Raises :class:`~lucidgreen.InvalidLucidID` before any request for a malformed ID.
        """
        return await self._get(self._api.path("items", validate_lucid_id(lucid_id)), Item)
