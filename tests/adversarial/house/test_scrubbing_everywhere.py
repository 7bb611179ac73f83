"""Attack: the one scrubbing home (``lucidgreen._secrets``) against secrets that arrive in
another spelling or another place than the one sent: a presigned download redirected to a
second signed URL, a signed query percent-encoded inside an S3 XML page, the token
JSON-escaped, the client secret form-encoded, a header *name*; and what must hold: the
client id stays shown, a TaskGroup's ExceptionGroup, pickles, copies and hooks show no token.
"""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen import errors
from lucidgreen.ratelimit import Unlimited
from lucidgreen.testing import MockTransport, Request, Response, json_response
from tests.adversarial.support import (
    LID,
    TOKEN,
    assert_no_secret,
    product_json,
    reachable_text,
    retail,
    serve,
    source,
)
from tests.cli.conftest import _no_credentials_from_the_environment, run_cli

SIGNATURE = "FIRSTsignature0123456789abcdef"
TARGET_SIGNATURE = "SECONDsignatureOfTheRedirectTarget42"
STS = "IQoJb3JpZ2luX2Vj/session+token=="  # an STS session token: '/', '+' and '=' encoded


def _s3_forbidden(quoted: str) -> web.Response:
    """S3's SignatureDoesNotMatch page, quoting the canonical query as XML does."""
    xml = (
        "<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code>"
        f"<CanonicalQueryString>{quoted.replace('&', '&amp;')}</CanonicalQueryString></Error>"
    )
    return web.Response(status=403, text=xml, content_type="application/xml")


def _exporting(file_query: str, answer_file: Any) -> Any:
    """A :func:`serve` handler: the export names ``/file.json?{file_query}``, the file
    path is answered by ``answer_file(request)``."""

    async def handler(request: web.Request, n: int) -> web.StreamResponse:
        del n
        if "package-uids-export" in request.path:
            return web.json_response(
                {"export_url": f"{request.url.origin()}/file.json?{file_query}"}
            )
        answered: web.StreamResponse = await answer_file(request)
        return answered

    return handler


async def _redirected(request: web.Request) -> web.StreamResponse:
    if request.path == "/file.json":
        target = f"{request.url.origin()}/real.json?X-Amz-Signature={TARGET_SIGNATURE}"
        raise web.HTTPFound(target)
    return _s3_forbidden(request.query_string)


async def _quoting(request: web.Request) -> web.StreamResponse:
    return _s3_forbidden(request.raw_path.partition("?")[2])  # as sent: percent-encoded


async def _read(export: Any, how: str) -> None:
    if how == "download":
        await export.download()
    else:
        async for _ in export.entries():
            pass


async def _failure_of(handler: Any, how: str) -> errors.LucidGreenError:
    async with serve(handler) as (url, _), retail(url) as client:
        export = await client.package_uids.export()
        with pytest.raises(errors.LucidGreenError) as caught:
            await _read(export, how)
    return caught.value


@pytest.mark.parametrize("how", ["download", "entries"])
async def test_a_redirect_targets_signature_echoed_by_its_403_page_is_hidden(how: str) -> None:
    failure = await _failure_of(_exporting(f"X-Amz-Signature={SIGNATURE}", _redirected), how)
    assert isinstance(failure, errors.PermissionDenied)
    assert_no_secret(reachable_text(failure), SIGNATURE, TARGET_SIGNATURE)


@pytest.mark.parametrize("how", ["download", "entries"])
async def test_the_requests_own_signature_echoed_by_a_403_xml_page_is_hidden(how: str) -> None:
    """What holds: the request's own signature, quoted in an XML page, is hidden."""
    failure = await _failure_of(_exporting(f"X-Amz-Signature={SIGNATURE}", _quoting), how)
    assert "SignatureDoesNotMatch" in reachable_text(failure)
    assert_no_secret(reachable_text(failure), SIGNATURE)


@pytest.mark.parametrize("how", ["download", "entries"])
async def test_a_percent_encoded_session_token_quoted_by_an_s3_page_is_hidden(how: str) -> None:
    query = f"X-Amz-Security-Token={quote(STS, safe='')}&X-Amz-Signature={SIGNATURE}"
    failure = await _failure_of(_exporting(query, _quoting), how)
    spellings = {quote(STS, safe=safe) for safe in ("", "/")}  # as written, as yarl sends it
    assert_no_secret(reachable_text(failure), SIGNATURE, STS, *spellings)


__all__ = ["_no_credentials_from_the_environment", "run_cli"]

