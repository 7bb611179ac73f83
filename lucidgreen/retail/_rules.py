"""LucidRetail's documented business-rule refusals, read from a 400's body.

Pure: :func:`business_rule` takes the :class:`~lucidgreen.BadRequest` the pipeline raised
and returns the typed subclass its body documents, or ``None`` when the body has no
documented shape (then the plain ``BadRequest`` stands, body on ``data``). A body that
names a rule but carries malformed data (``non_imported_lucidids`` a string, ids that are
not strings) is not typed: a typed error promises typed data.

>>> from lucidgreen.errors import BadRequest
>>> body = {"message": "This transaction contains non-imported lucid ids.",
...         "non_imported_lucidids": ["X"], "valid_transaction": False}
>>> business_rule(BadRequest("m", status=400, data=body)).lucid_ids
['X']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._unclear import as_unclear, plain_type
from ..errors import (
    BadRequest,
    CaseAlreadyImported,
    NonImportedLucidIDs,
    TransactionAlreadyProcessed,
    UnknownLucidIDs,
)

__all__ = [
    "ALREADY_PROCESSED",
    "business_rule",
    "proves_own_import",
    "proves_own_transaction",
    "typed_refusals",
]

ALREADY_PROCESSED = "This transaction has already been processed."
_NON_IMPORTED = "non_imported_lucidids"
_ALREADY_IMPORTED = re.compile(
    r"Items in CaseID (?P<case>\S+) are already imported into inventory (?P<package>.+?)\.?"
)


def _strings(value: Any) -> list[str] | None:
    """A JSON array of strings as a list; ``None`` for any other shape."""
    if isinstance(value, list) and all(type(item) is str for item in value):
        return list(value)
    return None


def _common(exc: BadRequest) -> dict[str, Any]:
    """Every field of the pipeline's error, so the typed one loses nothing."""
    return {
        "detail": exc.detail,
        "status": exc.status,
        "body": exc.body,
        "data": exc.data,
        "headers": exc.headers,
        "request_id": exc.request_id,
        "method": exc.method,
        "url": exc.url,
        "prior_outcome_unknown": exc.prior_outcome_unknown,
        "outcome_unknown": exc.outcome_unknown,
    }


def _lucid_id_refusal(exc: BadRequest, data: dict[str, Any]) -> BadRequest | None:
    items = data.get("items")
    if isinstance(items, dict):
        if "Invalid LucidIDs" in items:
            malformed = _strings(items["Invalid LucidIDs"])
            if malformed is None:
                return None
            return UnknownLucidIDs(exc.message, unknown=[], invalid=malformed, **_common(exc))
        if "unknown" in items or "invalid" in items:
            unknown, invalid = (
                _strings(items.get("unknown", [])),
                _strings(items.get("invalid", [])),
            )
            if unknown is None or invalid is None or not (unknown or invalid):
                return None
            return UnknownLucidIDs(exc.message, unknown=unknown, invalid=invalid, **_common(exc))
    if _NON_IMPORTED in data:
        missing = _strings(data[_NON_IMPORTED])
        if not missing:
            return None
        return NonImportedLucidIDs(exc.message, lucid_ids=missing, **_common(exc))
    return None


def business_rule(exc: BadRequest, *, order_id: str | None = None) -> BadRequest | None:
    """The typed refusal ``exc``'s body documents, or ``None``.

    ``order_id`` is the one the refused call sent (the duplicate-sale body does not repeat
    it). An :class:`~lucidgreen.InvalidPayload` (whose LucidID refusal, "Unknown
    LucidID(s).", names no ids) or an already typed error is left as it is.
    """
    data = exc.data
    if plain_type(type(exc)) is not BadRequest or exc.status != 400 or not isinstance(data, dict):
        return None
    typed = _documented(exc, data, order_id)
    # A refusal of a resend after an attempt that may have applied stays catchable as
    # WriteOutcomeUnknown once typed.
    return None if typed is None else as_unclear(typed)


def _documented(exc: BadRequest, data: dict[str, Any], order_id: str | None) -> BadRequest | None:
    message = data.get("message")
    if isinstance(message, str) and message.strip() == ALREADY_PROCESSED:
        return TransactionAlreadyProcessed(exc.message, order_id=order_id, **_common(exc))
    detail = data.get("detail")
    if isinstance(detail, str):
        found = _ALREADY_IMPORTED.fullmatch(detail.strip())
        if found is not None:
            return CaseAlreadyImported(
                exc.message,
                case_uuid=found["case"],
                package_uid=found["package"],
                **_common(exc),
            )
    return _lucid_id_refusal(exc, data)


@contextmanager
def typed_refusals(*, order_id: str | None = None) -> Iterator[None]:
    """Around a call: a 400 whose body documents a business rule leaves as its typed
    subclass (see :func:`business_rule`), chained to the plain one."""
    try:
        yield
    except BadRequest as exc:
        typed = business_rule(exc, order_id=order_id)
        if typed is None:
            raise
        raise typed from exc


# Exactly-once where the API can tell. A duplicate refusal that follows an attempt of the
# same call whose outcome was unknown (a lost answer, a 5xx) is that attempt's answer: the
# server applied it. The same refusal on a first attempt is the caller's own earlier write.


def proves_own_transaction(exc: TransactionAlreadyProcessed) -> bool:
    """Whether "already processed" answers our own resend of a sale or void by ``order_id``.

    The documented answer names no order; one that names another order is about that one.
    """
    data = exc.data if isinstance(exc.data, dict) else {}
    named = data.get("order_id", exc.order_id)
    # A server may echo the order id "1001" back as the JSON number 1001 (never a bool).
    if isinstance(named, int) and not isinstance(named, bool):
        named = str(named)
    return exc.prior_outcome_unknown and named == exc.order_id


def proves_own_import(exc: CaseAlreadyImported, *, case_uuid: str, package_uid: str) -> bool:
    """Whether "already imported" answers our own resend: the same case, into the package
    uid we sent. Into another package uid it is a real conflict (ours never applied)."""
    return (
        exc.prior_outcome_unknown and exc.case_uuid == case_uuid and exc.package_uid == package_uid
    )
