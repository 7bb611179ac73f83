"""LucidSource batches: ``/api/v1.5/batches/``."""

from __future__ import annotations

from .._pager import AsyncPager
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Batch, BatchSummary

__all__ = ["Batches"]


class Batches(Resource):
    """``source.batches``: production batches and their packaged products."""

    def list(
        self, *, limit: int | None = None, prefetch: int = 0, resume_from: str | None = None
    ) -> AsyncPager[BatchSummary]:
        """Every batch (batches_list), across pages."""
        return self._list(
            self._api.path("batches"),
            BatchSummary,
            limit=limit,
            prefetch=prefetch,
            resume_from=resume_from,
        )

    async def get(self, uuid: str) -> Batch:
        """One batch with its laboratories and packaged products (batches_get)."""
        return await self._get(self._api.path("batches", validate_lucid_id(uuid)), Batch)
