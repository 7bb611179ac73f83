"""Promise attacked: the client secret never reaches an error, its repr, its headers or a
log, whatever the token endpoint answers. A hostile (or debug-mode) token endpoint echoes
the form it was sent: in a 5xx page (Django's debug page lists POST data), in a 403 or
429, and in a response header."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web

import lucidgreen

from ..support import LID, SECRET, assert_no_secret, reachable_text, serve, with_credentials


def _echo(status: int, *, in_header: bool) -> object:
    async def handler(request: web.Request, n: int) -> web.Response:
        del n
        form = await request.post()
        echoed = f"POST data: client_secret={form.get('client_secret')!s}"
        headers = {"X-Debug": echoed} if in_header else {}
        return web.Response(status=status, text=echoed, headers=headers)

    return handler


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
@pytest.mark.parametrize("in_header", [False, True], ids=["body", "header"])
async def test_a_token_endpoint_echoing_the_form_never_leaks_the_secret(
    status: int, in_header: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lucidgreen")
    async with serve(_echo(status, in_header=in_header)) as (url, _), with_credentials(url) as c:  # type: ignore[arg-type]
        with pytest.raises(lucidgreen.LucidGreenError) as caught:
            await c.products.get(LID)
    error = caught.value
    shown = reachable_text(error) + repr(getattr(error, "headers", {}))
    assert_no_secret(shown + caplog.text, SECRET)
