"""Helpers of the endpoint tests: a loopback server scripted per test."""

from __future__ import annotations

import json
from typing import Any

import attrs
from aiohttp import web

__all__ = ["Scripted"]


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
