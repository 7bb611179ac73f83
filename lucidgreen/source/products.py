"""LucidSource products: ``/api/v1.5/products/``."""

from __future__ import annotations

from typing import Unpack

from .._instrument import sdk_call
from .._list_options import ListOptions
from .._pager import AsyncPager
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Product, ProductSummary

__all__ = ["Products"]


class Products(Resource):
    """``source.products``: the products this credential can see."""

    @sdk_call
    def list(self, **options: Unpack[ListOptions]) -> AsyncPager[ProductSummary]:
        """Every product (products_list), across pages; see :class:`~lucidgreen.AsyncPager`.

        ``options``: :class:`ListOptions` (``limit``, ``prefetch``, ``resume_from``,
        ``extra_query``, ``on_bad_record``), e.g. ``list(limit=10, prefetch=4)``.
        """
        return self._list(self._api.path("products"), ProductSummary, options)

    @sdk_call
    async def get(self, uuid: str) -> Product:
        """One product with its nested brand (products_get)."""
        return await self._get(self._api.path("products", validate_lucid_id(uuid)), Product)
