"""LucidSource collections and cases: ``/api/v1.5/collections/``."""

from __future__ import annotations

from .._instrument import sdk_call
from .._resource import Resource
from .models import Case, Collection

__all__ = ["Collections"]


def _identifier(value: object) -> str:
    if not isinstance(value, str):  # untyped callers: an int is not an identifier
        raise TypeError(f"a collection identifier must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError("a collection identifier must be a non-empty string")
    return value


class Collections(Resource):
    """``source.collections``: collections (orders, cases, Metrc batches) and their items."""

    @sdk_call
    async def get(self, identifier: str) -> Collection:
        """A collection by uuid or identifier (collections_get).

        Identifiers are arbitrary strings (Metrc tags, manifest IDs) and may hold ``/`` or
        spaces; the SDK percent-encodes them as one path segment.
        """
        return await self._get(self._api.path("collections", _identifier(identifier)), Collection)

    @sdk_call
    async def case(self, identifier: str) -> Case:
        """A case with its items, sub-cases and regulator IDs (case_get).

        The path ``collections/case/<id>/`` is inferred from LucidGreen's own client code;
        the documentation page is cut off.
        """
        return await self._get(self._api.path("collections", "case", _identifier(identifier)), Case)
