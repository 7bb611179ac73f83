"""LucidSource products: ``/api/v1.5/products/``."""

from __future__ import annotations

from collections.abc import Mapping

from .._pager import AsyncPager, OnBadRecord
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Product, ProductSummary

__all__ = ["Products"]


class Products(Resource):
    """``source.products``: the products this credential can see."""

    def list(
        self,
        *,
        limit: int | None = None,
        prefetch: int = 0,
        resume_from: str | None = None,
        extra_query: Mapping[str, object] | None = None,
        on_bad_record: OnBadRecord = "raise",
    ) -> AsyncPager[ProductSummary]:
        """Every product (products_list), across pages; see :class:`~lucidgreen.AsyncPager`."""
        return self._list(
            self._api.path("products"),
            ProductSummary,
            limit=limit,
            prefetch=prefetch,
            resume_from=resume_from,
            extra_query=extra_query,
            on_bad_record=on_bad_record,
        )

    async def get(self, uuid: str) -> Product:
        """One product with its nested brand (products_get)."""
        return await self._get(self._api.path("products", validate_lucid_id(uuid)), Product)
