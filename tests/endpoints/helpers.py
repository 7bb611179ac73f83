"""Helpers of the endpoint tests: a loopback server scripted per test, and what aioresponses
saw sent, with the checks every request must pass."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import attrs
from aiohttp import web

if TYPE_CHECKING:
    from tests.endpoints.conftest import Sent

__all__ = ["Scripted", "check_headers", "the_request"]


@attrs.define
class Scripted:
    """A loopback server written for the attack: each ``(method, path)`` answers what the
    test scripted (status, raw body, content type); every request is recorded."""

    answers: dict[tuple[str, str], tuple[int, bytes, str]] = attrs.field(factory=dict)
    requests: list[tuple[str, str, bytes]] = attrs.field(factory=list)
    url: str = ""

    def answer(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
        self.answers[(method, path)] = (status, data, content_type)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.raw_path, await request.read()))
        status, body, content_type = self.answers.get(
            (request.method, request.path), (404, b'{"detail": "Not found."}', "application/json")
        )
        return web.Response(status=status, body=body, content_type=content_type)


def check_headers(headers: dict[str, str], *, token: str | None, body: bool) -> None:
    """The SDK's headers: ``token`` as the Bearer (None: no Authorization at all), JSON
    accepted, its User-Agent and a request id, a JSON Content-Type exactly when a body goes."""
    assert headers.get("Authorization") == (None if token is None else f"Bearer {token}")
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("lucidgreen-python/")
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert headers.get("Content-Type") == ("application/json" if body else None)


def the_request(
    sent: list[Sent],
    method: str,
    path: str,
    *,
    token: str | None,
    body: Any = None,
    host: str | None = None,
) -> Sent:
    """The one request sent: ``method`` on ``path`` (at ``host`` if given) with no query,
    ``body`` as its JSON (None: no body) and :func:`check_headers`; returned."""
    (request,) = sent
    assert (request.method, request.raw_path, request.query, request.body) == (
        method,
        path,
        {},
        body,
    )
    if host is not None:
        assert request.host == host
    check_headers(request.headers, token=token, body=body is not None)
    return request
