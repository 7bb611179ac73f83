"""LucidSource brands: ``/api/v1.5/brands/``."""

from __future__ import annotations

from typing import Unpack

from .._instrument import sdk_call
from .._list_options import OnePageListOptions
from .._pager import AsyncPager
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Brand, BrandSummary

__all__ = ["Brands"]


class Brands(Resource):
    """``source.brands``: the brands of the credential's company."""

    @sdk_call
    def list(self, **options: Unpack[OnePageListOptions]) -> AsyncPager[BrandSummary]:
        """Every brand (brands_list). The API answers with one bare array: one page.

        ``options``: :class:`OnePageListOptions` (``limit``, ``extra_query``,
        ``on_bad_record``).
        """
        path = self._api.path("brands")
        return self._list(path, BrandSummary, options, accepts=OnePageListOptions)

    @sdk_call
    async def get(self, uuid: str) -> Brand:
        """One brand with images, video and address (brand_details)."""
        return await self._get(self._api.path("brands", validate_lucid_id(uuid)), Brand)
