"""UNDOCUMENTED LucidRetail operations, at guessed paths.

The LucidRetail rate-limit page names these operations, but the documentation available
describes neither their paths nor their bodies. Each method here sends to a *guessed* path
(``Operations.paths``, relative to ``/api/v1.2/``). Check the paths against your LucidGreen
contact or test account and override them::

    retail.operations.paths["validate_lucid_ids"] = "lucid-ids/exists/"

Where the API shows a shape, the answer is typed: the full case details are a
:class:`~lucidgreen.source.models.Case` (the shape the public Treez extension reads:
``items[].lucid_id``). Every other answer is an :class:`~lucidgreen.retail.models.OperationResult`:
the decoded JSON, plus ``return_code`` and ``warning`` when it is a ``returnCode`` envelope.
Brand Detail is ``retail.brands.get``.

Writes are never resent after a 5xx or a lost answer (their deduplication is unknown); a
write's unreadable 2xx answer raises :class:`~lucidgreen.DecodeError` with
``outcome_unknown`` True.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import _envelopes, _escape_hatch
from .._api import Api, segment, surface_warning
from .._converter import structure
from .._instrument import sdk_call
from .._resource import Resource, write_decoding
from .._transport import Response
from ..ids import validate_lucid_id
from ..retry import Replay
from ..source.models import Case
from ._rules import typed_refusals
from .models import OperationResult

__all__ = ["DEFAULT_PATHS", "Operations"]

DEFAULT_PATHS: Mapping[str, str] = {
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


def _result(response: Response, replay: Replay = Replay.SAFE) -> OperationResult:
    """The answer as an :class:`OperationResult` (see :func:`write_decoding` for ``replay``)."""
    with write_decoding(replay):
        data = _envelopes.decode_json(response.status, response.headers, response.body)
        if not (isinstance(data, dict) and "returnCode" in data):
            return OperationResult(data=data)
        envelope = _envelopes.decode_return_code(response.status, response.headers, response.body)
    surface_warning(envelope.warning, where=response.url or "LucidRetail")
    return OperationResult(data=data, return_code=envelope.return_code, warning=envelope.warning)


class Operations(Resource):
    """``retail.operations``: the undocumented operations (guessed paths)."""

    def __init__(self, api: Api) -> None:
        super().__init__(api)
        self.paths: dict[str, str] = dict(DEFAULT_PATHS)

    def _path(self, operation: str, **values: str) -> str:
        template = self.paths[operation]
        encoded = {key: segment(value, name=key) for key, value in values.items()}
        return self._api.prefix + template.format(**encoded)

    async def _fetch(self, path: str, *, public: bool = False) -> OperationResult:
        return _result(await self._api.get(path, public=public))

    async def _write(self, method: str, path: str, body: Any = None) -> OperationResult:
        return _result(await self._api.write(method, path, body), Replay.UNSAFE)

    @sdk_call
    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        public: bool = False,
    ) -> OperationResult:
        """Any call under ``/api/v1.2/`` (``path`` relative to it), sent with ``method``:
        :meth:`RetailClient.request <lucidgreen.RetailClient.request>` (the same rules, one
        implementation) with the answer as an :class:`OperationResult` and ``public`` for
        an unauthenticated GET on the public budget.
        """
        response = await _escape_hatch.send(
            self._api, method, path, params=params, json=json, public=public
        )
        verb = method.upper()
        return _result(response, Replay.SAFE if verb == "GET" else Replay.UNSAFE)

    @sdk_call
    async def digital_coa_detail(self, uuid: str) -> OperationResult:
        """Digital COA Detail: one digital certificate of analysis (shape undocumented)."""
        return await self._fetch(self._path("digital_coa_detail", uuid=validate_lucid_id(uuid)))

    @sdk_call
    async def item_details(self, lucid_id: str) -> OperationResult:
        """Item Details: one LucidID-tagged item (shape undocumented)."""
        path = self._path("item_details", lucid_id=validate_lucid_id(lucid_id))
        return await self._fetch(path)

    @sdk_call
    async def collection_details(self, identifier: str) -> OperationResult:
        """Collection Details: one collection by uuid or identifier (shape undocumented)."""
        return await self._fetch(self._path("collection_details", identifier=identifier))

    @sdk_call
    async def collection_cases_full_details(self, identifier: str) -> Case:
        """Collection Cases Full Details: a case and its items, as a typed :class:`Case`.

        The answer is read as LucidSource's case (every field optional; ``items[].lucid_id``
        is what the public Treez extension reads); one of another shape raises
        :class:`~lucidgreen.DecodeError`.
        """
        path = self._path("collection_cases_full_details", identifier=identifier)
        response = await self._api.get(path)
        data = _result(response).data  # a returnCode envelope is checked, its warning logged
        return structure(data, Case, text=response.body.decode("utf-8", "replace"))

    @sdk_call
    async def inventory_collection_delete(
        self, dispensary_uuid: str, identifier: str
    ) -> OperationResult:
        """Delete Inventory Collection (the documented path is cut off after the dispensary)."""
        path = self._path(
            "inventory_collection_delete",
            dispensary_uuid=validate_lucid_id(dispensary_uuid),
            identifier=identifier,
        )
        return await self._write("DELETE", path)

    @sdk_call
    async def validate_lucid_ids(self, lucid_ids: Iterable[str]) -> OperationResult:
        """Validate LucidIDs Existence. Malformed ids are refused before sending
        (:class:`~lucidgreen.InvalidLucidID`); a 400 naming unknown or non-imported ids
        raises :class:`~lucidgreen.UnknownLucidIDs` / :class:`~lucidgreen.NonImportedLucidIDs`.
        """
        body = {"lucid_ids": [validate_lucid_id(item) for item in lucid_ids]}
        with typed_refusals():
            return await self._write("POST", self._path("validate_lucid_ids"), body)

    @sdk_call
    async def associate_regulator_uid(self, identifier: str, regulator_uid: str) -> OperationResult:
        """Associate Regulator UID to Case ID: tag a case with a regulator (Metrc) UID."""
        path = self._path("associate_regulator_uid", identifier=identifier)
        return await self._write("POST", path, {"regulator_uid": regulator_uid})

    @sdk_call
    async def package_uids_associations_request(self, body: Mapping[str, Any]) -> OperationResult:
        """Package UIDs Associations Request: ``body`` is sent as is (its fields are unknown)."""
        return await self._write(
            "POST", self._path("package_uids_associations_request"), dict(body)
        )

    @sdk_call
    async def package_uids_associations_fetch(self, request_id: str) -> OperationResult:
        """Package UIDs Associations Fetch: the answer to an earlier request, by its id."""
        path = self._path("package_uids_associations_fetch", request_id=request_id)
        return await self._fetch(path)

    @sdk_call
    async def regulator_uid_lookup(self, lucid_id: str) -> OperationResult:
        """LucidID Inventory Regulator UID Lookup: unauthenticated, on the 60-per-minute
        public budget."""
        path = self._path("regulator_uid_lookup", lucid_id=validate_lucid_id(lucid_id))
        return await self._fetch(path, public=True)
