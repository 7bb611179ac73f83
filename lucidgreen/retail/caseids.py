"""LucidRetail CaseID imports: ``/api/v1.2/caseids/import/``.

Exactly-once rule: LucidRetail refuses a CaseID imported again with "Items in CaseID <case>
are already imported into inventory <package_uid>.", so ``import_case`` is resent after a 5xx
or a lost answer, like a read. When that refusal follows an attempt whose outcome was
unknown and names the package uid the call sent, it proves the first attempt applied:
success, ``replayed=True``. Naming another package uid, it is a real conflict and raises
:class:`~lucidgreen.CaseAlreadyImported`. ``remove_import`` is never resent after an unclear
outcome (a second removal cannot be told from a failed one).
"""

from __future__ import annotations

from .. import _envelopes
from .._converter import structure
from .._instrument import sdk_call
from .._resource import Resource, write_decoding
from ..errors import CaseAlreadyImported
from ..ids import validate_lucid_id
from ..retry import Replay
from ._rules import proves_own_import, typed_refusals
from .models import CaseImport, CaseImportRemoval, CaseImportResult

__all__ = ["CaseIDs"]


class CaseIDs(Resource):
    """``retail.caseids``: import a received case into the dispensary's inventory."""

    @sdk_call
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
        missing fields raise it with the field errors in ``data``. Resent after a 5xx or a
        lost answer; a resend met by "already imported" into this ``package_uid`` returns
        ``replayed=True`` (see the module's rule).
        """
        body = CaseImport(
            case_uuid=validate_lucid_id(case_uuid),
            packaged_product_uuid=validate_lucid_id(packaged_product_uuid),
            pos_product_id=pos_product_id,
            pos_inventory_id=pos_inventory_id,
            package_uid=package_uid,
            sku=sku,
        )
        path = self._api.path("caseids", "import")
        try:
            with typed_refusals():
                response = await self._post(path, body, replay=Replay.SAFE)
        except CaseAlreadyImported as exc:
            if not proves_own_import(exc, case_uuid=body.case_uuid, package_uid=package_uid):
                raise
            return _replayed(body)
        # A 2xx whose body cannot be read may have applied (Replay.UNSAFE marks it so).
        with write_decoding(Replay.UNSAFE):
            data = _envelopes.decode_object(response.status, response.headers, response.body)
            return structure(data, CaseImportResult, status=response.status)

    @sdk_call
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


def _replayed(sent: CaseImport) -> CaseImportResult:
    """The success our first attempt had: the server's duplicate answer names no more."""
    return CaseImportResult(
        case_uuid=sent.case_uuid,
        packaged_product_uuid=sent.packaged_product_uuid,
        package_uid=sent.package_uid,
        replayed=True,
    )
