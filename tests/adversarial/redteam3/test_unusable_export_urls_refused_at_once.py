"""#23 item 5 from outside: an export URL that is not https (or a loopback http) is refused
at once with a typed error: nothing fetched, nothing retried, no connection attempted."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import retail, serve

UNUSABLE = [
    "http://10.255.255.1/x",
    "HTTP://10.255.255.1/x",
    "https://exa mple.invalid/x",  # a space in the host must not reach DNS
    "http://localhost.evil.invalid/x",  # only starts like a loopback name
    "http://127.0.0.1.evil.invalid/x",
    "file:///etc/passwd",
    "ftp://10.255.255.1/x",
    "gopher://10.255.255.1/x",
    "javascript:alert(1)",
    "garbage",
    "",
    "https://",
    "https:///no-host",
    "//10.255.255.1/x",
    "/relative/path.json",
    "https://example.invalid:99999/x",
]


@pytest.mark.parametrize("export_url", UNUSABLE)
async def test_unusable_export_url_is_a_typed_error_without_retry(export_url: str) -> None:
    retries: list[Any] = []

    async def h(r: web.Request, n: int) -> web.Response:
        del n
        if "package-uids-export" in r.path:
            return web.json_response({"export_url": export_url})
        return web.json_response({})

    policy = lucidgreen.RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.02)
    hooks = lucidgreen.Hooks(on_retry=retries.append)
    async with serve(h) as (url, log), retail(url, retry=policy, hooks=hooks, timeout=3) as c:
        with pytest.raises(lucidgreen.LucidGreenError) as info:  # noqa: PT012 (either step may refuse)
            export = await c.package_uids.export()
            await export.download()
        paths = [p for _, p, _ in log]
    assert not isinstance(info.value, lucidgreen.ConnectError | lucidgreen.RequestTimeout)
    assert retries == []
    assert all("package-uids-export" in p for p in paths), paths


async def test_loopback_http_export_url_is_still_downloaded() -> None:
    async def h(r: web.Request, n: int) -> web.Response:
        del n
        if "package-uids-export" in r.path:
            return web.json_response({"export_url": f"{r.url.origin()!s}/file.json?sig=1"})
        return web.json_response({"PKG1": {"CASE1": ["L1"]}})

    async with serve(h) as (url, _), retail(url) as c:
        export = await c.package_uids.export()
        mapping = await export.download()
    assert len(mapping) == 1
