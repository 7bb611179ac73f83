"""Results are typed and say what happened: warnings, refused naive datetimes, typed
brand and operation answers, verbs sent as asked, and unreadable 2xx answers to writes
flagged as possibly applied.

Each value a server sends is also tried from a loopback server written for the attack.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import pytest

from lucidgreen import (
    DecodeError,
    LucidGreenError,
    NaiveDatetimeError,
    RetailClient,
    SourceClient,
)
from lucidgreen._common_models import MediaFile
from lucidgreen.ids import from_uuid
from lucidgreen.retail.models import Brand, OperationResult
from lucidgreen.source.models import Case
from lucidgreen.testing import FakeLucidGreen
from tests.endpoints.helpers import Scripted

R = "/api/v1.2"
S = "/api/v1.5"
WHEN = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)
A = from_uuid("12345678-1234-5678-1234-567812345678")
B = from_uuid("87654321-4321-8765-4321-876543218765")
WARNING = "Number of cakes may dwindle."


# --- naive datetimes ----------------------------------------------------------------------

NaiveCall = Callable[[RetailClient, datetime], Awaitable[Any]]
NAIVE_CALLS: dict[str, NaiveCall] = {
    "complete": lambda r, at: r.transactions.complete(order_id="O", items=[A], performed_at=at),
    "void": lambda r, at: r.transactions.void(order_id="O", performed_at=at),
}


@pytest.mark.parametrize("call", NAIVE_CALLS.values(), ids=NAIVE_CALLS.keys())
async def test_a_naive_performed_at_is_refused_before_any_request(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen, limiter: Any, call: NaiveCall
) -> None:
    """``datetime.now()`` (no offset) raises NaiveDatetimeError, a ValueError saying why:
    no request reaches the fake and no budget is spent."""
    before = (len(lucidgreen_fake.requests), limiter.acquired)
    with pytest.raises(NaiveDatetimeError) as caught:
        await call(retail, datetime.now())
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, LucidGreenError)
    assert "no UTC offset" in str(caught.value)
    assert "timezone" in str(caught.value)
    assert caught.value.field == "performed_at"
    assert (len(lucidgreen_fake.requests), limiter.acquired) == before


async def test_a_naive_datetime_never_reaches_a_loopback_server(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """The same refusal against a plain server: it sees zero requests, even for a tzinfo
    whose utcoffset() is None."""

    class NoOffset(tzinfo):
        def utcoffset(self, _: datetime | None) -> None:
            return None

        def dst(self, _: datetime | None) -> None:
            return None

        def tzname(self, _: datetime | None) -> None:
            return None

    for naive in (datetime(2025, 1, 1, 12), datetime(2025, 1, 1, tzinfo=NoOffset())):
        with pytest.raises(NaiveDatetimeError):
            await scripted_retail.transactions.void(order_id="O", performed_at=naive)
    assert scripted.requests == []


async def test_an_aware_performed_at_is_sent_with_its_offset(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """An aware datetime goes out as ISO-8601 with its own offset."""
    scripted.answer("POST", f"{R}/transactions/void/", 200, {})
    local = datetime(2025, 3, 4, 7, 30, tzinfo=timezone(timedelta(hours=-8)))
    await scripted_retail.transactions.void(order_id="O", performed_at=local)
    ((_, _, body),) = scripted.requests
    assert json.loads(body)["performed_at"] == "2025-03-04T07:30:00-08:00"


# --- returnCode warnings on the result ----------------------------------------------------


async def test_a_return_code_warning_is_on_the_transaction_result(
    scripted: Scripted, scripted_retail: RetailClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A returnCode success envelope to a sale: ``TransactionResult.warning`` holds its
    warning (and it is logged); a plain answer leaves it None."""
    envelope = {"status": 200, "returnCode": 1000, "message": "ok", "warning": WARNING}
    scripted.answer("POST", f"{R}/transactions/complete/", 200, envelope)
    with caplog.at_level("WARNING", logger="lucidgreen"):
        sale = await scripted_retail.transactions.complete(
            order_id="O", items=[A], performed_at=WHEN
        )
    assert (sale.warning, sale.data) == (WARNING, envelope)
    assert any(WARNING in r.getMessage() for r in caplog.records)
    scripted.answer("POST", f"{R}/transactions/void/", 200, {"status": "success"})
    void = await scripted_retail.transactions.void(order_id="O", performed_at=WHEN)
    assert void.warning is None


