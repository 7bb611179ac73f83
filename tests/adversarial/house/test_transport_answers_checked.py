"""Attack: the exchange's answer check and transport-exception mapping from angles the last
round left: how "the SDK's own transport" is recognised (a caller's subclass or wrapper of
``AiohttpTransport``), the iteration-protocol exceptions a transport may raise inside a
paged walk, a ``Response`` subclass, and headers as a ``CIMultiDict`` holding a name twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from multidict import CIMultiDict

import lucidgreen
from lucidgreen import errors
from lucidgreen._transport import AiohttpTransport
from lucidgreen.ratelimit import Unlimited
from lucidgreen.retry import without_sleeping
from lucidgreen.transport import Request, Response, Timeout

LID = "UNDTMBovdue9tFWfhamnDM"
TOKEN = "tokenEchoedBackByTheTransport42"
BODY = b'{"uuid": "UNDTMBovdue9tFWfhamnDM", "name": "x"}'


class Answering:
    """A caller's transport answering each send with ``answer(request)``."""

    def __init__(self, answer: Callable[[Request], Any]) -> None:
        self.answer = answer

    async def send(self, request: Request, *, timeout: Timeout) -> Any:
        return self.answer(request)

    def stream(self, request: Request, *, timeout: Timeout) -> Any:
        raise NotImplementedError

    async def aclose(self) -> None:
        pass


def _raising(error: BaseException) -> Callable[[Request], Any]:
    def answer(request: Request) -> Any:
        raise error

    return answer


def _client(transport: Any) -> lucidgreen.SourceClient:
    return lucidgreen.SourceClient(
        token=TOKEN,
        transport=transport,
        rate_limiter=Unlimited(),
        retry=lucidgreen.RetryPolicy(max_retries=0),
    )


async def _outcome(transport: Any, *, write: bool = False, walk: bool = False) -> Any:
    async with _client(transport) as client:
        with without_sleeping():
            try:
                if write:
                    return await client.request("POST", "products/", json={"a": 1})
                if walk:
                    return [product async for product in client.products.list()]
                return await client.products.get(LID)
            except BaseException as exc:
                return exc


class UsersAiohttp(AiohttpTransport):
    """A caller's subclass of the SDK's transport, with a bug of its own in ``send``."""

    async def send(self, request: Request, *, timeout: Timeout) -> Response:
        raise KeyError("a bug in the caller's subclass")


async def test_a_callers_subclass_of_the_sdk_transport_is_a_custom_transport() -> None:
    """Its bug after a write is a TransportError keeping the write's doubt, not a bare
    KeyError: the SDK's own transports are known by their module, not their ancestry."""
    outcome = await _outcome(UsersAiohttp(), write=True)
    assert isinstance(outcome, errors.TransportError)
    assert outcome.outcome_unknown
    assert "UsersAiohttp.send raised KeyError" in str(outcome)


@pytest.mark.parametrize(
    "error", [StopIteration(), StopAsyncIteration()], ids=["StopIteration", "StopAsyncIteration"]
)
@pytest.mark.parametrize("walk", [False, True], ids=["get", "walk"])
async def test_an_iteration_protocol_exception_from_a_transport_is_a_transport_error(
    error: Exception, walk: bool
) -> None:
    """Raised inside the pager's async generator a StopAsyncIteration would end the walk
    silently as if the list were done; it is a TransportError instead."""
    outcome = await _outcome(Answering(_raising(error)), walk=walk)
    assert isinstance(outcome, errors.TransportError)


async def test_generator_exit_from_a_transport_passes_through_as_it_is() -> None:
    """A BaseException goes on unchanged, GeneratorExit too (the documented rule)."""
    outcome = await _outcome(Answering(_raising(GeneratorExit())))
    assert type(outcome) is GeneratorExit


class Tagged(Response):
    """A caller's Response subclass (an attrs subclass adding nothing required)."""


async def test_a_response_subclass_is_a_well_typed_answer() -> None:
    outcome = await _outcome(Answering(lambda request: Tagged(200, {}, BODY, request.url)))
    assert getattr(outcome, "name", None) == "x"


def _twice(echo: bool) -> Callable[[Request], Any]:
    def answer(request: Request) -> Any:
        headers = CIMultiDict([("warning", "199 - first"), ("warning", "199 - second")])
        headers["x-request-id"] = request.headers["Authorization"] if echo else "req-1"
        return Response(404, headers, b"{}", request.url)

    return answer


async def test_a_header_sent_twice_keeps_both_values_in_the_error() -> None:
    """What holds with no echo: a CIMultiDict's repeated header is joined (RFC 9110)."""
    outcome = await _outcome(Answering(_twice(echo=False)))
    assert isinstance(outcome, errors.NotFound)
    assert outcome.headers["warning"] == "199 - first, 199 - second"


async def test_a_header_sent_twice_keeps_both_values_when_an_echo_is_hidden() -> None:
    outcome = await _outcome(Answering(_twice(echo=True)))
    assert isinstance(outcome, errors.NotFound)
    assert outcome.request_id == "<hidden>"
    assert outcome.headers["warning"] == "199 - first, 199 - second"


async def test_a_huge_body_from_a_custom_transport_is_classified_with_the_echo_hidden() -> None:
    """A 20 MB error body (a custom transport has no body cap) repeating the token at its
    very end: hidden there too."""
    tail = b"x" * (20 * 2**20) + TOKEN.encode()

    def answer(request: Request) -> Any:
        return Response(500, {}, tail, request.url)

    outcome = await _outcome(Answering(answer))
    assert isinstance(outcome, errors.ServerError)
    assert outcome.body.endswith("<hidden>")
