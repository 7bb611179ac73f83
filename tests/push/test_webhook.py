"""The Receive Case and Retail Transactions handlers, served by a real aiohttp server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeAlias

import pytest
from aiohttp import test_utils, web

from lucidgreen.push import (
    CaseDocument,
    PosTransaction,
    add_receive_case_route,
    add_retail_transactions_route,
    webhook_handler,
)

# A string alias: aiohttp's TestClient is generic only for type checkers before 3.11.
PushClient: TypeAlias = "test_utils.TestClient[web.Request, web.Application]"
Serve: TypeAlias = "Callable[[web.Application], Awaitable[PushClient]]"

TOKEN = "s3cr3t-push-token-do-not-echo"
CASE_PATH = "/lucidgreen/case/"
TRANSACTIONS_PATH = "/lucidgreen/transactions/"
AUTH = {"Authorization": f"Token {TOKEN}"}
DOCUMENT = {
    "uuid": "case-uuid",
    "regulator_ids": [{"uuid": "r1", "identifier": "METRC-1", "added_on": "2021-01-01"}],
    "items": ["UNDTMBovdue9tFWfhamnDM"],
}
NOW = datetime(2024, 5, 3, 15, tzinfo=UTC)


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start apps on 127.0.0.1, port 0, with aiohttp's test server; all closed afterwards."""
    clients: list[PushClient] = []

    async def start(app: web.Application) -> PushClient:
        client = test_utils.TestClient(test_utils.TestServer(app, host="127.0.0.1", port=0))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


class CaseInbox:
    """Records the cases the webhook delivers; optionally fails like a broken POS."""

    def __init__(self, error: Exception | None = None) -> None:
        self.cases: list[CaseDocument] = []
        self.error = error

    async def __call__(self, case: CaseDocument) -> None:
        self.cases.append(case)
        if self.error is not None:
            raise self.error


async def _case_server(serve: Serve, inbox: CaseInbox, token: Any = TOKEN) -> PushClient:
    app = web.Application()
    add_receive_case_route(app, CASE_PATH, token=token, on_case=inbox)
    return await serve(app)


