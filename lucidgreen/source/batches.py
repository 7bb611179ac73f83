"""LucidSource batches: ``/api/v1.5/batches/``."""

from __future__ import annotations

from typing import Unpack

from .._instrument import sdk_call
from .._list_options import ListOptions
from .._pager import AsyncPager
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Batch, BatchSummary

__all__ = ["Batches"]


class Batches(Resource):
    """``source.batches``: production batches and their packaged products."""

    @sdk_call
    def list(self, **options: Unpack[ListOptions]) -> AsyncPager[BatchSummary]:
        """Every batch (batches_list), across pages; ``options``: :class:`ListOptions`
        (``limit``, ``prefetch``, ``resume_from``, ``extra_query``, ``on_bad_record``)."""
        return self._list(self._api.path("batches"), BatchSummary, options)

    @sdk_call
    async def get(self, uuid: str) -> Batch:
        """One batch with its laboratories and packaged products (batches_get)."""
        return await self._get(self._api.path("batches", validate_lucid_id(uuid)), Batch)
