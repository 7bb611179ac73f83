"""LucidSource brands: ``/api/v1.5/brands/``."""

from __future__ import annotations

from collections.abc import Mapping

from .._pager import AsyncPager, OnBadRecord
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Brand, BrandSummary

__all__ = ["Brands"]


class Brands(Resource):
    """``source.brands``: the brands of the credential's company."""

    def list(
        self,
        *,
        limit: int | None = None,
        extra_query: Mapping[str, object] | None = None,
        on_bad_record: OnBadRecord = "raise",
    ) -> AsyncPager[BrandSummary]:
        """Every brand (brands_list). The API answers with one bare array: one page."""
        return self._list(
            self._api.path("brands"),
            BrandSummary,
            limit=limit,
            extra_query=extra_query,
            on_bad_record=on_bad_record,
        )

    async def get(self, uuid: str) -> Brand:
        """One brand with images, video and address (brand_details)."""
        return await self._get(self._api.path("brands", validate_lucid_id(uuid)), Brand)
