"""The public helpers ``retyped`` and ``scrubbed``, pickle and copy keep every field of every
answered error, its ``*OutcomeUnknown`` form included: the type (still a
``WriteOutcomeUnknown``), ``outcome_unknown``, the business fields and the text. And every
other error of the tree survives pickle and copy the same way.

``scrubbed`` must hide the secret wherever the error shows it (message, body, headers,
parsed data) and change nothing else.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import lucidgreen
from lucidgreen import errors
from lucidgreen._retyping import rebuilt
from lucidgreen._unclear import unclear_type

SECRET = "SECRETinsideANSWER42"
ANSWER: dict[str, Any] = {
    "status": 400,
    "body": f'{{"detail": "{SECRET}"}}',
    "data": {"detail": SECRET},
    "headers": {"X-Echo": SECRET, "Retry-After": "3"},
    "request_id": "req-1",
    "method": "POST",
    "url": "https://retail.lucidgreen.io/api/v1.2/transactions/complete/?sig=1",
}
OWN: dict[type[errors.APIError], dict[str, Any]] = {
    errors.BadRequest: {"detail": "d"},
    errors.InvalidPayload: {"reason": "r"},
    errors.TransactionAlreadyProcessed: {"order_id": "order-1"},
    errors.CaseAlreadyImported: {"case_uuid": "case-1", "package_uid": "pkg-1"},
    errors.LucidIDsRefused: {"lucid_ids": ["a"]},
    errors.UnknownLucidIDs: {"unknown": ["u"], "invalid": ["i"]},
    errors.NonImportedLucidIDs: {"lucid_ids": ["n"]},
    errors.RateLimited: {"retry_after": 3.0},
    errors.ReturnCodeError: {"return_code": -2},
}


def _answered_classes() -> Iterator[type[errors.APIError]]:
    for name in errors.__all__:
        cls = getattr(errors, name)
        plain = isinstance(cls, type) and not issubclass(cls, lucidgreen.WriteOutcomeUnknown)
        if plain and issubclass(cls, errors.APIError):
            yield cls


def _answered() -> Iterator[errors.APIError]:
    for cls in _answered_classes():
        fields = {**ANSWER, **OWN.get(cls, {})}
        yield cls(f"refused: {SECRET}", **fields)
        yield unclear_type(cls)(f"in doubt: {SECRET}", **fields, outcome_unknown=True)


ANSWERED = list(_answered())
COPIES: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda e: pickle.loads(pickle.dumps(e)),
    "deepcopy": copy.deepcopy,
    "copy": copy.copy,
    "retyped": lambda e: errors.retyped(e, type(e)),
}


def _fields(error: BaseException) -> dict[str, str]:
    return {name: repr(value) for name, value in vars(error).items()}


def test_every_answered_error_has_an_unclear_form_here() -> None:
    unclear = [e for e in ANSWERED if isinstance(e, lucidgreen.WriteOutcomeUnknown)]
    assert len(unclear) == len(ANSWERED) // 2 >= 20


@pytest.mark.parametrize("how", COPIES.values(), ids=COPIES.keys())
@pytest.mark.parametrize("error", ANSWERED, ids=lambda e: type(e).__name__)
def test_an_answered_error_survives_with_its_type_doubt_and_fields(
    error: errors.APIError, how: Callable[[Any], Any]
) -> None:
    again = how(error)
    assert type(again) is type(error)
    assert isinstance(again, lucidgreen.WriteOutcomeUnknown) == error.outcome_unknown
    assert again.outcome_unknown is error.outcome_unknown
    assert _fields(again) == _fields(error)
    assert (str(again), repr(again)) == (str(error), repr(error))


@pytest.mark.parametrize("error", ANSWERED, ids=lambda e: type(e).__name__)
def test_scrubbed_hides_the_secret_and_keeps_the_rest(error: errors.APIError) -> None:
    clean = errors.scrubbed(error, [SECRET])
    assert type(clean) is type(error)
    assert SECRET not in str(clean) + repr(clean) + repr(vars(clean))
    hidden = {"message", "body", "data", "headers"}
    kept = {k: v for k, v in _fields(error).items() if k not in hidden}
    assert {k: v for k, v in _fields(clean).items() if k not in hidden} == kept
    assert clean.headers.get("retry-after") == "3"
    assert clean.outcome_unknown is error.outcome_unknown


def _unanswered() -> Iterator[lucidgreen.LucidGreenError]:
    plain: list[lucidgreen.LucidGreenError] = [
        errors.TransportError("lost", request_sent=False),
        errors.ConnectError("refused"),
        errors.RequestTimeout("slow", request_sent=False),
        errors.DeadlineExceeded("late", request_sent=False, retry_after=2.0),
        errors.WriteOutcomeUnknown("lost"),
        errors.DecodeError("bad", text="<html>", status=201, outcome_unknown=True),
        errors.RateLimiterUnavailable("redis down"),
        errors.InvalidLucidID("bad id"),
        errors.NaiveDatetimeError("naive", field="performed_at"),
        errors.PageLayoutChanged("moved", text="x", cursor="c"),
    ]
    for error in plain:
        yield error
        cls = unclear_type(type(error))
        if cls is not type(error):
            doubt = {"outcome_unknown": True, "request_sent": True}
            yield rebuilt(cls, error.args, {**vars(error), **doubt})


UNANSWERED = list(_unanswered())


@pytest.mark.parametrize("how", ["pickle", "deepcopy", "copy"])
@pytest.mark.parametrize("error", UNANSWERED, ids=lambda e: type(e).__name__)
def test_an_unanswered_error_survives_with_its_type_doubt_and_fields(
    error: lucidgreen.LucidGreenError, how: str
) -> None:
    again = COPIES[how](error)
    assert type(again) is type(error)
    assert again.outcome_unknown is error.outcome_unknown
    assert _fields(again) == _fields(error)
    assert str(again) == str(error)


def test_a_public_server_error_outcome_unknown_built_by_hand_is_in_doubt() -> None:
    error = lucidgreen.ServerErrorOutcomeUnknown("503 after the write", status=503)
    assert isinstance(error, lucidgreen.WriteOutcomeUnknown)
    assert error.outcome_unknown is True


def test_retyped_into_an_outcome_unknown_type_is_in_doubt() -> None:
    error = errors.retyped(
        lucidgreen.ServerError("503", status=503), lucidgreen.ServerErrorOutcomeUnknown
    )
    assert error.outcome_unknown is True
