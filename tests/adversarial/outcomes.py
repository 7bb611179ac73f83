"""How a call ended, for the tests that judge it: :func:`outcome_of` keeps a result or the SDK's
error alike, :func:`error` insists on an error, and :data:`REFUSALS` pairs the 4xx answers
with the typed errors the SDK raises for them."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import lucidgreen


async def outcome_of(call: Awaitable[Any]) -> Any:
    """What ``call`` returned, or the ``LucidGreenError`` it raised; any other exception
    escapes, since the SDK promised to raise only its own."""
    try:
        return await call
    except lucidgreen.LucidGreenError as exc:
        return exc


async def error(call: Awaitable[Any]) -> lucidgreen.LucidGreenError:
    """The ``LucidGreenError`` ``call`` raised; a call that succeeds fails the test."""
    try:
        result = await call
    except lucidgreen.LucidGreenError as exc:
        return exc
    raise AssertionError(f"expected an error, got {result!r}")


# status -> the typed error a refusal with it is
REFUSALS: list[tuple[int, type[lucidgreen.APIError]]] = [
    (400, lucidgreen.BadRequest),
    (403, lucidgreen.PermissionDenied),
    (404, lucidgreen.NotFound),
    (405, lucidgreen.MethodNotAllowed),
]
