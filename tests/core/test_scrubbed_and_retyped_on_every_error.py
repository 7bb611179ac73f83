"""The public helpers ``errors.scrubbed`` and ``errors.retyped`` on every class of the tree.

``scrubbed`` hides a secret in every string an error holds, whatever field it is in: the
message and args, ``request_id``, a subclass's own fields (``detail``, ``reason`` however
nested, ``order_id``, ``case_uuid``, the LucidID lists), a ``DecodeError``'s ``text``, a
skipped record's raw JSON; parsed ``data`` holding one is dropped. ``retyped`` rebuilds
within the error's family and refuses, with a ``TypeError`` naming the rule, to cross it.
"""

from __future__ import annotations

from typing import Any

import pytest

from lucidgreen import errors

SECRET = "SECRETinEVERYfield77"
# A 400 that echoes the secret in its body, parsed data, a header and its request id.
ANSWER: dict[str, Any] = {
    "status": 400,
    "method": "POST",
    "url": "https://api.example/api/v1.2/transactions/complete/",
    "request_id": f"Bearer {SECRET}",
    "headers": {"X-Echo": SECRET, "Retry-After": "3"},
    "body": f"body {SECRET}",
    "data": {"detail": SECRET},
}
OWN: dict[type[errors.APIError], dict[str, Any]] = {
    errors.BadRequest: {"detail": f"detail {SECRET}"},
    errors.InvalidPayload: {"reason": {"auth": [f"bad {SECRET}"], "n": 3}, "detail": SECRET},
    errors.TransactionAlreadyProcessed: {"order_id": f"order-{SECRET}"},
    errors.CaseAlreadyImported: {"case_uuid": f"case-{SECRET}", "package_uid": SECRET},
    errors.LucidIDsRefused: {"lucid_ids": ["a", SECRET]},
    errors.UnknownLucidIDs: {"unknown": [SECRET], "invalid": ["i", f"x{SECRET}"]},
    errors.NonImportedLucidIDs: {"lucid_ids": [SECRET]},
    errors.ReturnCodeError: {"return_code": -2},
}

UNANSWERED: list[errors.LucidGreenError] = [
    errors.TransportError(f"lost {SECRET}", request_sent=False),
    errors.ConnectError(f"refused {SECRET}"),
    errors.RequestTimeout(f"slow {SECRET}", request_sent=False),
    errors.DeadlineExceeded(f"late {SECRET}", retry_after=2.0),
    errors.WriteOutcomeUnknown(f"lost {SECRET}"),
    errors.DecodeError(f"bad {SECRET}", text=f"<html>{SECRET}</html>", status=201),
    errors.BadRecords(
        f"bad {SECRET}",
        skipped=[errors.SkippedRecord(0, f'{{"x": "{SECRET}"}}', "not a string")],
        cursor="c1",
        text=SECRET,
    ),
    errors.PageLayoutChanged(f"moved {SECRET}", cursor=f"c-{SECRET}"),
    errors.RateLimiterUnavailable(f"redis down {SECRET}"),
    errors.InvalidLucidID(f"bad id {SECRET}", value=SECRET),
    errors.NaiveDatetimeError(f"naive {SECRET}", field="performed_at"),
]


def _answered() -> list[errors.APIError]:
    found = []
    for name in errors.__all__:
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, errors.APIError):
            found.append(cls(f"refused {SECRET}", **{**ANSWER, **OWN.get(cls, {})}))
    return found


EVERY = [*_answered(), *UNANSWERED]


def _shown(error: BaseException) -> str:
    return f"{error!s} {error!r} {error.args!r} {vars(error)!r}"


@pytest.mark.parametrize("error", EVERY, ids=lambda e: type(e).__name__)
def test_scrubbed_hides_the_secret_in_every_field_of_every_error(
    error: errors.LucidGreenError,
) -> None:
    assert SECRET in _shown(error)
    clean = errors.scrubbed(error, [SECRET])
    assert type(clean) is type(error)
    assert SECRET not in _shown(clean)
    assert vars(clean).keys() == vars(error).keys()
    assert clean.outcome_unknown is error.outcome_unknown


@pytest.mark.parametrize("error", EVERY, ids=lambda e: type(e).__name__)
def test_scrubbed_without_a_secret_showing_is_the_error_itself(
    error: errors.LucidGreenError,
) -> None:
    assert errors.scrubbed(error, ["not-in-any-field"]) is error


def test_scrubbed_keeps_what_is_not_secret_and_the_kinds_of_values() -> None:
    error = errors.UnknownLucidIDs(
        f"refused {SECRET}", unknown=["U1", SECRET], invalid=["I1"], **ANSWER
    )
    clean = errors.scrubbed(error, [SECRET])
    assert (clean.unknown, clean.invalid, clean.lucid_ids) == (
        ["U1", "<hidden>"],
        ["I1"],
        ["U1", "<hidden>", "I1"],
    )
    assert clean.request_id == "Bearer <hidden>"
    assert clean.data is None  # parsed data holding a secret is dropped, not rewritten
    assert clean.headers.get("x-echo") == "<hidden>"  # still case-insensitive headers
    assert clean.headers.get("retry-after") == "3"
    assert (clean.status, clean.method, clean.url) == (error.status, error.method, error.url)
    assert str(clean) == (
        "HTTP 400 POST /api/v1.2/transactions/complete/: refused <hidden> "
        "(request id Bearer <hidden>)"
    )


