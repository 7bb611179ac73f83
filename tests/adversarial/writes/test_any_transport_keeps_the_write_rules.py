"""The write rules hold above any ``transport=``: the public :class:`lucidgreen.Transport`
seam and :class:`lucidgreen.testing.MockTransport` get the same guarantees as aiohttp.

A lost answer to a write the API cannot recognise is ``WriteOutcomeUnknown``, sent once; a
sale is resent and its duplicate answer reported as a replay; a connection that never
opened is resent; every attempt the transport saw is in stats and hooks. A transport that
fails the way Python code fails (``TimeoutError``, ``OSError``) still leaves a write in
doubt, and the caller's one ``except`` must catch it. A short static token (the docs'
``token="t"``) must not turn the server's answers into something else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import lucidgreen
from lucidgreen.ratelimit import Unlimited
from lucidgreen.retail.transactions import TransactionResult
from lucidgreen.retry import without_sleeping
from lucidgreen.testing import MockTransport, Request, Response, json_response

LID = "UNDTMBovdue9tFWfhamnDM"
TOKEN = "mock-transport-token-0123456789"
ALREADY = {"message": "This transaction has already been processed."}

Write = Callable[[lucidgreen.RetailClient], Awaitable[Any]]


def _put(client: lucidgreen.RetailClient) -> Awaitable[Any]:
    return client.operations.request("PUT", "/api/v1/inventory/", json={"a": 1})


def _sale(client: lucidgreen.RetailClient) -> Awaitable[Any]:
    return client.transactions.complete(
        order_id="order-1", items=[LID], performed_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def _first_fails(failure: BaseException) -> Callable[[Request], Response]:
    """Fails the first request with ``failure``, then answers like the API: the sale again
    is "already processed", anything else succeeds."""
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        if len(seen) == 1:
            raise failure
        if request.url.endswith("/transactions/complete/"):
            return json_response(ALREADY, status=400)
        return json_response({"status": "success", "request_id": "r"})

    return handler


async def _outcome(
    failure: BaseException, write: Write, token: str = TOKEN
) -> tuple[Any, MockTransport, lucidgreen.RetailClient, list[lucidgreen.RequestSent]]:
    transport = MockTransport(_first_fails(failure))
    hooked: list[lucidgreen.RequestSent] = []
    client = lucidgreen.RetailClient(
        token=token,
        transport=transport,
        rate_limiter=Unlimited(),
        hooks=lucidgreen.Hooks(on_request=hooked.append),
    )
    async with client:
        with without_sleeping():
            try:
                result: Any = await write(client)
            except Exception as exc:
                result = exc
    return result, transport, client, hooked


def _assert_counted(transport: MockTransport, client: Any, hooked: list[Any]) -> None:
    assert len(transport.requests) == client.stats.requests == len(hooked)


LOST = {
    "TransportError": lambda: lucidgreen.TransportError("answer lost"),
    "RequestTimeout": lambda: lucidgreen.RequestTimeout("no answer in time"),
    "WriteOutcomeUnknown": lambda: lucidgreen.WriteOutcomeUnknown("answer lost"),
}
# a transport failing in plain Python, not in the SDK's words
PYTHON_FAILURES = {
    "TimeoutError": TimeoutError,
    "ConnectionResetError": lambda: ConnectionResetError(104, "Connection reset by peer"),
}
IN_DOUBT = {**LOST, **PYTHON_FAILURES}


@pytest.mark.parametrize("lost", IN_DOUBT.values(), ids=IN_DOUBT.keys())
async def test_a_write_whose_answer_any_transport_lost_is_write_outcome_unknown_sent_once(
    lost: Callable[[], BaseException],
) -> None:
    """The transport loses the answer to a PUT, raising the SDK's own error for it or a
    plain Python one: the write is left in doubt, sent once, and counted once."""
    result, transport, client, hooked = await _outcome(lost(), _put)
    assert isinstance(result, lucidgreen.WriteOutcomeUnknown), repr(result)
    assert result.outcome_unknown is True
    assert len(transport.requests) == 1
    _assert_counted(transport, client, hooked)


@pytest.mark.parametrize("lost", LOST.values(), ids=LOST.keys())
async def test_a_sale_lost_by_a_mock_transport_is_resent_and_replayed(
    lost: Callable[[], BaseException],
) -> None:
    result, transport, client, hooked = await _outcome(lost(), _sale)
    assert isinstance(result, TransactionResult), repr(result)
    assert result.replayed is True
    assert len(transport.requests) == 2
    _assert_counted(transport, client, hooked)


async def test_a_write_whose_connection_never_opened_is_resent_through_any_transport() -> None:
    result, transport, client, hooked = await _outcome(lucidgreen.ConnectError("refused"), _put)
    assert not isinstance(result, BaseException), repr(result)
    assert len(transport.requests) == 2
    _assert_counted(transport, client, hooked)


async def test_a_one_letter_token_does_not_hide_the_duplicate_answer_of_a_resent_sale() -> None:
    result, _, _, _ = await _outcome(lucidgreen.TransportError("answer lost"), _sale, token="t")
    assert isinstance(result, TransactionResult), repr(result)
    assert result.replayed is True


async def test_a_one_letter_token_leaves_the_servers_message_readable() -> None:
    def handler(request: Request) -> Response:
        del request
        return json_response({"detail": "Not found."}, status=404)

    async with lucidgreen.SourceClient(
        token="t", transport=MockTransport(handler), rate_limiter=Unlimited()
    ) as source:
        with pytest.raises(lucidgreen.NotFound) as caught:
            await source.products.get(LID)
    assert caught.value.message == "Not found."
    assert caught.value.data == {"detail": "Not found."}
