"""Client lifecycle and configuration: closing, a caller's session, hosts, credentials, repr."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import aiohttp
import pytest

import lucidgreen
from lucidgreen._transport import AiohttpTransport, Request, Response
from lucidgreen._transport._sessions import OwnSessions
from lucidgreen.auth import ClientCredentials, StaticToken
from lucidgreen.testing import FakeLucidGreen
from tests.client.helpers import api_requests, lifted_limiter, product_uuids


def unclosed_reports(
    holder: list[lucidgreen.SourceClient | lucidgreen.RetailClient],
    caplog: pytest.LogCaptureFixture,
) -> list[str]:
    """Drop the clients in ``holder``, collect garbage, and return what aiohttp reported.

    aiohttp reports a session or connector collected unclosed twice: a ``ResourceWarning``
    from ``__del__`` and an error logged through the loop's exception handler. Both are
    gathered here. The last reference goes inside the recording block because ``__del__``
    may run at once, without waiting for the gc pass.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        holder.clear()
        gc.collect()
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [m for m in messages if "Unclosed" in m]


async def test_a_client_never_closed_keeps_its_session_open(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """Control for the tests below: without aclose() the session and connector stay open, so
    only closing (not garbage collection) releases them."""
    fake = lucidgreen_fake
    source = fake.source_client()
    await source.products.get(product_uuids(fake)[0])
    transport = source._transport
    assert isinstance(transport, AiohttpTransport)
    session = getattr(transport._sessions, "pooled", None)
    assert session is not None
    assert not session.closed
    assert session.connector is not None
    assert not session.connector.closed
    await session.close()  # the test's own cleanup: what aclose() would have done


async def test_async_with_leaves_nothing_unclosed(
    lucidgreen_fake: FakeLucidGreen, caplog: pytest.LogCaptureFixture
) -> None:
    """Leaving ``async with`` closes the session and connector: gc finds nothing unclosed."""
    fake = lucidgreen_fake
    async with fake.source_client() as source:
        await source.products.get(product_uuids(fake)[0])
    holder: list[lucidgreen.SourceClient | lucidgreen.RetailClient] = [source]
    del source
    assert unclosed_reports(holder, caplog) == []


async def test_aclose_leaves_nothing_unclosed_and_is_idempotent(
    lucidgreen_fake: FakeLucidGreen, caplog: pytest.LogCaptureFixture
) -> None:
    """aclose() (twice) closes a RetailClient's session: gc finds nothing unclosed."""
    fake = lucidgreen_fake
    retail = fake.retail_client()
    await retail.products.get(product_uuids(fake)[0])
    await retail.aclose()
    await retail.aclose()
    holder: list[lucidgreen.SourceClient | lucidgreen.RetailClient] = [retail]
    del retail
    assert unclosed_reports(holder, caplog) == []


async def test_a_caller_session_is_used_and_left_open(lucidgreen_fake: FakeLucidGreen) -> None:
    """With session=, requests go through the caller's session, which the client never closes."""
    fake = lucidgreen_fake
    async with aiohttp.ClientSession(headers={"X-Caller-Session": "mine"}) as session:
        async with fake.source_client(session=session) as source:
            await source.products.get(product_uuids(fake)[0])
        assert not session.closed
        async with session.get(f"{fake.url}/api/v1.5/products/") as response:
            assert response.status == 401  # still usable by its owner
    assert [r.headers.get("X-Caller-Session") for r in fake.requests] == ["mine"] * 3


async def test_a_closed_client_raises_a_clear_error(lucidgreen_fake: FakeLucidGreen) -> None:
    """A call on a closed client raises RuntimeError saying so, and sends nothing."""
    fake = lucidgreen_fake
    uuid = product_uuids(fake)[0]
    async with fake.source_client(rate_limiter=lifted_limiter()) as source:
        await source.products.get(uuid)
    sent = len(fake.requests)
    with pytest.raises(RuntimeError, match="client is closed"):
        await source.products.get(uuid)
    assert len(fake.requests) == sent


async def test_a_closed_client_fails_without_waiting_for_budget(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """A closed client with its default 60/min budget spent raises at once, without waiting
    the second a new token would take."""
    fake = lucidgreen_fake
    uuid = product_uuids(fake)[0]
    # The client's own default bucket, not the fake's: closing must not wait for it.
    async with lucidgreen.SourceClient(*fake.source_credentials, base_url=fake.url) as source:
        await source.products.get(uuid)  # spends the bucket's one token of burst
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(RuntimeError, match="client is closed"):
        await source.products.get(uuid)
    assert loop.time() - started < 0.5


def _pooled_session(client: lucidgreen.SourceClient) -> aiohttp.ClientSession:
    transport = client._transport
    assert isinstance(transport, AiohttpTransport)
    sessions = transport._sessions
    assert isinstance(sessions, OwnSessions)
    assert sessions.pooled is not None
    return sessions.pooled


def _used_then_left_open(runner: asyncio.Runner) -> aiohttp.ClientSession:
    """Start the fake and a client on ``runner``, make one call, close only the fake; the
    client's pooled session, still open."""

    async def use() -> aiohttp.ClientSession:
        fake = FakeLucidGreen()
        await fake.start()
        try:
            client = fake.source_client(rate_limiter=lifted_limiter())
            await client.products.get(product_uuids(fake)[0])
            session = _pooled_session(client)
        finally:
            await fake.close()
        assert not session.closed
        return session

    return runner.run(use())


def test_the_end_of_asyncio_run_closes_a_client_left_open() -> None:
    """A client never closed has its sessions closed on their own loop when asyncio.run (an
    asyncio.Runner) ends: nothing is reported unclosed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with asyncio.Runner() as runner:
            session = _used_then_left_open(runner)
        gc.collect()
    assert session.closed
    assert [str(w.message) for w in caught] == []


def test_aclose_from_another_thread_closes_the_session_on_its_own_running_loop() -> None:
    """A client whose loop runs in another thread, closed from this thread's loop, has its
    session closed by that loop (aiohttp's sessions close only on their own loop)."""
    import threading

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:

        async def use() -> tuple[lucidgreen.SourceClient, aiohttp.ClientSession, FakeLucidGreen]:
            fake = FakeLucidGreen()
            await fake.start()
            client = fake.source_client(rate_limiter=lifted_limiter())
            await client.products.get(product_uuids(fake)[0])
            return client, _pooled_session(client), fake

        client, session, fake = asyncio.run_coroutine_threadsafe(use(), loop).result(10)
        asyncio.run(client.aclose())
        for _ in range(200):
            if session.closed:
                break
            threading.Event().wait(0.01)
        assert session.closed
        asyncio.run_coroutine_threadsafe(fake.close(), loop).result(10)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_a_hand_run_loop_closed_unshut_leaves_only_asyncios_own_socket_reports(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A loop closed by hand without shutdown_asyncgens() cannot close what it opened. A later
    aclose() from another loop returns cleanly and marks the session closed: what remains
    reported is asyncio's ResourceWarning for the sockets that loop left open, never an
    aiohttp "Unclosed client session"/"Unclosed connector"."""
    loop = asyncio.new_event_loop()
    try:
        holder: list[lucidgreen.SourceClient] = []

        async def use() -> aiohttp.ClientSession:
            fake = FakeLucidGreen()
            await fake.start()
            try:
                holder.append(fake.source_client(rate_limiter=lifted_limiter()))
                await holder[0].products.get(product_uuids(fake)[0])
            finally:
                await fake.close()
            return _pooled_session(holder[0])

        session = loop.run_until_complete(use())
    finally:
        loop.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(holder[0].aclose())
        holder.clear()
        gc.collect()
    assert session.closed
    reports = [str(w.message) for w in caught]
    assert not [m for m in reports + [r.getMessage() for r in caplog.records] if "Unclosed" in m]
    assert all(m.startswith("unclosed transport") for m in reports), reports


@pytest.mark.parametrize(
    ("client_class", "host"),
    [
        (lucidgreen.SourceClient, "https://source-test.lucidgreen.io"),
        (lucidgreen.RetailClient, "https://retail-test.lucidgreen.io"),
    ],
)
def test_test_environment_picks_the_test_host(
    client_class: type[lucidgreen.SourceClient | lucidgreen.RetailClient], host: str
) -> None:
    """environment="test" selects the documented test host of each product."""
    assert client_class("id", "secret", environment="test").base_url == host
    production = host.replace("-test", "")
    assert client_class("id", "secret").base_url == production


def test_an_unknown_environment_is_refused() -> None:
    """An environment other than production/test is refused with the valid choices."""
    with pytest.raises(ValueError, match="production"):
        lucidgreen.SourceClient("id", "secret", environment="staging")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "http://10.0.0.5:8000", "http://source.lucidgreen.io/"],
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    """base_url with http:// on a non-loopback host is refused with an explanation."""
    with pytest.raises(ValueError, match="unencrypted"):
        lucidgreen.SourceClient("id", "secret", base_url=url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:1", "http://127.0.0.1:1"),
        ("http://localhost", "http://localhost"),
        ("http://[::1]", "http://[::1]"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("https://proxy.example.com/", "https://proxy.example.com"),
    ],
)
def test_loopback_http_and_any_https_are_accepted(url: str, expected: str) -> None:
    """http:// on loopback hosts and https:// anywhere are accepted (trailing slash dropped)."""
    assert lucidgreen.RetailClient("id", "secret", base_url=url).base_url == expected


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "127.0.0.1:8000", "https://u:p@host.io"])
def test_malformed_base_urls_are_refused(url: str) -> None:
    """A base_url that is not a plain absolute http(s) URL is refused."""
    with pytest.raises(ValueError, match="base_url"):
        lucidgreen.SourceClient("id", "secret", base_url=url)


def test_token_and_credentials_together_are_refused() -> None:
    """token= with client_id/client_secret is ambiguous and refused."""
    with pytest.raises(ValueError, match="either token= or client_id"):
        lucidgreen.SourceClient("id", "secret", token="tok")
    with pytest.raises(ValueError, match="either token= or client_id"):
        lucidgreen.RetailClient(client_secret="secret", token="tok")


@pytest.mark.parametrize(
    ("client_id", "client_secret"), [(None, None), ("id", None), (None, "secret"), ("", "s")]
)
def test_missing_credentials_are_refused(client_id: str | None, client_secret: str | None) -> None:
    """Without a complete credential pair (and no token=), the client refuses to start."""
    with pytest.raises(ValueError, match="credentials missing"):
        lucidgreen.SourceClient(client_id, client_secret)


def test_an_empty_static_token_is_refused() -> None:
    """token="" is refused rather than sent as an empty bearer."""
    with pytest.raises(ValueError, match="token"):
        lucidgreen.SourceClient(token="")


async def test_repr_never_shows_the_secret_or_the_token(lucidgreen_fake: FakeLucidGreen) -> None:
    """repr/str of a client and of its auth hide the client secret and the live token."""
    fake = lucidgreen_fake
    client_id, secret = fake.source_credentials
    async with lucidgreen.SourceClient(client_id, secret, base_url=fake.url) as source:
        await source.products.get(product_uuids(fake)[0])
        (get,) = api_requests(fake)
        token = (get.authorization or "").removeprefix("Bearer ")
        assert token
        shown = [repr(source), str(source), repr(source._auth), str(source._auth)]
    assert client_id in repr(source)  # the id is not a secret and helps debugging
    for text in shown:
        assert secret not in text
        assert token not in text
    static = lucidgreen.SourceClient(token=token, base_url=fake.url)
    assert token not in repr(static)
    assert token not in repr(static._auth)
    await static.aclose()


@pytest.mark.parametrize("keyword", ["token", "client_id", "client_secret"])
def test_a_credential_that_could_inject_a_header_is_refused(keyword: str) -> None:
    """A CR/LF (or other control) in a credential: ValueError naming the keyword, not the value."""
    given: dict[str, Any] = {"client_id": "id", "client_secret": "secret"}
    if keyword == "token":
        given = {}
    given[keyword] = "v4l\r\nX-Evil: 1"
    with pytest.raises(ValueError, match=f"^{keyword}= holds CR, LF") as caught:
        lucidgreen.SourceClient(**given)
    assert "v4l" not in str(caught.value)


async def _never_sends(request: Request) -> Response:
    raise AssertionError(f"no request expected, got {request.method} {request.url}")


@pytest.mark.parametrize("value", ["a\nb", "a\x00b", "a\x7fb", "caf\u00e9"])
def test_the_auth_classes_refuse_what_cannot_be_sent(value: str) -> None:
    """StaticToken and ClientCredentials used directly check like the clients do."""
    with pytest.raises(ValueError, match=r"^token= holds"):
        StaticToken(value)
    with pytest.raises(ValueError, match=r"^client_secret= holds"):
        ClientCredentials("id", value, "http://127.0.0.1:9/o/token/", send=_never_sends)


@pytest.mark.parametrize("blank", ["  ", "\t", " \n "])
def test_a_blank_argument_counts_as_not_given(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    """``token="  "`` falls back to the environment, as ``token=""`` does."""
    monkeypatch.setenv("LUCIDGREEN_SOURCE_TOKEN", "tok-env")
    auth = lucidgreen.SourceClient(token=blank)._auth
    assert isinstance(auth, StaticToken)
    assert auth.is_current("tok-env")
    with pytest.raises(ValueError, match=r"\(client_secret= missing\)$"):
        lucidgreen.SourceClient(client_id="id", client_secret=blank)


@pytest.mark.parametrize("keyword", ["token", "client_id", "client_secret"])
@pytest.mark.parametrize("padded", [" v4lue", "\tv4lue", "v4lue ", "v4lue\t"], ids=repr)
def test_a_credential_with_surrounding_whitespace_is_refused_by_name(
    keyword: str, padded: str
) -> None:
    """A pasted ``" tok"`` would go out as ``Bearer  tok`` and fail at the server with a 401
    saying nothing of why: a ValueError naming the keyword, never the value."""
    given: dict[str, Any] = {"client_id": "id", "client_secret": "secret"}
    if keyword == "token":
        given = {}
    given[keyword] = padded
    with pytest.raises(ValueError, match=f"^{keyword}= has leading or trailing") as caught:
        lucidgreen.SourceClient(**given)
    assert "v4lue" not in str(caught.value)


def test_a_padded_token_variable_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LUCIDGREEN_TOKEN", " tok-env")
    with pytest.raises(ValueError, match=r"^LUCIDGREEN_TOKEN has leading or trailing"):
        lucidgreen.SourceClient()


def test_the_auth_classes_refuse_a_padded_credential() -> None:
    with pytest.raises(ValueError, match=r"^token= has leading"):
        StaticToken(" tok")
    with pytest.raises(ValueError, match=r"^client_id= has leading"):
        ClientCredentials("id\t", "secret", "http://127.0.0.1:9/o/token/", send=_never_sends)
