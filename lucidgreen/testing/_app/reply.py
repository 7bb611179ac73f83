"""What a route or a fault answers, before it becomes an aiohttp response."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from ..._serialize import encodable_json

__all__ = ["HttpError", "Reply", "dumps", "html_not_found"]


def dumps(data: Any) -> bytes:
    """JSON the way DRF's ``JSONRenderer`` writes it: compact, UTF-8, no ASCII escaping (but
    a surrogate code point, which UTF-8 cannot carry, as its ``\\uXXXX`` escape)."""
    return encodable_json(json.dumps(data, separators=(",", ":"), ensure_ascii=False)).encode()


@attrs.define
class Reply:
    """A status, headers and either a body or a lazily generated stream of chunks."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = attrs.field(factory=dict)
    #: For large files: called (possibly twice) to produce the body without holding it whole.
    chunks: Callable[[], Iterator[bytes]] | None = None
    #: Content-Length of ``chunks``; None: measured by running them once.
    length: int | None = None

    @classmethod
    def json(cls, status: int, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
        """A JSON answer."""
        return cls(status, dumps(data), {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def empty(cls, status: int, headers: Mapping[str, str] | None = None) -> Reply:
        """An answer with no body."""
        return cls(status, b"", dict(headers or {}))

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain") -> Reply:
        """A plain-text answer."""
        return cls(status, text.encode(), {"Content-Type": f"{content_type}; charset=utf-8"})

    @classmethod
    def scripted(cls, status: int, body: Any, headers: Mapping[str, str] | None = None) -> Reply:
        """A test-provided answer: dict/list as JSON, str as text, bytes as is, None empty."""
        extra = dict(headers or {})
        has_type = any(k.lower() == "content-type" for k in extra)
        if body is None:
            return cls.empty(status, extra)
        if isinstance(body, bytes):
            return cls(status, body, extra)
        if isinstance(body, str):
            reply = cls.text(status, body)
            if has_type:
                reply.headers.clear()
            reply.headers.update(extra)
            return reply
        reply = cls.json(status, body)
        if has_type:
            reply.headers.clear()
        reply.headers.update(extra)
        return reply

    def data(self) -> Any:
        """The body parsed as JSON (for replies built with :meth:`json`)."""
        return json.loads(self.body)


class HttpError(Exception):
    """Raised inside a route handler to answer with ``reply`` right away."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply

    @classmethod
    def json(cls, status: int, data: Any) -> HttpError:
        return cls(Reply.json(status, data))


_NOT_FOUND_HTML = """<!doctype html>
<html lang="en">
<head>
  <title>Not Found</title>
</head>
<body>
  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>
</body>
</html>
"""


def html_not_found() -> Reply:
    """Django's production 404 page: what an unknown path gets, before DRF is reached."""
    return Reply.text(404, _NOT_FOUND_HTML, "text/html")
