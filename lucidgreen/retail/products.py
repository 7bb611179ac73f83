"""LucidRetail product, batch and brand details (``/api/v1.2/``)."""

from __future__ import annotations

from .._instrument import sdk_call
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Batch, Brand, Product

__all__ = ["Batches", "Brands", "Products"]


class Products(Resource):
    """``retail.products``: Get Product Details."""

    @sdk_call
    async def get(self, uuid: str) -> Product:
        """One product as LucidRetail models it (``brand_uuid``, ``expected_total_*``)."""
        return await self._get(self._api.path("products", validate_lucid_id(uuid)), Product)


class Batches(Resource):
    """``retail.batches``: Get Batch Details."""

    @sdk_call
    async def get(self, uuid: str) -> Batch:
        """One batch with its testing laboratories."""
        return await self._get(self._api.path("batches", validate_lucid_id(uuid)), Batch)


class Brands(Resource):
    """``retail.brands``: Brand Detail (named on the rate-limit page; path inferred)."""

    @sdk_call
    async def get(self, uuid: str) -> Brand:
        """One brand, read as LucidSource's brand_details (LucidRetail documents no schema).

        Every field but ``uuid`` is optional, so a brand answer with fewer or other fields
        still decodes; an answer that is not a brand object raises
        :class:`~lucidgreen.DecodeError`.
        """
        return await self._get(self._api.path("brands", validate_lucid_id(uuid)), Brand)
