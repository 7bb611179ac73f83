"""LucidRetail retail transactions: ``/api/v1.2/transactions/``.

Exactly-once rule: LucidRetail deduplicates sales and voids by ``order_id`` — a second
``complete`` or ``void`` of the same order is refused with "This transaction has already been
processed." So both are resent after a 5xx or a lost answer, like a read. When that refusal
follows an attempt whose outcome was unknown, it proves the first attempt applied, and the
call reports success with ``replayed=True``; otherwise it raises
:class:`~lucidgreen.TransactionAlreadyProcessed`. A ``void`` without ``order_id`` cannot be
recognised, so it is resent only when the server certainly did not act (429, or a connection
that never opened); a lost answer raises :class:`~lucidgreen.WriteOutcomeUnknown`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from .. import _envelopes
from .._api import surface_warning
from .._instrument import sdk_call
from .._resource import Resource, write_decoding
from .._transport import Response
from ..errors import NaiveDatetimeError, TransactionAlreadyProcessed
from ..ids import validate_lucid_id
from ..retry import Replay
from ._rules import proves_own_transaction, typed_refusals
from .models import CompletedTransaction, VoidedTransaction

__all__ = ["TransactionResult", "Transactions"]


@attrs.frozen
class TransactionResult:
    """The outcome of a transaction call.

    ``replayed`` is True when the SDK resent the call after losing the first answer and the
    server confirmed the first one had been applied. ``data`` is the server's JSON answer
    (its shape is not documented), empty when there was none. ``warning`` is the answer's
    ``warning`` when it is a ``returnCode`` envelope (also logged on ``lucidgreen``).
    """

    order_id: str | None
    replayed: bool = False
    data: dict[str, Any] = attrs.field(factory=dict)
    warning: str | None = None


def _result(response: Response, order_id: str | None) -> TransactionResult:
    # A 2xx whose body cannot be read may have applied, resendable or not: the caller's own
    # resend would be a new call, refused as a duplicate, never replayed.
    with write_decoding(Replay.UNSAFE):
        value = _envelopes.decode_json(response.status, response.headers, response.body)
        warning = None
        if isinstance(value, dict) and "returnCode" in value:
            envelope = _envelopes.decode_return_code(
                response.status, response.headers, response.body
            )
            warning = envelope.warning
            surface_warning(warning, where=response.url or "LucidRetail")
    data = value if isinstance(value, dict) else {}
    return TransactionResult(order_id=order_id, data=data, warning=warning)


def _require_aware(performed_at: datetime) -> datetime:
    """An aware datetime; a naive one is refused: the server would guess its timezone."""
    if not isinstance(performed_at, datetime):
        raise TypeError(f"performed_at must be a datetime, not {type(performed_at).__name__}")
    if performed_at.utcoffset() is None:
        raise NaiveDatetimeError(
            f"performed_at has no UTC offset ({performed_at.isoformat()}): LucidRetail would "
            "read it in a timezone nobody chose. Pass an aware datetime, e.g. "
            "datetime.now(timezone.utc), or naive.replace(tzinfo=ZoneInfo(...)) for local time",
            field="performed_at",
        )
    return performed_at


class Transactions(Resource):
    """``retail.transactions``: report sales and voids of LucidID-tagged items."""

    @sdk_call
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

        Refused before sending: a malformed item (:class:`~lucidgreen.InvalidLucidID`) and a
        ``performed_at`` without UTC offset (:class:`~lucidgreen.NaiveDatetimeError`). The
        documented refusals raise typed :class:`~lucidgreen.BadRequest` subclasses:
        :class:`~lucidgreen.UnknownLucidIDs`, :class:`~lucidgreen.NonImportedLucidIDs`
        (``lucid_ids`` names them) and :class:`~lucidgreen.TransactionAlreadyProcessed`
        (an ``order_id`` the caller sent before).
        """
        body = CompletedTransaction(
            performed_at=_require_aware(performed_at),
            items=[validate_lucid_id(item) for item in items],
            order_id=order_id,
            customer_id=customer_id,
            budtender_id=budtender_id,
        )
        if not order_id:
            raise ValueError("order_id must be a non-empty POS order id")
        return await self._send("complete", body, order_id)

    @sdk_call
    async def void(
        self,
        *,
        performed_at: datetime,
        order_id: str | None = None,
        customer_id: str | None = None,
        budtender_id: str | None = None,
    ) -> TransactionResult:
        """Record a void against an earlier order.

        A ``performed_at`` without UTC offset is refused before sending
        (:class:`~lucidgreen.NaiveDatetimeError`); voiding an order twice raises
        :class:`~lucidgreen.TransactionAlreadyProcessed`. With an ``order_id`` it is resent
        after a 5xx or a lost answer, and a resend met by "already processed" returns
        ``replayed=True`` (see the module's rule); without one it is never resent, and an
        unreadable 2xx answer raises :class:`~lucidgreen.DecodeError` with
        ``outcome_unknown`` True.
        """
        body = VoidedTransaction(
            performed_at=_require_aware(performed_at),
            order_id=order_id,
            customer_id=customer_id,
            budtender_id=budtender_id,
        )
        return await self._send("void", body, order_id)

    async def _send(
        self, verb: str, body: CompletedTransaction | VoidedTransaction, order_id: str | None
    ) -> TransactionResult:
        """POST a sale or void: resent after an unclear outcome when ``order_id`` lets the
        server recognise the resend, and the duplicate answer to our own resend reported
        as the success it is (``replayed=True``)."""
        replay = Replay.SAFE if order_id else Replay.UNSAFE
        try:
            with typed_refusals(order_id=order_id):
                response = await self._post(
                    self._api.path("transactions", verb), body, replay=replay
                )
        except TransactionAlreadyProcessed as exc:
            if proves_own_transaction(exc):
                return TransactionResult(order_id=order_id, replayed=True)
            raise
        return _result(response, order_id)
