"""LucidSource batches: ``/api/v1.5/batches/``."""

from __future__ import annotations

from collections.abc import Mapping

from .._pager import AsyncPager, OnBadRecord
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Batch, BatchSummary

__all__ = ["Batches"]


class Batches(Resource):
    """``source.batches``: production batches and their packaged products."""

    def list(
        self,
        *,
        limit: int | None = None,
        prefetch: int = 0,
        resume_from: str | None = None,
        extra_query: Mapping[str, object] | None = None,
        on_bad_record: OnBadRecord = "raise",
    ) -> AsyncPager[BatchSummary]:
        """Every batch (batches_list), across pages."""
        return self._list(
            self._api.path("batches"),
            BatchSummary,
            limit=limit,
            prefetch=prefetch,
            resume_from=resume_from,
            extra_query=extra_query,
            on_bad_record=on_bad_record,
        )

    async def get(self, uuid: str) -> Batch:
        """One batch with its laboratories and packaged products (batches_get)."""
        return await self._get(self._api.path("batches", validate_lucid_id(uuid)), Batch)
