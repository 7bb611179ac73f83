"""LucidSource digital certificates of analysis: ``/api/v1.5/digital_coas/``."""

from __future__ import annotations

from .._instrument import sdk_call
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import DigitalCOA

__all__ = ["DigitalCOAs"]


class DigitalCOAs(Resource):
    """``source.digital_coas``: lab results of a batch."""

    @sdk_call
    async def get(self, uuid: str) -> DigitalCOA:
        """One digital COA with its laboratory, totals and test results."""
        return await self._get(self._api.path("digital_coas", validate_lucid_id(uuid)), DigitalCOA)
