"""The aiohttp transport (the only module of the client that imports aiohttp), with the
public transport vocabulary of :mod:`lucidgreen.transport` re-exported for the SDK's modules.

- :mod:`._aiohttp` — ``AiohttpTransport``: redirects, body caps, errors that never chain
  to aiohttp's (which hold the request's headers).
"""

from __future__ import annotations

from ..transport import Request, Response, StreamedResponse, Timeout, Transport
from ._aiohttp import DEFAULT_MAX_BODY_SIZE, AiohttpTransport, redirect_target
from ._network import origin_of

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