async def test_a_fake_sale_has_no_warning(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """The fake answers the generic success body: the result's warning is None."""
    case = next(
        c
        for c in lucidgreen_fake.state.cases.values()
        if c.uuid not in lucidgreen_fake.state.cases_scanned_elsewhere and c.current_ids()
    )
    packaged = lucidgreen_fake.state.items[case.current_ids()[0]].packaged_product_uuid
    await retail.caseids.import_case(
        case_uuid=case.uuid, packaged_product_uuid=packaged, pos_product_id="P",
        pos_inventory_id="I", package_uid="PKG",
    )  # fmt: skip
    sold = lucidgreen_fake.state.imports[0].lucid_ids[0]
    result = await retail.transactions.complete(order_id="O", items=[sold], performed_at=WHEN)
    assert (result.warning, result.data["status"]) == (None, "success")


async def test_a_return_code_list_warning_is_on_the_operation_result(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """An operation's returnCode answer: ``return_code`` and ``warning`` typed on the result."""
    body = {"status": 200, "returnCode": 7, "count": 1, "items": [{"a": 1}], "warning": WARNING}
    scripted.answer("GET", f"{R}/package-uids-associations/REQ-1/", 200, body)
    result = await scripted_retail.operations.package_uids_associations_fetch("REQ-1")
    assert result == OperationResult(data=body, return_code=7, warning=WARNING)


# --- typed brand and case answers ---------------------------------------------------------


async def test_retail_brands_get_is_a_typed_brand_on_the_fake(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """retail.brands.get returns a Brand, its video a media file with video details."""
    record = next(iter(lucidgreen_fake.state.brands.values()))
    brand = await retail.brands.get(record.uuid)
    assert isinstance(brand, Brand)
    assert (brand.uuid, brand.website, brand.country) == (
        record.uuid,
        record.website,
        record.country,
    )
    assert brand.brand_video is not None
    assert isinstance(brand.brand_video, MediaFile)
    assert (brand.brand_video.size_bytes, brand.brand_video.uploaded_by) == (
        None,  # the documented "" size
        record.video_uploaded_by,
    )


@pytest.mark.parametrize(
    "body",
    [
        [{"uuid": A}],
        {"name": "no uuid"},
        {"uuid": A, "images": "thumbnail.png"},
        {"uuid": A, "updated_on": "yesterday"},
        {"uuid": A, "brand_video": {"size_bytes": "huge"}},
        "brand",
    ],
)
async def test_a_brand_of_the_wrong_shape_is_a_decode_error(
    scripted: Scripted, scripted_retail: RetailClient, body: Any
) -> None:
    """A hostile brand answer raises DecodeError (with the raw text), never a half model."""
    scripted.answer("GET", f"{R}/brands/{A}/", 200, body)
    with pytest.raises(DecodeError) as caught:
        await scripted_retail.brands.get(A)
    assert caught.value.text
    assert caught.value.outcome_unknown is False  # a read applies nothing


async def test_collection_cases_full_details_of_the_wrong_shape_is_a_decode_error(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """The full case details are a Case; items of the wrong shape raise DecodeError."""
    path = f"{R}/collections/case/CASE-1/"
    scripted.answer("GET", path, 200, {"uuid": A, "items": [{"lucid_id": B}]})
    case = await scripted_retail.operations.collection_cases_full_details("CASE-1")
    assert isinstance(case, Case)
    assert case.lucid_ids == (B,)
    for hostile in ({"items": "ABC"}, {"items": [{"no_lucid_id": 1}]}, [B], {"uuid": [1]}):
        scripted.answer("GET", path, 200, hostile)
        with pytest.raises(DecodeError):
            await scripted_retail.operations.collection_cases_full_details("CASE-1")


def test_every_operation_has_a_docstring() -> None:
    """Each public method of retail.operations says what it does."""
    from lucidgreen.retail.operations import Operations

    public = [name for name in vars(Operations) if not name.startswith("_")]
    assert "brand_detail" not in public  # the same GET as retail.brands.get: one is kept
    assert len(public) == 11
    assert all((getattr(Operations, name).__doc__ or "").strip() for name in public)


# --- operations.request sends the verb it is given ---------------------------------------


@pytest.mark.parametrize("verb", ["PUT", "put", "PATCH", "DELETE", "POST"])
async def test_operations_request_sends_the_verb_it_is_given(
    scripted: Scripted, scripted_retail: RetailClient, verb: str
) -> None:
    """PUT goes out as PUT (not POST), with its JSON body; so do PATCH, DELETE and POST."""
    scripted.answer(verb.upper(), f"{R}/some/thing/", 200, {"ok": True})
    result = await scripted_retail.operations.request(verb, "some/thing/", json={"a": 1})
    assert result.data == {"ok": True}
    assert [(m, p, json.loads(b)) for m, p, b in scripted.requests] == [
        (verb.upper(), f"{R}/some/thing/", {"a": 1})
    ]


@pytest.mark.parametrize("verb", ["HEAD", "OPTIONS", "TRACE", "CONNECT", "FETCH", ""])
async def test_operations_request_refuses_verbs_it_cannot_send(
    scripted: Scripted, scripted_retail: RetailClient, verb: str
) -> None:
    """Any other verb is a ValueError naming it, before a request is sent."""
    with pytest.raises(ValueError, match="cannot send"):
        await scripted_retail.operations.request(verb, "some/thing/")
    assert scripted.requests == []


async def test_operations_request_refuses_params_on_a_write(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """``params=`` or ``public=`` on a write would be dropped silently: refused instead."""
    with pytest.raises(ValueError, match="GET only"):
        await scripted_retail.operations.request("PUT", "x/", params={"a": 1})
    with pytest.raises(ValueError, match="GET only"):
        await scripted_retail.operations.request("POST", "x/", public=True)
    assert scripted.requests == []


# --- an unreadable 2xx answer to a write ---------------------------------------------------

Write = Callable[[RetailClient], Awaitable[Any]]
IMPORT_CASE: Write = lambda r: r.caseids.import_case(  # noqa: E731 - a table entry
    case_uuid=A, packaged_product_uuid=B, pos_product_id="P", pos_inventory_id="I", package_uid="X"
)
ADD_ITEMS: Write = lambda r: r.inventory.add_items(A, case_uuid=B, lucid_ids=[B])  # noqa: E731
UNSAFE_WRITES: dict[str, tuple[str, Write]] = {
    "transactions.void": (
        f"{R}/transactions/void/",
        lambda r: r.transactions.void(order_id="O", performed_at=WHEN),
    ),
    "caseids.import_case": (f"{R}/caseids/import/", IMPORT_CASE),
    "inventory.add_items": (f"{R}/collections/inventory-pos/{A}/add-items/", ADD_ITEMS),
    "operations.validate_lucid_ids": (
        f"{R}/lucid-ids/validate/",
        lambda r: r.operations.validate_lucid_ids([A]),
    ),
    "operations.request PUT": (
        f"{R}/some/thing/",
        lambda r: r.operations.request("PUT", "some/thing/", json={}),
    ),
}
NOT_JSON = {
    "html": (b"<html>ok</html>", "text/html"),
    "truncated json": (b'{"case_uuid": "', "application/json"),
    "bad returnCode": (b'{"returnCode": "yes"}', "application/json"),
}
WRONG_SHAPE = {
    "wrong types": b'{"case_uuid": [5], "inventory_collection_identifier": {"x": 1}}',
    "bare list": b"[1, 2]",
    "empty": b"",
}


async def _unreadable_write(scripted: Scripted, client: RetailClient, call: Write) -> None:
    with pytest.raises(DecodeError) as caught:
        await call(client)
    assert caught.value.outcome_unknown is True
    assert "may have applied" in str(caught.value)
    assert caught.value.status == 200
    assert len(scripted.requests) == 1  # and never resent


@pytest.mark.parametrize("write", UNSAFE_WRITES.values(), ids=UNSAFE_WRITES.keys())
@pytest.mark.parametrize("answer", NOT_JSON.values(), ids=NOT_JSON.keys())
async def test_an_unreadable_2xx_to_an_unsafe_write_may_have_applied(
    scripted: Scripted,
    scripted_retail: RetailClient,
    write: tuple[str, Write],
    answer: tuple[bytes, str],
) -> None:
    """A write the SDK will not resend, answered 2xx with a body it cannot read, raises
    DecodeError with ``outcome_unknown`` True and a message saying the server may have
    applied it; it is sent once."""
    path, call = write
    raw, content_type = answer
    for method in ("POST", "PUT"):
        scripted.answer(method, path, 200, raw=raw, content_type=content_type)
    await _unreadable_write(scripted, scripted_retail, call)


@pytest.mark.parametrize("call", [IMPORT_CASE, ADD_ITEMS], ids=["import_case", "add_items"])
@pytest.mark.parametrize("raw", WRONG_SHAPE.values(), ids=WRONG_SHAPE.keys())
async def test_a_2xx_of_the_wrong_shape_to_a_typed_write_may_have_applied(
    scripted: Scripted, scripted_retail: RetailClient, call: Write, raw: bytes
) -> None:
    """JSON that does not fit the write's model (wrong types, a list, nothing) is the same
    case: DecodeError with ``outcome_unknown`` True."""
    for path in (f"{R}/caseids/import/", f"{R}/collections/inventory-pos/{A}/add-items/"):
        scripted.answer("POST", path, 200, raw=raw)
    await _unreadable_write(scripted, scripted_retail, call)


async def test_an_unreadable_2xx_to_asset_create_may_have_applied(
    scripted: Scripted, scripted_source: SourceClient
) -> None:
    """assets.create (a LucidSource write) follows the same rule."""
    scripted.answer(
        "POST", f"{S}/assets/texts/create/", 201, raw=b"Created", content_type="text/plain"
    )
    with pytest.raises(DecodeError) as caught:
        await scripted_source.assets.create("texts", name="n", content="c")
    assert caught.value.outcome_unknown is True
    assert len(scripted.requests) == 1


async def test_an_unreadable_2xx_to_a_deduplicated_sale_is_flagged_and_a_read_is_not(
    scripted: Scripted, scripted_retail: RetailClient
) -> None:
    """``complete`` may be resent by the SDK (deduplicated by order_id), but a 2xx it cannot
    read still says the sale may have applied: ``outcome_unknown`` True, sent once (a
    DecodeError is not retried). A GET applies nothing: False."""
    scripted.answer(
        "POST", f"{R}/transactions/complete/", 200, raw=b"<html/>", content_type="text/html"
    )
    with pytest.raises(DecodeError) as sale:
        await scripted_retail.transactions.complete(order_id="O", items=[A], performed_at=WHEN)
    assert sale.value.outcome_unknown is True
    assert len(scripted.requests) == 1
    scripted.answer("GET", f"{R}/products/{A}/", 200, raw=b"<html/>", content_type="text/html")
    with pytest.raises(DecodeError) as read:
        await scripted_retail.products.get(A)
    assert read.value.outcome_unknown is False
