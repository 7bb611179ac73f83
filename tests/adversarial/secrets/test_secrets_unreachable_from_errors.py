# ruff: noqa: RUF059, SIM117, E501, PLW1510
"""The bearer token, client secret and presigned query never reach errors, reprs, logs or the
CLI's output, whatever the server answers."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import (
    SourceClient,
)
from tests.adversarial.support import (
    LID,
    MALFORMED,
    NEWTOKEN,
    SECRET,
    TOKEN,
    assert_no_secret,
    drf,
    product,
    raw_server,
    reachable_text,
    retail,
    serve,
    serve_routes,
    source,
    with_credentials,
)
from tests.support import collect


def sdk_logs(caplog: pytest.LogCaptureFixture) -> str:
    """What the SDK's own loggers recorded (aiohttp's server access log is the test's own)."""
    return "\n".join(
        f"{r.getMessage()} {r.args!r}" for r in caplog.records if r.name.startswith("lucidgreen")
    )


@pytest.mark.parametrize("answer", MALFORMED, ids=range(len(MALFORMED)))
async def test_malformed_answer_never_exposes_token(
    answer: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Malformed HTTP: an SDK error; the token unreachable from chain, logs, hook events."""
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []
    hooks = lucidgreen.Hooks(on_request=events.append, on_retry=events.append)
    async with raw_server(answer) as (url, seen), source(url, hooks=hooks) as c:
        try:
            await c.products.get(LID)
            exc_text = ""
        except lucidgreen.LucidGreenError as exc:
            exc_text = reachable_text(exc)
    assert_no_secret(exc_text + sdk_logs(caplog) + repr(events) + repr(c))


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
async def test_raise_for_status_session_keeps_error_tree(status: int) -> None:
    """A caller session with raise_for_status=True: the SDK's typed error, no token reachable."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response({"detail": "no"}, status=status, headers={"Retry-After": "0"})

    async with serve(h) as (url, log), aiohttp.ClientSession(raise_for_status=True) as session:
        async with source(url, session=session) as c:
            with pytest.raises(lucidgreen.APIError) as info:
                await c.products.get(LID)
    assert info.value.status == status
    assert_no_secret(reachable_text(info.value))


async def test_api_error_body_echoing_token_is_scrubbed() -> None:
    """A 401 whose body echoes the bearer token: the token is not in the error."""

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(
            {"detail": f"token {r.headers.get('Authorization')} expired"}, status=401
        )

    async with serve(h) as (url, log), source(url) as c:
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await c.products.get(LID)
    assert_no_secret(reachable_text(info.value))


@pytest.mark.parametrize(
    "body",
    [
        f"access_token={NEWTOKEN}&token_type=Bearer&expires_in=3600",
        f'{{"access_token": "{NEWTOKEN}", "expires_in',
        f'["{NEWTOKEN}"]',
        f'{{"token": "{NEWTOKEN}"}}',
        f'{{"access_token": ["{NEWTOKEN}"]}}',
        f'{{"access_token": "{NEWTOKEN}", "expires_in": "soon"}}',
        f"<html>{NEWTOKEN}</html>",
    ],
)
async def test_odd_token_body_never_quoted(body: str, caplog: pytest.LogCaptureFixture) -> None:
    """Token endpoint 200 with an odd body holding the token: not in the error or logs."""
    caplog.set_level(logging.DEBUG)

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.Response(body=body, content_type="application/x-www-form-urlencoded")
        return web.json_response(product(1))

    async with (
        serve(h) as (url, log),
        with_credentials(url) as c,
    ):
        try:
            await c.products.get(LID)
            text = ""
        except lucidgreen.LucidGreenError as exc:
            text = reachable_text(exc)
    assert_no_secret(text + sdk_logs(caplog), NEWTOKEN, SECRET)


async def test_token_endpoint_error_echoing_secret_is_scrubbed() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        form = await r.post()
        return web.json_response(
            {"error": "invalid_client", "error_description": f"bad {form.get('client_secret')}"},  # type: ignore[str-bytes-safe]
            status=401,
        )

    async with (
        serve(h) as (url, log),
        with_credentials(url) as c,
    ):
        with pytest.raises(lucidgreen.LucidGreenError) as info:
            await c.products.get(LID)
    assert_no_secret(reachable_text(info.value))


def _run_cli(url: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "PYTHONPATH": str(Path.cwd())}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lucidgreen",
            "get",
            "source",
            "product",
            LID,
            "--base-url",
            url,
            "--max-retries",
            "0",
            *args,
        ],
        env=full,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("answer", [MALFORMED[0], MALFORMED[12], MALFORMED[13]], ids=range(3))
async def test_cli_never_prints_token(answer: bytes) -> None:
    async with raw_server(answer) as (url, seen):
        proc = await asyncio.to_thread(_run_cli, url, {"LUCIDGREEN_TOKEN": TOKEN})
    assert proc.returncode != 0
    assert_no_secret(proc.stdout + proc.stderr)


async def test_cli_never_prints_token_from_odd_token_body() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        return web.Response(body=f"access_token={NEWTOKEN}&x=1", content_type="text/plain")

    async with serve(h) as (url, log):
        proc = await asyncio.to_thread(
            _run_cli, url, {"LUCIDGREEN_CLIENT_ID": "cid", "LUCIDGREEN_CLIENT_SECRET": SECRET}
        )
    assert proc.returncode != 0
    assert_no_secret(proc.stdout + proc.stderr, NEWTOKEN, SECRET)


