"""Typed documents of the push APIs, which LucidRetail calls on the POS (the "3PP").

Layer 1: attrs only. The Receive Case document is known only in fragments (the documented
example was cut off), so only what the docs show is typed and everything else stays
reachable through :attr:`CaseDocument.raw`. The wire rules (both item shapes, singular or
plural brand/product/batch sections, lenient datetimes) live in :mod:`lucidgreen.push._case`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from lucidgreen._common_models import Model

__all__ = ["CaseDocument", "CaseDocumentItem", "CaseRegulatorID", "PosTransaction"]


@attrs.frozen(kw_only=True)
class CaseRegulatorID(Model):
    """One entry of ``regulator_ids``: a Metrc (or other regulator) tag the case carried.

    ``uuid`` is what items point at through ``regulator_id_uuids`` (inferred: the docs show
    only ``identifier`` and ``added_on``). ``added_on`` is ``None`` when the document has
    none or sends ``""``; such an entry counts as the oldest.
    """

    identifier: str
    uuid: str | None = None
    added_on: datetime | None = None


@attrs.frozen(kw_only=True)
class CaseDocumentItem(Model):
    """One item (LucidID) of the case and the regulator IDs it was ever tagged with.

    The docs show items both as bare LucidID strings and as objects with
    ``regulator_id_uuids``; a bare string becomes an item with no regulator IDs.
    """

    lucid_id: str
    regulator_id_uuids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CaseDocument(Model):
    """The "Case JSON Document" that LucidRetail POSTs to the Receive Case webhook.

    ``brands``, ``products`` and ``batches`` are raw JSON objects because their key names
    are not documented: each gathers the plural key (a list, or one object) and the
    singular one (``brand``, ``product``, ``batch``); a bare string entry is read as a
    ``{"uuid": ...}`` reference. ``cases`` are the contained sub-cases, parsed the same way
    (a bare string becomes a sub-case with only ``uuid``). ``raw`` is the whole document as
    received, for any key this model does not name.
    """

    uuid: str | None = None
    identifier: str | None = None
    name: str | None = None
    collection_type: str | None = None
    regulator_ids: tuple[CaseRegulatorID, ...] = ()
    items: tuple[CaseDocumentItem, ...] = ()
    cases: tuple[CaseDocument, ...] = ()
    brands: tuple[Mapping[str, Any], ...] = ()
    products: tuple[Mapping[str, Any], ...] = ()
    batches: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def lucid_ids(self) -> tuple[str, ...]:
        """The LucidIDs of the case's own items, in document order."""
        return tuple(item.lucid_id for item in self.items)


_TRANSACTION_FIELDS = frozenset(
    {"transaction_id", "transaction_date", "items", "total_items_count"}
)


def _lucid_id_tuple(lucid_ids: Iterable[str]) -> tuple[str, ...]:
    # A lone string is iterable too; without this check it would become one ID per character.
    if isinstance(lucid_ids, str):
        raise TypeError("items must be a sequence of LucidIDs, not one string")
    return tuple(lucid_ids)


def _check_transaction_fields(instance: PosTransaction, _: Any, extra: Mapping[str, Any]) -> None:
    clashes = sorted(set(extra) & _TRANSACTION_FIELDS)
    if clashes:
        raise ValueError(f"extra_fields may not redefine {', '.join(clashes)}")


def _check_total(instance: PosTransaction, _: Any, total: int) -> None:
    if total < len(instance.items):
        raise ValueError(
            f"total_items_count ({total}) is smaller than the {len(instance.items)} "
            "LucidID-tagged items; it must count every item, tagged or not"
        )


@attrs.frozen(kw_only=True)
class PosTransaction:
    """One sale the POS reports to LucidRetail's Retail Transactions query.

    ``items`` lists only the LucidIDs sold; ``total_items_count`` counts every item of the
    sale, with or without a LucidID (3 tagged plus 2 untagged: ``items`` of 3, count 5).
    ``transaction_date`` without a timezone is read as UTC. The docs name only
    ``transaction_date``, ``items`` and ``total_items_count``; ``transaction_id`` is inferred,
    and ``extra_fields`` carries any further key your integration agreement asks for
    (JSON-ready values; datetimes, dates and decimals are converted).
    """

    transaction_id: str
    transaction_date: datetime
    items: tuple[str, ...] = attrs.field(converter=_lucid_id_tuple)
    total_items_count: int = attrs.field(validator=_check_total)
    extra_fields: Mapping[str, Any] = attrs.field(factory=dict, validator=_check_transaction_fields)
