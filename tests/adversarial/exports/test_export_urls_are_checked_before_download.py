"""The export's presigned URL is a server's word: downloaded only from https or loopback.

The attack: ``{"export_url": ...}`` pointing at plain http on the network (the file, and
whatever it maps, would travel in clear and could be swapped on the way), ``file://``,
``ftp://`` or garbage. Such a URL is refused before anything is sent, with
``DecodeError``, at once: no connection, no retry schedule.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from lucidgreen.retail._export_url import check_download_url
from tests.adversarial.support import running

from .readers import READS, read_export

UNUSABLE = [
    "http://10.255.255.1/x",
    "http://cdn.lucidgreen.io/exports/file.json?X-Amz-Signature=abc",
    "http://127.0.0.1.evil.example/x",
    "file:///etc/passwd",
    "ftp://cdn.lucidgreen.io/file.json",
    "gopher://127.0.0.1/x",
    "not a url",
    "",
    "/relative/file.json",
    "//cdn.lucidgreen.io/file.json",
    "https://",
    "https:///file.json",
    "https://[::1/x",
    "https://cdn.lucidgreen.io/x\r\nX-Injected: 1",
    "https://cdn.lucidgreen.io/x y",
    "HTTP://10.255.255.1/x",
    "https://exa mple.invalid/x",  # a space in the host must not reach DNS
    "http://localhost.evil.invalid/x",  # only starts like a loopback name
    "javascript:alert(1)",
    "garbage",
    "https:///no-host",
    "//10.255.255.1/x",
    "https://example.invalid:99999/x",
    "http://127.0.0.1.evil.invalid/x",
    "ftp://10.255.255.1/x",
    "gopher://10.255.255.1/x",
    "/relative/path.json",
]

USABLE = [
    "https://cdn.lucidgreen.io/exports/file.json?X-Amz-Signature=abc",
    "HTTPS://CDN.example/x",
    "https://cdn.example:8443/x",
    "http://127.0.0.1:8080/file.json",
    "http://localhost/file.json",
    "http://[::1]:9000/file.json",
]


@pytest.mark.parametrize("url", UNUSABLE)
def test_an_unusable_export_url_is_refused(url: str) -> None:
    """Pure: anything but https, or http to a loopback host, is a DecodeError."""
    with pytest.raises(lucidgreen.DecodeError, match="export_url"):
        check_download_url(url)


@pytest.mark.parametrize("url", USABLE)
def test_https_and_loopback_export_urls_are_accepted(url: str) -> None:
    assert check_download_url(url) == url


def test_the_refusal_never_quotes_the_signature() -> None:
    """A presigned URL's query is its signature: the error names the scheme and host only."""
    with pytest.raises(lucidgreen.DecodeError) as caught:
        check_download_url("http://cdn.example/file.json?X-Amz-Signature=s3cr3t")
    shown = f"{caught.value} {caught.value!r} {caught.value.text}"
    assert "s3cr3t" not in shown
    assert "cdn.example" in shown


@asynccontextmanager
async def exporting(export_url: str) -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback API whose package-UID export points at ``export_url``."""
    seen: list[str] = []

    async def answer(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        if "package-uids-export" in request.path:
            return web.json_response({"export_url": export_url})
        return web.json_response({"P1": {"C1": ["L1"]}})  # were it ever fetched

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    async with running(app) as url:
        yield url, seen


RETRIES = lucidgreen.RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.02)


@pytest.mark.parametrize("url", [*UNUSABLE, "ftp://h/x", "::"])
@pytest.mark.parametrize("read", READS)
async def test_a_download_from_an_unusable_url_fails_at_once_without_sending(
    url: str, read: str
) -> None:
    """download() and entries() raise DecodeError before any request leaves: though retries
    are allowed none is scheduled, and nothing but the export call was sent."""
    sent: list[str] = []
    retries: list[Any] = []
    hooks = lucidgreen.Hooks(
        on_request=lambda event: sent.append(event.url),
        on_retry=retries.append,
    )
    async with (
        exporting(url) as (base, seen),
        lucidgreen.RetailClient(token="t0ken", base_url=base, hooks=hooks, retry=RETRIES) as retail,
    ):
        export = await retail.package_uids.export()
        with pytest.raises(lucidgreen.DecodeError, match="export_url"):
            await read_export(export, read)
    assert retries == []
    assert [s for s in sent if "package-uids-export" not in s] == []
    assert seen == ["/api/v1.2/package-uids-export/"]


async def test_a_loopback_export_url_still_downloads() -> None:
    """The check lets a loopback http URL (a local fake or mirror) through."""
    async with (
        exporting("") as (base, _),
        exporting(f"{base}/file.json?sig=x") as (api, _),
        lucidgreen.RetailClient(token="t0ken", base_url=api) as retail,
    ):
        export = await retail.package_uids.export()
        assert await export.download() == {"P1": {"C1": ["L1"]}}
