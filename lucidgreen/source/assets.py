"""LucidSource assets (texts, images, videos, files): ``/api/v1.5/assets/<type>/``."""

from __future__ import annotations

from typing import Unpack

from .._instrument import sdk_call
from .._list_options import ListOptions
from .._pager import AsyncPager
from .._resource import Resource
from ..ids import validate_lucid_id
from .models import Asset, AssetType, NewAsset, TextAssetUsage

__all__ = ["Assets"]


def _asset_type(value: AssetType | str) -> AssetType:
    try:
        return AssetType(value)
    except ValueError:
        allowed = ", ".join(member.value for member in AssetType)
        raise ValueError(f"asset type must be one of {allowed}, got {value!r}") from None


class Assets(Resource):
    """``source.assets``: brand content by type."""

    @sdk_call
    def list(
        self, asset_type: AssetType | str, **options: Unpack[ListOptions]
    ) -> AsyncPager[Asset]:
        """Every asset of one type (asset_list), across pages; ``options``:
        :class:`ListOptions` (``limit``, ``prefetch``, ``resume_from``, ``extra_query``,
        ``on_bad_record``)."""
        path = self._api.path("assets", _asset_type(asset_type))
        return self._list(path, Asset, options)

    @sdk_call
    async def get(self, asset_type: AssetType | str, uuid: str) -> Asset:
        """One asset (asset_get)."""
        path = self._api.path("assets", _asset_type(asset_type), validate_lucid_id(uuid))
        return await self._get(path, Asset)

    @sdk_call
    async def create(
        self,
        asset_type: AssetType | str,
        *,
        name: str,
        content: str,
        description: str | None = None,
        usage: TextAssetUsage | str | None = None,
    ) -> Asset:
        """Create an asset (asset_create). ``content``: base64 of the file, or the text.

        Not retried after a 5xx or a lost answer (the server could create it twice); see
        :mod:`lucidgreen.retry`.
        """
        kind = _asset_type(asset_type)
        body = NewAsset(
            name=name,
            content=content,
            description=description,
            usage=None if usage is None else TextAssetUsage(usage),
        )
        return await self._post_for(self._api.path("assets", kind, "create"), body, Asset)

    @sdk_call
    async def delete(self, uuid: str) -> None:
        """Delete a text asset (asset_delete; the documented path names ``text`` only)."""
        await self._api.delete(self._api.path("assets", "text", validate_lucid_id(uuid), "delete"))