ALGORITHM = "AWS4-HMAC-SHA256"


async def test_the_non_secret_values_of_a_presigned_query_stay_shown() -> None:
    """A signed query names its algorithm and date: no secret, and what a 403 page quoting
    them needs to be read by (is the clock skewed?)."""
    query = f"X-Amz-Algorithm={ALGORITHM}&X-Amz-Date=20260101T000000Z&X-Amz-Signature={SIGNATURE}"
    failure = await _failure_of(_exporting(query, _quoting), "download")
    assert isinstance(failure, errors.PermissionDenied)
    assert ALGORITHM in failure.body
    assert "20260101T000000Z" in failure.body
    assert_no_secret(reachable_text(failure), SIGNATURE)


# --- The token in another spelling -------------------------------------------------------

ESCAPED_TOKEN = "\\u0053" + TOKEN[1:]  # TOKEN begins with "S": the same string once parsed


def _answering(status: int, text: str, **headers: str) -> Any:
    async def handler(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.Response(
            status=status, text=text, content_type="application/json", headers=headers
        )

    return handler


async def test_a_json_escaped_token_in_a_2xx_record_is_hidden() -> None:
    text = json.dumps({**product_json(), "name": "@"}).replace('"@"', f'"{ESCAPED_TOKEN}"')
    async with serve(_answering(200, text)) as (url, _), source(url) as client:
        product = await client.products.get(LID)
    assert product.name != TOKEN


async def test_a_json_escaped_token_in_an_errors_body_is_hidden() -> None:
    text = f'{{"detail": "{ESCAPED_TOKEN}"}}'
    async with serve(_answering(400, text)) as (url, _), source(url) as client:
        with pytest.raises(errors.BadRequest) as caught:
            await client.products.get(LID)
    assert caught.value.detail == "<hidden>"  # the parsed field holds: it is hidden
    assert TOKEN not in repr(json.loads(caught.value.body))


SLASHED_SECRET = "s3cr/et+value=withSymbols"


async def _form_echo(request: web.Request, n: int) -> web.Response:
    del n
    form = await request.text()
    return web.json_response({"error": "invalid_client", "error_description": form}, status=401)


async def _token_failure() -> errors.LucidGreenError:
    async with serve(_form_echo) as (url, _):
        client = lucidgreen.SourceClient(
            "my-client-id",
            SLASHED_SECRET,
            base_url=url,
            rate_limiter=Unlimited(),
            retry=lucidgreen.RetryPolicy(max_retries=0),
        )
        async with client:
            with pytest.raises(errors.LucidGreenError) as caught:
                await client.products.get(LID)
    return caught.value


async def test_a_client_secret_echoed_form_encoded_by_the_token_endpoint_is_hidden() -> None:
    failure = await _token_failure()
    assert_no_secret(reachable_text(failure), SLASHED_SECRET, quote_plus(SLASHED_SECRET))


async def test_the_client_id_echoed_by_the_token_endpoint_is_kept() -> None:
    """What holds: only secrets are hidden; the client id (no secret) still shows, to
    diagnose which client was refused."""
    assert "my-client-id" in reachable_text(await _token_failure())


def _echoing_transport(request: Request) -> Response:
    return json_response({"detail": request.headers.get("Authorization", "")}, status=400)


async def test_a_megabyte_token_echoed_back_is_hidden() -> None:
    """A very long credential (1 MiB) is hidden whole, and sent whole."""
    token = "T" * 2**20
    transport = MockTransport(_echoing_transport)
    client = source("http://127.0.0.1:1", token=token, transport=transport)
    async with client:
        with pytest.raises(errors.BadRequest) as caught:
            await client.products.get(LID)
    assert transport.requests[0].headers["Authorization"] == f"Bearer {token}"
    assert caught.value.detail == "<hidden>"
    assert token[:100] not in reachable_text(caught.value)


@pytest.mark.parametrize("status", [200, 404])
async def test_a_token_in_an_answers_header_name_is_hidden(status: int) -> None:
    """Header names arrive lower-cased, so an echo in one is never the token byte for byte:
    it shows in the raw response of a 2xx and in an error's headers alike."""
    echo = _answering(status, json.dumps(product_json()), **{f"X-Debug-{TOKEN}": "1"})
    async with serve(echo) as (url, _), source(url) as client:
        try:
            raw = await client.with_raw_response.products.get(LID)
        except errors.NotFound as exc:
            text = reachable_text(exc)
        else:
            text = repr(dict(raw.headers)) + repr(raw)
    assert_no_secret(text.lower(), TOKEN.lower())


# --- Where an echoed token's error goes next ----------------------------------------------


async def _echo_token(request: web.Request, n: int) -> web.Response:
    del n
    seen = request.headers.get("Authorization", "")
    return web.json_response({"detail": seen}, status=400, headers={"X-Request-ID": seen})


async def _five_at_once(client: lucidgreen.SourceClient) -> None:
    async with asyncio.TaskGroup() as group:
        for _ in range(5):
            group.create_task(client.products.get(LID))


async def test_an_exception_group_of_many_echoing_calls_formats_without_the_token() -> None:
    """A TaskGroup's ExceptionGroup of errors each quoting the token, its notes and the
    chain a caller adds (``raise ... from``) format without it."""
    seen: list[lucidgreen.RequestSent] = []
    hooks = lucidgreen.Hooks(on_request=seen.append)
    async with serve(_echo_token) as (url, _), source(url, hooks=hooks) as client:
        with pytest.raises(ExceptionGroup) as caught:
            await _five_at_once(client)
        stats = repr(client.stats)
    for error in caught.value.exceptions:
        error.add_note(f"while reading {LID}")
    outer = RuntimeError("batch failed")
    outer.__cause__ = caught.value  # as ``raise ... from`` sets it
    text = "".join(traceback.format_exception(outer))
    assert text.count("BadRequest") >= 5
    assert_no_secret(text + stats + repr(seen), TOKEN)


async def test_a_scrubbed_error_pickled_or_copied_holds_no_token() -> None:
    async with serve(_echo_token) as (url, _), source(url) as client:
        with pytest.raises(errors.BadRequest) as caught:
            await client.products.get(LID)
    again = pickle.loads(pickle.dumps(caught.value))
    copied = copy.deepcopy(caught.value)
    assert type(again) is errors.BadRequest
    assert again.request_id == copied.request_id == "<hidden>"
    assert_no_secret(reachable_text(again) + reachable_text(copied), TOKEN)


def _written(folder: Path) -> str:
    """Every file the CLI left in ``folder`` (the output, its cursor), as text."""
    return "".join(path.read_text() for path in folder.iterdir() if path.is_file())


async def test_the_cli_export_prints_and_writes_no_redirect_targets_signature(
    run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "packages.jsonl"
    handler = _exporting(f"X-Amz-Signature={SIGNATURE}", _redirected)
    async with serve(handler) as (url, _):
        result = await run_cli(
            "export", "retail", "package-uids", "--out", str(out), "--no-progress",
            "--base-url", url, "--token", TOKEN,
        )  # fmt: skip
    assert result.code != 0
    assert "403" in result.err
    assert_no_secret(
        result.out + result.err + _written(tmp_path), SIGNATURE, TARGET_SIGNATURE, TOKEN
    )


async def _to_plain_http(request: web.Request) -> web.StreamResponse:
    """A redirect the SDK will not follow (plain http off loopback), naming a signed URL."""
    raise web.HTTPFound(f"http://cdn.example.invalid/x?X-Amz-Signature={TARGET_SIGNATURE}")


@pytest.mark.parametrize("how", ["download", "entries"])
async def test_a_redirect_not_followed_hides_its_locations_signature(how: str) -> None:
    """What holds: the Location of the answer the error is about is searched too."""
    failure = await _failure_of(_exporting(f"X-Amz-Signature={SIGNATURE}", _to_plain_http), how)
    assert isinstance(failure, errors.APIError)
    assert failure.status == 302
    assert_no_secret(reachable_text(failure), SIGNATURE, TARGET_SIGNATURE)


async def _bad_record_quoting_the_token(request: web.Request, n: int) -> web.Response:
    del n
    seen = request.headers.get("Authorization", "")
    results = [product_json(), {"name": seen, "created": seen}]
    return web.json_response({"count": 2, "next": None, "previous": None, "results": results})


async def test_a_skipped_records_raw_json_quoting_the_token_hides_it() -> None:
    """What holds: a 2xx page is hidden before it is parsed, so a bad record's raw JSON and
    reason, and the BadRecords error, show no token."""
    async with serve(_bad_record_quoting_the_token) as (url, _), source(url) as client:
        with pytest.raises(errors.BadRecords) as caught:
            async for _ in client.products.list():
                pass
    [skipped] = caught.value.skipped
    assert "<hidden>" in skipped.raw
    assert_no_secret(reachable_text(caught.value) + repr(skipped), TOKEN)
