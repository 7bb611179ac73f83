"""Attack: a business-rule error (a typed 400, or a local refusal) loses a field, or crashes,
when a public helper rebuilds it: ``retyped`` into its own class, ``scrubbed`` of a secret it
echoes, ``pickle`` across processes. Each is built the way the SDK builds it."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from lucidgreen import errors

_ANSWER: dict[str, Any] = {
    "status": 400,
    "body": '{"detail": "refused, token tok-secret-123"}',
    "data": {"detail": "refused"},
    "headers": {"X-Request-ID": "rid-1"},
    "request_id": "rid-1",
    "method": "POST",
    "url": "https://api.example/api/v1.2/transactions/complete/",
    "detail": "refused",
}

BUSINESS_ERRORS: list[tuple[type[errors.APIError], dict[str, Any]]] = [
    (errors.TransactionAlreadyProcessed, {"order_id": "order-7"}),
    (errors.CaseAlreadyImported, {"case_uuid": "case-1", "package_uid": "PKG-9"}),
    (errors.LucidIDsRefused, {"lucid_ids": ["A", "B"]}),
    (errors.UnknownLucidIDs, {"unknown": ["A"], "invalid": ["B"]}),
    (errors.NonImportedLucidIDs, {"lucid_ids": ["C"]}),
]


def _fields(error: BaseException) -> dict[str, str]:
    return {name: repr(value) for name, value in vars(error).items()}


@pytest.mark.parametrize(("cls", "own"), BUSINESS_ERRORS, ids=lambda v: getattr(v, "__name__", ""))
def test_retyped_into_its_own_class_keeps_every_field(
    cls: type[errors.APIError], own: dict[str, Any]
) -> None:
    error = cls("refused", **_ANSWER, **own)
    again = errors.retyped(error, cls)
    assert type(again) is cls
    assert _fields(again) == _fields(error)


@pytest.mark.parametrize(("cls", "own"), BUSINESS_ERRORS, ids=lambda v: getattr(v, "__name__", ""))
def test_scrubbed_hides_the_secret_and_keeps_the_business_fields(
    cls: type[errors.APIError], own: dict[str, Any]
) -> None:
    error = cls("refused", **_ANSWER, **own)
    clean = errors.scrubbed(error, ["tok-secret-123"])
    assert "tok-secret-123" not in clean.body
    assert type(clean) is cls
    for name in own:
        assert getattr(clean, name) == getattr(error, name), name


def test_transaction_already_processed_keeps_its_order_id_through_retyped() -> None:
    """The answer decoded as a plain BadRequest, then retyped with the order id the call
    sent: the order id arrives, and a second retyping keeps it."""
    plain = errors.BadRequest("already processed", **_ANSWER)
    typed = errors.retyped(plain, errors.TransactionAlreadyProcessed, order_id="order-7")
    assert errors.retyped(typed, errors.TransactionAlreadyProcessed).order_id == "order-7"


@pytest.mark.parametrize(("cls", "own"), BUSINESS_ERRORS, ids=lambda v: getattr(v, "__name__", ""))
def test_pickle_keeps_every_field(cls: type[errors.APIError], own: dict[str, Any]) -> None:
    error = cls("refused", **_ANSWER, **own)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert _fields(again) == _fields(error)
    assert str(again) == str(error)


def test_a_naive_datetime_refusal_survives_pickle_with_its_field() -> None:
    error = errors.NaiveDatetimeError("naive", field="created_at")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is errors.NaiveDatetimeError
    assert again.field == "created_at"
    assert isinstance(again, ValueError)
