"""LucidRetail CaseID imports: ``/api/v1.2/caseids/import/``."""

from __future__ import annotations

from .._resource import Resource
from ..ids import validate_lucid_id
from ._rules import typed_refusals
from .models import CaseImport, CaseImportRemoval, CaseImportResult

__all__ = ["CaseIDs"]


class CaseIDs(Resource):
    """``retail.caseids``: import a received case into the dispensary's inventory."""

    async def import_case(
        self,
        *,
        case_uuid: str,
        packaged_product_uuid: str,
        pos_product_id: str,
        pos_inventory_id: str,
        package_uid: str,
        sku: str | None = None,
    ) -> CaseImportResult:
        """Import a CaseID (caseids_import), creating or updating the POS records.

        A case imported before raises :class:`~lucidgreen.CaseAlreadyImported` (with the
        ``package_uid`` the server names); the other business rule (already scanned for
        another dispensary) raises :class:`~lucidgreen.BadRequest` with ``detail``, and
        missing fields raise it with the field errors in ``data``. Not resent after a 5xx
        or a lost answer; an unreadable 2xx answer raises :class:`~lucidgreen.DecodeError`
        with ``outcome_unknown`` True.
        """
        body = CaseImport(
            case_uuid=validate_lucid_id(case_uuid),
            packaged_product_uuid=validate_lucid_id(packaged_product_uuid),
            pos_product_id=pos_product_id,
            pos_inventory_id=pos_inventory_id,
            package_uid=package_uid,
            sku=sku,
        )
        with typed_refusals():
            return await self._post_for(self._api.path("caseids", "import"), body, CaseImportResult)

    async def remove_import(
        self, *, case_uuid: str, package_uid: str, packaged_product_uuid: str | None = None
    ) -> None:
        """Undo an import (caseids_import_remove); ``packaged_product_uuid`` for one batch."""
        body = CaseImportRemoval(
            case_uuid=validate_lucid_id(case_uuid),
            package_uid=package_uid,
            packaged_product_uuid=None
            if packaged_product_uuid is None
            else validate_lucid_id(packaged_product_uuid),
        )
        await self._post(self._api.path("caseids", "import", "remove"), body)