def test_scrubbed_hides_inside_a_nested_reason_and_keeps_its_shape() -> None:
    error = errors.InvalidPayload(
        "invalid payload", status=403, reason={"auth": [f"bad {SECRET}"], "n": 3}
    )
    clean = errors.scrubbed(error, [SECRET])
    assert clean.reason == {"auth": ["bad <hidden>"], "n": 3}
    assert error.reason == {"auth": [f"bad {SECRET}"], "n": 3}  # the original is untouched


def test_scrubbed_drops_a_reason_nested_too_deep_to_walk() -> None:
    """A hostile body nested past any real one: dropped rather than walked to the stack's end."""
    deep: Any = SECRET
    for _ in range(5000):
        deep = [deep]
    clean = errors.scrubbed(errors.InvalidPayload("x", status=400, reason=deep), [SECRET])
    kept, depth = clean.reason, 0
    while isinstance(kept, list):
        kept, depth = kept[0], depth + 1
    assert kept is None
    assert depth < 100


def test_scrubbed_hides_a_decode_errors_text_and_a_skipped_records_raw_json() -> None:
    error = UNANSWERED[6]
    assert isinstance(error, errors.BadRecords)
    clean = errors.scrubbed(error, [SECRET])
    assert clean.text == "<hidden>"
    assert clean.skipped == (errors.SkippedRecord(0, '{"x": "<hidden>"}', "not a string"),)
    assert clean.cursor == "c1"


def test_scrubbed_cuts_a_chain_that_holds_the_secret() -> None:
    error = errors.TransportError("connection reset")
    error.__cause__ = ConnectionResetError(f"headers: Authorization: Bearer {SECRET}")
    clean = errors.scrubbed(error, [SECRET])
    assert clean is not error
    assert clean.__cause__ is None
    assert clean.__context__ is None
    assert str(clean) == "connection reset"


# --- retyped -------------------------------------------------------------------------------


@pytest.mark.parametrize("error", EVERY, ids=lambda e: type(e).__name__)
def test_retyped_into_its_own_class_keeps_every_field(error: errors.LucidGreenError) -> None:
    again = errors.retyped(error, type(error))
    assert type(again) is type(error)
    assert repr(vars(again)) == repr(vars(error))
    assert (str(again), again.outcome_unknown) == (str(error), error.outcome_unknown)


def test_retyped_within_the_transport_family_keeps_the_fields_and_takes_overrides() -> None:
    lost = errors.TransportError("lost", request_sent=False)
    unclear = errors.retyped(lost, errors.WriteOutcomeUnknown, message="may have applied")
    assert type(unclear) is errors.WriteOutcomeUnknown
    assert (str(unclear), unclear.request_sent, unclear.outcome_unknown) == (
        "may have applied",
        False,
        True,
    )
    late = errors.retyped(lost, errors.DeadlineExceeded, retry_after=4.0)
    assert (late.retry_after, late.request_sent, str(late)) == (4.0, False, "lost")
    assert isinstance(late, TimeoutError)


def test_retyped_within_the_decode_family_gives_the_new_class_its_own_defaults() -> None:
    bad = errors.DecodeError("bad", text="<html>", status=200)
    records = errors.retyped(bad, errors.BadRecords)
    assert (records.text, records.status, records.skipped, records.cursor) == (
        "<html>",
        200,
        (),
        None,
    )


CROSSINGS = [
    (errors.TransportError("lost"), errors.NotFound),
    (errors.NotFound("gone", status=404), errors.TransportError),
    (errors.DecodeError("bad"), errors.RequestTimeout),
    (errors.InvalidLucidID("x"), errors.NaiveDatetimeError),
    (errors.RateLimiterUnavailable("down"), errors.ServerError),
]


@pytest.mark.parametrize(("error", "cls"), CROSSINGS, ids=lambda v: getattr(v, "__name__", ""))
def test_retyped_across_families_is_a_type_error_naming_the_rule(
    error: errors.LucidGreenError, cls: type[errors.LucidGreenError]
) -> None:
    with pytest.raises(TypeError, match="same family") as caught:
        errors.retyped(error, cls)
    assert cls.__name__ in str(caught.value)
    assert type(error).__name__ in str(caught.value)


def test_retyped_refuses_what_is_not_an_sdk_error() -> None:
    with pytest.raises(TypeError, match="LucidGreenError"):
        errors.retyped(ValueError("x"), errors.DecodeError)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="LucidGreenError"):
        errors.retyped(errors.DecodeError("x"), ValueError)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("cls", "own"),
    [(c, o) for c, o in OWN.items() if issubclass(c, errors.BadRequest)],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_business_rule_errors_round_trip_through_scrubbed_then_retyped(
    cls: type[errors.APIError], own: dict[str, Any]
) -> None:
    error = cls("refused", **{**ANSWER, **own})
    clean = errors.retyped(errors.scrubbed(error, [SECRET]), cls)
    assert type(clean) is cls
    assert SECRET not in _shown(clean)
    for name in own:
        assert getattr(clean, name) is not None, name