async def test_token_with_crlf_is_refused_without_leak() -> None:
    """A token with CRLF (header injection): an SDK error or ValueError, no header injected,
    token text not in the message."""
    bad = TOKEN + "\r\nX-Injected: 1"

    async def h(r: web.Request, n: int) -> web.Response:
        return web.json_response(product(1))

    async with serve(h) as (url, log):
        try:
            async with source(url, token=bad) as c:
                await c.products.get(LID)
            text = ""
        except (ValueError, lucidgreen.LucidGreenError) as exc:
            text = reachable_text(exc)
    assert all("X-Injected" not in h for _, _, (h, _) in log)
    assert_no_secret(text)


SIG = "SIGNATUREsecretQUERY77"


@pytest.mark.parametrize("file_answer", ["500", "403", "garbage", "redirect-http-evil"])
async def test_presigned_query_never_leaks(
    file_answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []

    async def h(r: web.Request, n: int) -> web.Response:
        if "package-uids-export" in r.path:
            return web.json_response(
                {
                    "export_url": f"{r.url.origin()!s}/file.json?X-Amz-Signature={SIG}&X-Amz-Credential=AKIA{SIG}"
                }
            )
        if file_answer == "garbage":
            return web.Response(body=b"{oops", content_type="application/json")
        if file_answer == "redirect-http-evil":
            return web.Response(
                status=302, headers={"Location": f"http://evil.invalid/f?sig={SIG}"}
            )
        return web.Response(status=int(file_answer), text=f"<Error><Url>{r.path_qs}</Url></Error>")

    async with (
        serve(h) as (url, log),
        retail(url, hooks=lucidgreen.Hooks(on_request=events.append)) as c,
    ):
        export = await c.package_uids.export()
        texts = [repr(export)]
        for reader in (export.download, lambda: collect(export.entries())):
            try:
                await reader()
            except lucidgreen.LucidGreenError as exc:
                texts.append(reachable_text(exc))
    assert_no_secret("\n".join(texts) + sdk_logs(caplog) + repr(events), SIG)


def _deep_repr(obj: Any, depth: int = 3) -> str:
    out: list[str] = []
    seen: set[int] = set()

    def walk(o: Any, d: int) -> None:
        if id(o) in seen or d < 0:
            return
        seen.add(id(o))
        try:
            out.append(repr(o))
        except Exception:
            return
        attrs_: dict[str, Any] = {}
        try:
            attrs_ = dict(vars(o))
        except TypeError:
            for slot in getattr(type(o), "__slots__", ()):
                if hasattr(o, slot):
                    attrs_[slot] = getattr(o, slot)
        for v in attrs_.values():
            walk(v, d - 1)

    walk(obj, depth)
    return "\n".join(out)


async def test_reprs_of_client_and_parts_hide_token_and_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """repr of the client, its pipeline, auth, pager, permit (and its attributes one level down) and
    every hook event / DEBUG log of a token-flow run hide the secret and the bearer token."""
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []

    async def h(r: web.Request, n: int) -> web.Response:
        if r.path.endswith("/o/token/"):
            return web.json_response({"access_token": NEWTOKEN, "expires_in": 3600})
        return drf([product(1)], count=1)

    bucket = lucidgreen.TokenBucket(limit=10, per=1.0)
    async with (
        serve(h) as (url, log),
        with_credentials(
            url, rate_limiter=bucket, hooks=lucidgreen.Hooks(on_request=events.append)
        ) as c,
    ):
        pager = c.products.list()
        await collect(pager)
        permit = await bucket.acquire(hold=1.0)
        text = "\n".join(
            [
                repr(c),
                repr(pager),
                repr(permit),
                repr(c.with_options(timeout=3)),
                _deep_repr(c, 1),
            ]
        )
        await permit.release()
    assert_no_secret(text, SECRET, NEWTOKEN)
    assert_no_secret(repr(events) + sdk_logs(caplog), SECRET, NEWTOKEN)


async def test_deep_repr_two_levels_reaches_client_secret() -> None:
    """Informative: two attribute levels below the client (client -> auth -> field) the
    client secret is a plain str (no SecretStr-style wrapper)."""
    c = lucidgreen.SourceClient("cid", SECRET, base_url="http://127.0.0.1:1")
    try:
        assert_no_secret(_deep_repr(c, 2), SECRET)
    finally:
        await c.aclose()


async def test_a_refusing_token_endpoint_that_echoes_the_secret_does_not_leak_it() -> None:
    """A 401 whose body repeats the client secret: the AuthenticationError hides it."""

    async def echo(request: web.Request) -> web.Response:
        form = await request.post()
        return web.json_response(
            {"error": "invalid_client", "detail": f"bad secret {form['client_secret']!s}"},
            status=401,
        )

    async with (
        serve_routes({"/o/token/": echo}) as (url, _),
        SourceClient("id", SECRET, base_url=url) as source,
    ):
        with pytest.raises(lucidgreen.AuthenticationError) as caught:
            await source.products.get(LID)
    error = caught.value
    assert SECRET not in f"{error} {error!r} {error.body} {error.data} {error.__context__!r}"
    assert error.__cause__ is None
