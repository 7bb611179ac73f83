"""UNDOCUMENTED LucidRetail operations: thin calls returning raw JSON.

The LucidRetail rate-limit page names these operations, but the documentation available
describes neither their paths nor their bodies. Each method here sends to a *guessed* path
(``Operations.paths``, relative to ``/api/v1.2/``) and returns the decoded JSON as is. Check
the paths against your LucidGreen contact or test account and override them::

    retail.operations.paths["validate_lucid_ids"] = "lucid-ids/exists/"

Writes are never resent after a 5xx or a lost answer (their deduplication is unknown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import _envelopes
from .._api import Api, segment, surface_warning
from .._http import Response
from .._resource import Resource
from ..ids import validate_lucid_id

__all__ = ["DEFAULT_PATHS", "Operations"]

DEFAULT_PATHS: Mapping[str, str] = {
    "brand_detail": "brands/{uuid}/",
    "digital_coa_detail": "digital_coas/{uuid}/",
    "item_details": "items/{lucid_id}/",
    "collection_details": "collections/{identifier}/",
    "collection_cases_full_details": "collections/case/{identifier}/",
    "inventory_collection_delete": "collections/inventory-pos/{dispensary_uuid}/{identifier}/",
    "validate_lucid_ids": "lucid-ids/validate/",
    "associate_regulator_uid": "collections/case/{identifier}/regulator-uid/",
    "package_uids_associations_request": "package-uids-associations/",
    "package_uids_associations_fetch": "package-uids-associations/{request_id}/",
    "regulator_uid_lookup": "collections/inventory-pos/regulator-uid/{lucid_id}/",
}


def _json(response: Response) -> Any:
    """The decoded JSON; a ``returnCode`` envelope is checked and its ``warning`` logged."""
    data = _envelopes.decode_json(response.status, response.headers, response.body)
    if isinstance(data, dict) and "returnCode" in data:
        result = _envelopes.decode_return_code(response.status, response.headers, response.body)
        surface_warning(result.warning, where=response.url or "LucidRetail")
    return data


class Operations(Resource):
    """``retail.operations``: the undocumented operations (raw JSON, guessed paths)."""

    def __init__(self, api: Api) -> None:
        super().__init__(api)
        self.paths: dict[str, str] = dict(DEFAULT_PATHS)

    def _path(self, operation: str, **values: str) -> str:
        template = self.paths[operation]
        encoded = {key: segment(value, name=key) for key, value in values.items()}
        return self._api.prefix + template.format(**encoded)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        public: bool = False,
    ) -> Any:
        """Any call under ``/api/v1.2/`` (``path`` relative to it); the decoded JSON back."""
        full = self._api.relative(path)
        if method.upper() == "GET":
            return _json(await self._api.get(full, params=params, public=public))
        if method.upper() == "DELETE":
            return _json(await self._api.delete(full))
        return _json(await self._api.post(full, json))

    async def brand_detail(self, uuid: str) -> Any:
        return _json(await self._api.get(self._path("brand_detail", uuid=validate_lucid_id(uuid))))

    async def digital_coa_detail(self, uuid: str) -> Any:
        return _json(
            await self._api.get(self._path("digital_coa_detail", uuid=validate_lucid_id(uuid)))
        )

    async def item_details(self, lucid_id: str) -> Any:
        return _json(
            await self._api.get(self._path("item_details", lucid_id=validate_lucid_id(lucid_id)))
        )

    async def collection_details(self, identifier: str) -> Any:
        return _json(await self._api.get(self._path("collection_details", identifier=identifier)))

    async def collection_cases_full_details(self, identifier: str) -> Any:
        return _json(
            await self._api.get(self._path("collection_cases_full_details", identifier=identifier))
        )

    async def inventory_collection_delete(self, dispensary_uuid: str, identifier: str) -> Any:
        path = self._path(
            "inventory_collection_delete",
            dispensary_uuid=validate_lucid_id(dispensary_uuid),
            identifier=identifier,
        )
        return _json(await self._api.delete(path))

    async def validate_lucid_ids(self, lucid_ids: Iterable[str]) -> Any:
        body = {"lucid_ids": [validate_lucid_id(item) for item in lucid_ids]}
        return _json(await self._api.post(self._path("validate_lucid_ids"), body))

    async def associate_regulator_uid(self, identifier: str, regulator_uid: str) -> Any:
        body = {"regulator_uid": regulator_uid}
        return _json(
            await self._api.post(self._path("associate_regulator_uid", identifier=identifier), body)
        )

    async def package_uids_associations_request(self, body: Mapping[str, Any]) -> Any:
        return _json(
            await self._api.post(self._path("package_uids_associations_request"), dict(body))
        )

    async def package_uids_associations_fetch(self, request_id: str) -> Any:
        return _json(
            await self._api.get(
                self._path("package_uids_associations_fetch", request_id=request_id)
            )
        )

    async def regulator_uid_lookup(self, lucid_id: str) -> Any:
        """Unauthenticated, on the 60-per-minute public budget."""
        path = self._path("regulator_uid_lookup", lucid_id=validate_lucid_id(lucid_id))
        return _json(await self._api.get(path, public=True))
