"""The transport: plain request and response values, the protocol any transport follows,
and the aiohttp implementation (the only module of the client that imports aiohttp).

- :mod:`._messages` — ``Request``, ``Response``, ``Timeout``, the ``Transport`` protocol.
- :mod:`._aiohttp` — ``AiohttpTransport``: redirects, body caps, errors that never chain
  to aiohttp's (which hold the request's headers).
"""

from __future__ import annotations

from ._aiohttp import DEFAULT_MAX_BODY_SIZE, AiohttpTransport, redirect_target
from ._messages import Request, Response, StreamedResponse, Timeout, Transport, origin_of

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "AiohttpTransport",
    "Request",
    "Response",
    "StreamedResponse",
    "Timeout",
    "Transport",
    "origin_of",
    "redirect_target",
]
