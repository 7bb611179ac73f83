"""LucidSource brands: ``/api/v1.5/brands/``."""

from __future__ import annotations

from .._pager import AsyncPager
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Brand, BrandSummary

__all__ = ["Brands"]


class Brands(Resource):
    """``source.brands``: the brands of the credential's company."""

    def list(self, *, limit: int | None = None) -> AsyncPager[BrandSummary]:
        """Every brand (brands_list). The API answers with one bare array: one page."""
        return self._list(self._api.path("brands"), BrandSummary, limit=limit)

    async def get(self, uuid: str) -> Brand:
        """One brand with images, video and address (brand_details)."""
        return await self._get(self._api.path("brands", validate_lucid_id(uuid)), Brand)
