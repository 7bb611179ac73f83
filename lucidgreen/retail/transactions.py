"""LucidRetail retail transactions: ``/api/v1.2/transactions/``.

Replay rule: ``complete`` is retried after a 5xx or a lost answer because LucidRetail
deduplicates sales by ``order_id`` — a replay of an applied sale is refused with "This
transaction has already been processed." When that refusal follows an attempt whose outcome
was unknown, it proves the first attempt applied, and ``complete`` reports success with
``replayed=True``. ``void`` is not deduplicated by any documented rule, so it is resent only
when the server certainly did not act (429, or a connection that never opened); a lost answer
raises :class:`~lucidgreen.WriteOutcomeUnknown`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from .. import _envelopes
from .._http import Response
from .._resource import Resource
from ..errors import BadRequest
from ..ids import validate_lucid_id
from ..retry import Replay
from .models import CompletedTransaction, VoidedTransaction

__all__ = ["TransactionResult", "Transactions"]

_ALREADY_PROCESSED = "This transaction has already been processed."


@attrs.frozen
class TransactionResult:
    """The outcome of a transaction call.

    ``replayed`` is True when the SDK resent the call after losing the first answer and the
    server confirmed the first one had been applied. ``data`` is the server's JSON answer
    (its shape is not documented), empty when there was none.
    """

    order_id: str | None
    replayed: bool = False
    data: dict[str, Any] = attrs.field(factory=dict)


def _data(response: Response) -> dict[str, Any]:
    value = _envelopes.decode_json(response.status, response.headers, response.body)
    return value if isinstance(value, dict) else {}


def _require_datetime(performed_at: datetime) -> datetime:
    if not isinstance(performed_at, datetime):
        raise TypeError("performed_at must be a datetime")
    return performed_at


class Transactions(Resource):
    """``retail.transactions``: report sales and voids of LucidID-tagged items."""

    async def complete(
        self,
        *,
        order_id: str,
        items: Iterable[str],
        performed_at: datetime,
        customer_id: str | None = None,
        budtender_id: str | None = None,
    ) -> TransactionResult:
        """Report a completed sale. Every LucidID must already be imported.

        Raises :class:`~lucidgreen.InvalidLucidID` before sending if an item is malformed,
        and :class:`~lucidgreen.BadRequest` for the documented refusals (unknown or
        non-imported LucidIDs, a duplicate ``order_id`` sent earlier by the caller).
        """
        if not order_id:
            raise ValueError("order_id must be a non-empty POS order id")
        body = CompletedTransaction(
            performed_at=_require_datetime(performed_at),
            items=[validate_lucid_id(item) for item in items],
            order_id=order_id,
            customer_id=customer_id,
            budtender_id=budtender_id,
        )
        try:
            response = await self._post(
                self._api.path("transactions", "complete"), body, replay=Replay.SAFE
            )
        except BadRequest as exc:
            if exc.prior_outcome_unknown and exc.message == _ALREADY_PROCESSED:
                return TransactionResult(order_id=order_id, replayed=True)
            raise
        return TransactionResult(order_id=order_id, data=_data(response))

    async def void(
        self,
        *,
        performed_at: datetime,
        order_id: str | None = None,
        customer_id: str | None = None,
        budtender_id: str | None = None,
    ) -> TransactionResult:
        """Record a void against an earlier order."""
        body = VoidedTransaction(
            performed_at=_require_datetime(performed_at),
            order_id=order_id,
            customer_id=customer_id,
            budtender_id=budtender_id,
        )
        response = await self._post(self._api.path("transactions", "void"), body)
        return TransactionResult(order_id=order_id, data=_data(response))