async def test_valid_call_delivers_the_case_once(serve: Serve) -> None:
    """A POST with the token and a Case document calls on_case once and answers 200 success."""
    inbox = CaseInbox()
    client = await _case_server(serve, inbox)

    response = await client.post(CASE_PATH, json=DOCUMENT, headers=AUTH)

    assert response.status == 200
    assert await response.json() == {"status": "success"}
    assert len(inbox.cases) == 1
    assert inbox.cases[0].uuid == "case-uuid"
    assert inbox.cases[0].lucid_ids == ("UNDTMBovdue9tFWfhamnDM",)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Token "},
        {"Authorization": "Token wrong-token"},
        {"Authorization": f"Bearer {TOKEN}"},
        {"Authorization": f"Token {TOKEN}x"},
    ],
)
async def test_missing_or_unknown_token_is_401_without_echo(
    serve: Serve, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Without the exact token the answer is 401 JSON, on_case is not called, nothing echoes it."""
    inbox = CaseInbox()
    client = await _case_server(serve, inbox)

    with caplog.at_level(logging.DEBUG, logger="lucidgreen.push"):
        response = await client.post(CASE_PATH, json=DOCUMENT, headers=headers)
        text = await response.text()

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert "detail" in await response.json()
    assert TOKEN not in text
    assert "wrong-token" not in text
    assert TOKEN not in caplog.text
    assert inbox.cases == []


async def test_any_of_several_tokens_is_accepted(serve: Serve) -> None:
    """During a rotation both configured tokens are accepted, and the scheme is case-blind."""
    inbox = CaseInbox()
    client = await _case_server(serve, inbox, token=["old-token", TOKEN])

    first = await client.post(
        CASE_PATH, json=DOCUMENT, headers={"Authorization": "token old-token"}
    )
    second = await client.post(CASE_PATH, json=DOCUMENT, headers=AUTH)

    assert (first.status, second.status) == (200, 200)
    assert len(inbox.cases) == 2


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"items": [{"regulator_id_uuids": []}]}', "application/json", 400),
        (b"case=1", "application/x-www-form-urlencoded", 415),
        (b"<case/>", "application/xml", 415),
    ],
)
async def test_bad_bodies_are_refused(
    serve: Serve, body: bytes, content_type: str, status: int
) -> None:
    """Unparsable JSON is 400 with a JSON reason, a non-JSON media type 415; on_case not called."""
    inbox = CaseInbox()
    client = await _case_server(serve, inbox)

    response = await client.post(
        CASE_PATH, data=body, headers={**AUTH, "Content-Type": content_type}
    )
    answer = await response.json()

    assert response.status == status
    if status == 400:
        assert answer["status"] == "invalid payload"
        assert answer["reason"]
    assert inbox.cases == []


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "text/plain"])
async def test_undeclared_json_is_still_parsed(serve: Serve, content_type: str | None) -> None:
    """A JSON body sent with a generic Content-Type or none is accepted: the docs name none."""
    inbox = CaseInbox()
    client = await _case_server(serve, inbox)
    headers = dict(AUTH) if content_type is None else {**AUTH, "Content-Type": content_type}
    skip = ["Content-Type"] if content_type is None else []

    response = await client.post(
        CASE_PATH, data=b'{"items": []}', headers=headers, skip_auto_headers=skip
    )

    assert response.status == 200
    assert len(inbox.cases) == 1


async def test_callback_failure_is_500_logged_not_leaked(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    """When on_case raises, the answer is a bare 500 and the error goes to lucidgreen.push."""
    inbox = CaseInbox(error=RuntimeError("database password=hunter2 unreachable"))
    client = await _case_server(serve, inbox)

    with caplog.at_level(logging.ERROR, logger="lucidgreen.push"):
        response = await client.post(CASE_PATH, json=DOCUMENT, headers=AUTH)
        text = await response.text()

    assert response.status == 500
    assert "hunter2" not in text
    assert TOKEN not in text
    assert len(inbox.cases) == 1
    assert [record.name for record in caplog.records] == ["lucidgreen.push"]
    assert "hunter2" in caplog.text  # the operator still sees what went wrong
    assert TOKEN not in caplog.text


async def test_callback_http_exception_passes_through(serve: Serve) -> None:
    """on_case may refuse a case with its own aiohttp HTTPException status."""
    client = await _case_server(serve, CaseInbox(error=web.HTTPConflict(text="seen")))

    response = await client.post(CASE_PATH, json=DOCUMENT, headers=AUTH)

    assert response.status == 409


async def test_wrong_method_on_a_catch_all_route_is_405(serve: Serve) -> None:
    """Mounted for every method, the handler still answers only POST."""
    app = web.Application()
    app.router.add_route("*", CASE_PATH, webhook_handler(TOKEN, CaseInbox()))
    client = await serve(app)

    response = await client.put(CASE_PATH, json=DOCUMENT, headers=AUTH)

    assert response.status == 405
    assert response.headers["Allow"] == "POST"


def test_empty_tokens_are_refused_and_never_shown() -> None:
    """An empty token is a configuration error, and the handler's repr holds no token."""
    with pytest.raises(ValueError, match="non-empty"):
        webhook_handler("", CaseInbox())
    with pytest.raises(ValueError, match="non-empty"):
        webhook_handler([], CaseInbox())

    handler = webhook_handler(TOKEN, CaseInbox())
    closure = handler.__closure__ or ()
    assert all(TOKEN not in repr(cell.cell_contents) for cell in closure)


# --- Retail Transactions ---------------------------------------------------------------------


class SalesBook:
    """Returns fixed sales and records the window it was asked for."""

    def __init__(self, sales: list[PosTransaction], error: Exception | None = None) -> None:
        self.sales = sales
        self.error = error
        self.windows: list[tuple[datetime, datetime]] = []

    async def __call__(self, start: datetime, end: datetime) -> list[PosTransaction]:
        self.windows.append((start, end))
        if self.error is not None:
            raise self.error
        return self.sales


async def _transactions_server(serve: Serve, book: SalesBook) -> PushClient:
    app = web.Application()
    add_retail_transactions_route(
        app, TRANSACTIONS_PATH, token=TOKEN, fetch_transactions=book, clock=lambda: NOW
    )
    return await serve(app)


def _sale(transaction_id: str, when: datetime, items: tuple[str, ...]) -> PosTransaction:
    return PosTransaction(
        transaction_id=transaction_id,
        transaction_date=when,
        items=items,
        total_items_count=len(items) + 2,
    )


async def test_transactions_query_answers_201_with_the_list(serve: Serve) -> None:
    """A GET with the typo end_datetime gets 201 and only tagged sales inside the window."""
    book = SalesBook(
        [
            _sale("in", datetime(2021, 3, 20, tzinfo=UTC), ("L1",)),
            _sale("untagged", datetime(2021, 3, 21, tzinfo=UTC), ()),
            _sale("outside", datetime(2021, 5, 1, tzinfo=UTC), ("L2",)),
        ]
    )
    client = await _transactions_server(serve, book)

    response = await client.get(
        TRANSACTIONS_PATH,
        params={"start_date": "2021-03-11T12:00:00Z", "end_datetime": "2021-04-11T12:00:00Z"},
        headers=AUTH,
    )

    assert response.status == 201
    assert await response.json() == [
        {
            "transaction_id": "in",
            "transaction_date": "2021-03-20T00:00:00Z",
            "items": ["L1"],
            "total_items_count": 3,
        }
    ]
    assert book.windows == [
        (datetime(2021, 3, 11, 12, tzinfo=UTC), datetime(2021, 4, 11, 12, tzinfo=UTC))
    ]


async def test_transactions_query_default_window(serve: Serve) -> None:
    """Without parameters the source is asked for the previous UTC day."""
    book = SalesBook([])
    client = await _transactions_server(serve, book)

    response = await client.get(TRANSACTIONS_PATH, headers=AUTH)

    assert response.status == 201
    assert await response.json() == []
    assert book.windows == [(datetime(2024, 5, 2, tzinfo=UTC), datetime(2024, 5, 3, tzinfo=UTC))]


async def test_transactions_query_refusals(serve: Serve) -> None:
    """No token is 401, a bad date 400 with a reason, a failing source 500; none echo secrets."""
    book = SalesBook([], error=RuntimeError("pos offline"))
    client = await _transactions_server(serve, book)

    unauthorized = await client.get(TRANSACTIONS_PATH)
    bad_date = await client.get(TRANSACTIONS_PATH, params={"start_date": "soon"}, headers=AUTH)
    failed = await client.get(TRANSACTIONS_PATH, headers=AUTH)

    assert unauthorized.status == 401
    assert bad_date.status == 400
    assert "start_date" in (await bad_date.json())["reason"]
    assert failed.status == 500
    assert "pos offline" not in await failed.text()
    assert len(book.windows) == 1


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"start_date": "0001-01-01T00:00:00+05:00"}, id="start-before-year-1-in-utc"),
        pytest.param({"end_date": "9999-12-31T23:59:59-05:00"}, id="end-after-9999-in-utc"),
        pytest.param(
            {"start_date": "2021-03-11", "end_datetime": "9999-12-31T20:00:00-10:00"},
            id="typo-name-out-of-range",
        ),
    ],
)
async def test_transactions_query_out_of_range_datetimes_are_400(
    serve: Serve, params: dict[str, str]
) -> None:
    """A date-time that leaves years 1..9999 once moved to UTC is the caller's error: 400
    with a reason naming the parameter, never a 500, and the source is never asked."""
    book = SalesBook([])
    client = await _transactions_server(serve, book)

    response = await client.get(TRANSACTIONS_PATH, params=params, headers=AUTH)

    assert response.status == 400
    body = await response.json()
    assert body["status"] == "invalid payload"
    assert "out of range" in body["reason"]
    assert (
        next(name for name in params if name != "start_date" or len(params) == 1)
        in (body["reason"])
    )
    assert book.windows == []
