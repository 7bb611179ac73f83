"""An unclear write's error is its own type and a ``WriteOutcomeUnknown``: the pure rules of
``lucidgreen._unclear``, without a server, a loop or a clock."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

import lucidgreen
from lucidgreen import errors
from lucidgreen._unclear import as_unclear, plain_type, unclear_type

API_CLASSES = [
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type)
    and issubclass(cls, errors.APIError)
    and cls is not errors.APIError
    and not issubclass(cls, errors.WriteOutcomeUnknown)
]


def _answer(cls: type[errors.APIError]) -> errors.APIError:
    fields: dict[str, Any] = {
        name: [] if name in {"lucid_ids", "unknown", "invalid"} else "x"
        for klass in cls.__mro__
        for name in vars(klass).get("_fields", ())
    }
    return cls(
        "refused",
        status=400,
        body='{"detail": "refused"}',
        data={"detail": "refused"},
        headers={"X-Thing": "1"},
        request_id="req-1",
        method="POST",
        url="https://api.example/api/v1.2/things/?secret=no",
        prior_outcome_unknown=True,
        **fields,
    )


@pytest.mark.parametrize("cls", API_CLASSES, ids=lambda c: c.__name__)
def test_every_api_error_ending_a_write_in_doubt_is_both_types(cls: type[errors.APIError]) -> None:
    """Each answer class keeps its type, its fields and its text, and is catchable as the
    one question the README teaches."""
    plain = _answer(cls)
    unclear = as_unclear(plain)
    assert isinstance(unclear, cls)
    assert isinstance(unclear, lucidgreen.WriteOutcomeUnknown)
    assert type(unclear).__name__ == f"{cls.__name__}OutcomeUnknown"
    assert plain_type(type(unclear)) is cls
    assert str(unclear) == str(plain)
    assert vars(unclear) == {**vars(plain), "request_sent": True}
    assert unclear.outcome_unknown
    assert unclear.request_sent


@pytest.mark.parametrize("cls", API_CLASSES, ids=lambda c: c.__name__)
def test_an_unclear_error_survives_pickle_and_deepcopy(cls: type[errors.APIError]) -> None:
    unclear = as_unclear(_answer(cls))
    for twin in (pickle.loads(pickle.dumps(unclear)), copy.deepcopy(unclear)):
        assert type(twin) is type(unclear)
        assert vars(twin) == vars(unclear)
        assert str(twin) == str(unclear)


def test_one_type_is_made_per_class_and_the_5xx_one_keeps_its_public_name() -> None:
    assert unclear_type(errors.BadRequest) is unclear_type(errors.BadRequest)
    assert unclear_type(errors.ServerError) is errors.ServerErrorOutcomeUnknown
    assert unclear_type(errors.TransportError) is errors.WriteOutcomeUnknown
    assert unclear_type(errors.WriteOutcomeUnknown) is errors.WriteOutcomeUnknown
    assert plain_type(errors.ServerErrorOutcomeUnknown) is errors.ServerError
    assert plain_type(errors.BadRequest) is errors.BadRequest


def test_an_error_whose_outcome_is_known_is_left_as_it_is() -> None:
    known = errors.BadRequest("refused", status=400)
    assert as_unclear(known) is known
    already = errors.WriteOutcomeUnknown("lost")
    assert as_unclear(already) is already


def test_a_timeout_or_deadline_in_doubt_is_still_a_timeout_error() -> None:
    """``except TimeoutError`` and ``except DeadlineExceeded`` keep working on a write."""
    deadline = errors.DeadlineExceeded("ran out", retry_after=3.0, outcome_unknown=True)
    unclear = as_unclear(deadline)
    assert isinstance(unclear, TimeoutError)
    assert isinstance(unclear, errors.DeadlineExceeded)
    assert isinstance(unclear, errors.WriteOutcomeUnknown)
    assert unclear.retry_after == 3.0
    decode = as_unclear(errors.DecodeError("bad", text="{", status=201, outcome_unknown=True))
    assert isinstance(decode, errors.DecodeError)
    assert isinstance(decode, errors.WriteOutcomeUnknown)
    assert (decode.text, decode.status) == ("{", 201)


def test_a_typed_business_rule_in_doubt_is_typed_once_more() -> None:
    """The retail rules read an unclear 400 as the plain 400 it is, and type it in doubt."""
    from lucidgreen.retail._rules import ALREADY_PROCESSED, business_rule

    unclear = as_unclear(
        errors.BadRequest(
            "x", status=400, data={"message": ALREADY_PROCESSED}, prior_outcome_unknown=True
        )
    )
    typed = business_rule(unclear, order_id="O-1")
    assert isinstance(typed, errors.TransactionAlreadyProcessed)
    assert isinstance(typed, errors.WriteOutcomeUnknown)
    assert typed.order_id == "O-1"
    assert business_rule(errors.BadRequest("x", status=400, data={"message": ALREADY_PROCESSED}))
    assert not isinstance(
        business_rule(errors.BadRequest("x", status=400, data={"message": ALREADY_PROCESSED})),
        errors.WriteOutcomeUnknown,
    )
