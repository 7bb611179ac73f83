"""``client.request(method, path, params=, json=)`` on both clients: a call the SDK has no
method for still goes through the token, the limiter, retries, hooks, stats and typed errors,
and a write is never resent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import Hooks, RetryPolicy, TokenBucket

from ..outcomes import REFUSALS
from ..support import TOKEN, retail, serve, source

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001)


def client_for(product: str, url: str, **kw: Any) -> Any:
    return source(url, **kw) if product == "source" else retail(url, **kw)


PREFIX = {"source": "/api/v1.5/", "retail": "/api/v1.2/"}
PRODUCTS = pytest.mark.parametrize("product", ["source", "retail"])


async def answer_json(request: web.Request, n: int) -> web.StreamResponse:
    del n
    return web.json_response({"method": request.method, "query": dict(request.query)})


@PRODUCTS
async def test_a_get_is_sent_under_the_products_prefix_with_its_query_and_token(
    product: str,
) -> None:
    async with serve(answer_json) as (url, log), client_for(product, url) as client:
        got = await client.request("get", "widgets/", params={"active": True, "n": 2})
    assert got == {"method": "GET", "query": {"active": "true", "n": "2"}}
    ((method, path_qs, (headers, _)),) = log
    assert (method, path_qs) == ("GET", f"{PREFIX[product]}widgets/?active=true&n=2")
    assert headers["Authorization"] == f"Bearer {TOKEN}"


@PRODUCTS
@pytest.mark.parametrize("verb", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_write_sends_its_json_body_with_its_own_verb(product: str, verb: str) -> None:
    async with serve(answer_json) as (url, log), client_for(product, url) as client:
        got = await client.request(verb, "/widgets/7/", json={"name": "x", "n": [1, 2]})
    assert got["method"] == verb
    ((method, path_qs, (_, body)),) = log
    assert (method, path_qs) == (verb, f"{PREFIX[product]}widgets/7/")
    assert json.loads(body) == {"name": "x", "n": [1, 2]}


async def test_an_empty_answer_is_none() -> None:
    async def empty(request: web.Request, n: int) -> web.StreamResponse:
        del request, n
        return web.Response(status=204)

    async with serve(empty) as (url, _), source(url) as client:
        assert await client.request("DELETE", "widgets/7/") is None


async def test_a_read_meeting_5xx_is_retried_by_the_policy_and_counted() -> None:
    async def flaky(request: web.Request, n: int) -> web.StreamResponse:
        del request
        return web.json_response({"n": n}, status=503 if n < 3 else 200)

    calls: list[Any] = []
    hooks = Hooks(on_request=calls.append)
    async with serve(flaky) as (url, log), source(url, retry=FAST, hooks=hooks) as client:
        assert await client.request("GET", "widgets/") == {"n": 3}
        assert client.stats.retries == 2
    assert len(log) == 3 == len(calls)


@pytest.mark.parametrize("verb", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_write_meeting_5xx_is_never_resent_and_says_its_outcome_is_unknown(
    verb: str,
) -> None:
    async def down(request: web.Request, n: int) -> web.StreamResponse:
        del request, n
        return web.json_response({"detail": "boom"}, status=502)

    async with serve(down) as (url, log), source(url, retry=FAST) as client:
        with pytest.raises(lucidgreen.WriteOutcomeUnknown) as caught:
            await client.request(verb, "widgets/", json={"a": 1})
    assert isinstance(caught.value, lucidgreen.ServerError)
    assert caught.value.outcome_unknown
    assert len(log) == 1


async def test_a_write_whose_2xx_answer_is_unreadable_may_have_been_applied() -> None:
    async def garbled(request: web.Request, n: int) -> web.StreamResponse:
        del request, n
        return web.Response(text="<html>ok</html>", content_type="application/json")

    async with serve(garbled) as (url, _), source(url) as client:
        with pytest.raises(lucidgreen.DecodeError) as caught:
            await client.request("POST", "widgets/", json={})
    assert caught.value.outcome_unknown


@pytest.mark.parametrize(("status", "error"), REFUSALS)
async def test_error_statuses_are_the_sdks_typed_errors(
    status: int, error: type[lucidgreen.APIError]
) -> None:
    async def refuse(request: web.Request, n: int) -> web.StreamResponse:
        del request, n
        return web.json_response({"detail": "no"}, status=status)

    async with serve(refuse) as (url, _), retail(url) as client:
        with pytest.raises(error):
            await client.request("GET", "widgets/")


async def test_a_negative_return_code_is_a_return_code_error() -> None:
    async def refused(request: web.Request, n: int) -> web.StreamResponse:
        del request, n
        return web.json_response({"returnCode": -3, "message": "unknown package"})

    async with serve(refused) as (url, _), retail(url) as client:
        with pytest.raises(lucidgreen.ReturnCodeError, match="unknown package"):
            await client.request("GET", "packages/1/")


@pytest.mark.parametrize(
    "path", ["../../o/token/", "%2e%2e/%2E%2E/o/token/", "widgets/../../../o/token/"]
)
async def test_a_path_leaving_the_api_prefix_is_refused_before_sending(path: str) -> None:
    async with serve(answer_json) as (url, log), source(url) as client:
        with pytest.raises(ValueError, match="must stay under"):
            await client.request("GET", path)
    assert log == []


async def test_it_spends_the_products_budget_like_any_method() -> None:
    bucket = TokenBucket(limit=2, per=60.0, burst=2)
    async with serve(answer_json) as (url, _), source(url, rate_limiter=bucket) as client:
        await client.request("GET", "widgets/")
        await client.request("POST", "widgets/", json={})
        hopeless = RetryPolicy(max_retries=0, deadline=0.05)
        with pytest.raises(lucidgreen.DeadlineExceeded):
            await client.with_options(retry=hopeless).request("GET", "widgets/")


async def test_retail_operations_request_is_the_same_escape_hatch() -> None:
    async with serve(answer_json) as (url, log), retail(url) as client:
        result = await client.operations.request("GET", "widgets/", params={"a": "b"})
    assert result.data == {"method": "GET", "query": {"a": "b"}}
    assert log[0][1] == "/api/v1.2/widgets/?a=b"
