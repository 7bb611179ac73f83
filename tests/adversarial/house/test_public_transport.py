"""Attacks on the public :mod:`lucidgreen.transport` seam: a custom transport written only
against it that answers odd values or raises arbitrary exceptions must give the caller a
typed SDK error, count the exchange, and keep a write's doubt."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import lucidgreen
import lucidgreen.transport as public
from lucidgreen.ratelimit import Unlimited
from lucidgreen.retry import without_sleeping

LID = "UNDTMBovdue9tFWfhamnDM"
JSON = {"content-type": "application/json"}
BODY = b'{"uuid": "UNDTMBovdue9tFWfhamnDM", "name": "x"}'
DOCS = Path(__file__).parents[3] / "docs" / "transports.md"


class Odd:
    """A transport of the caller's, from the public module only: ``answer()`` each send."""

    def __init__(self, answer: Callable[[], Any]) -> None:
        self.answer, self.sent = answer, 0

    async def send(self, request: public.Request, *, timeout: public.Timeout) -> Any:
        self.sent += 1
        return self.answer()

    def stream(self, request: public.Request, *, timeout: public.Timeout) -> Any:
        raise NotImplementedError

    async def aclose(self) -> None:
        pass


def _raises(error: BaseException) -> Callable[[], Any]:
    def answer() -> Any:
        raise error

    return answer


async def _call(transport: Odd, write: bool) -> Any:
    async with lucidgreen.RetailClient(
        token="t", transport=transport, rate_limiter=Unlimited()
    ) as client:
        with without_sleeping():
            try:
                if write:
                    return await client.request("PUT", "inventory/", json={"a": 1})
                return await client.products.get(LID)
            except BaseException as exc:
                return exc
            finally:
                assert client.stats.requests == transport.sent  # every exchange counted


def test_the_public_module_is_the_top_level_vocabulary() -> None:
    """``lucidgreen.transport`` holds the very classes ``lucidgreen`` exports."""
    for name in ("Transport", "Request", "Response", "StreamedResponse", "Timeout"):
        assert getattr(public, name) is getattr(lucidgreen, name)


def test_the_transports_page_example_runs() -> None:
    """Every Python block of docs/transports.md runs as written."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOCS), "exec"), {"__name__": "docs_example"})  # noqa: S102 - the docs run


GOOD = {
    "status 99": lambda: public.Response(99, {}, b"{}"),
    "status 600": lambda: public.Response(600, {}, b"{}"),
    "status -1": lambda: public.Response(-1, {}, b"{}"),
    "5xx": lambda: public.Response(503, {}, b"down"),
}


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
@pytest.mark.parametrize("name", sorted(GOOD))
async def test_odd_but_well_typed_answers_are_sdk_errors(name: str, write: bool) -> None:
    """A status no API sends, or a 5xx, is an SDK error (a 5xx to a write in doubt)."""
    outcome = await _call(Odd(GOOD[name]), write)
    assert isinstance(outcome, lucidgreen.LucidGreenError), repr(outcome)
    if name in ("5xx", "status 600") and write:
        assert outcome.outcome_unknown


ILL_TYPED = {
    "None": lambda: None,
    "a dict": lambda: {"status": 200},
    "status '200'": lambda: public.Response("200", JSON, BODY),  # type: ignore[arg-type]
    "status True": lambda: public.Response(True, JSON, BODY),
    "headers None": lambda: public.Response(200, None, BODY),  # type: ignore[arg-type]
    "headers as pairs": lambda: public.Response(200, list(JSON.items()), BODY),  # type: ignore[arg-type]
    "body str": lambda: public.Response(200, JSON, BODY.decode()),  # type: ignore[arg-type]
    "body None": lambda: public.Response(200, JSON, None),  # type: ignore[arg-type]
    "body memoryview": lambda: public.Response(200, JSON, memoryview(BODY)),  # type: ignore[arg-type]
    "Retry-After int": lambda: public.Response(429, {"retry-after": 1}, b""),  # type: ignore[dict-item]
}


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
@pytest.mark.parametrize("name", sorted(ILL_TYPED))
async def test_an_ill_typed_answer_is_a_typed_error_keeping_doubt(name: str, write: bool) -> None:
    """Whatever a transport returns, the caller gets an SDK error; for a write, one saying
    the outcome is unknown (the request went out)."""
    outcome = await _call(Odd(ILL_TYPED[name]), write)
    assert isinstance(outcome, lucidgreen.TransportError), repr(outcome)
    assert "True" not in str(outcome)
    assert "Odd.send returned" in str(outcome)  # the transport is named
    if write:
        assert outcome.outcome_unknown


@pytest.mark.parametrize("error", [ValueError("v"), RuntimeError("r"), KeyError("k")])
async def test_a_transport_bug_after_a_write_keeps_the_doubt(error: Exception) -> None:
    """Any ``Exception`` from ``send`` on a write: ``WriteOutcomeUnknown``."""
    outcome = await _call(Odd(_raises(error)), write=True)
    assert isinstance(outcome, lucidgreen.WriteOutcomeUnknown), repr(outcome)
    assert f"Odd.send raised {type(error).__name__}" in str(outcome)


async def test_a_transport_bug_on_a_read_is_a_typed_error_hiding_the_token() -> None:
    """A transport's ``ValueError`` quoting the bearer token: a ``TransportError`` whose
    text, and every exception chained to it, hides the token."""
    token = "tok-0123456789abcdef"

    class Quoting(Odd):
        async def send(self, request: public.Request, *, timeout: public.Timeout) -> Any:
            self.sent += 1
            raise ValueError(f"cannot send {dict(request.headers)}")

    transport = Quoting(lambda: None)
    async with lucidgreen.RetailClient(
        token=token, transport=transport, rate_limiter=Unlimited()
    ) as client:
        with without_sleeping(), pytest.raises(lucidgreen.TransportError) as caught:
            await client.products.get(LID)
    assert "Quoting.send raised ValueError: cannot send" in str(caught.value)
    error: BaseException | None = caught.value
    while error is not None:
        assert token not in str(error)
        error = error.__cause__ or error.__context__


class Interrupt(BaseException):
    """Like KeyboardInterrupt: must never be swallowed or wrapped."""


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
async def test_a_base_exception_passes_through_unchanged_and_counted(write: bool) -> None:
    """A ``BaseException`` that is no ``Exception`` goes on as is, sent once."""
    transport = Odd(_raises(Interrupt("stop")))
    outcome = await _call(transport, write)
    assert isinstance(outcome, Interrupt)
    assert transport.sent == 1


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
async def test_plain_python_network_failures_are_typed(write: bool) -> None:
    """``TimeoutError`` and ``OSError`` from a custom transport are SDK transport errors, a
    write's in doubt and sent once."""
    for error in (TimeoutError(), ConnectionResetError(104, "reset")):
        transport = Odd(_raises(error))
        outcome = await _call(transport, write)
        assert isinstance(outcome, lucidgreen.TransportError), repr(outcome)
        if write:
            assert outcome.outcome_unknown
            assert transport.sent == 1
