"""Every text field of every write is a ``str`` (or ``None`` where optional) when it is sent.

A caller without a type checker passes ``order_id=1`` or ``package_uid=None``; serialised as
given, the server would get a number or ``null`` and deduplicate, or refuse, on a value the
caller did not mean. Each such argument is a ``TypeError`` naming it, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

import lucidgreen
from tests.adversarial.support import LID, LID2, NOW, retail, serve, source

Write = Callable[[lucidgreen.SourceClient, lucidgreen.RetailClient, Any], Awaitable[Any]]

CASE = {
    "case_uuid": LID,
    "packaged_product_uuid": LID2,
    "pos_product_id": "P1",
    "pos_inventory_id": "I1",
    "package_uid": "1A4060300000000000000001",
}

# (write, the argument given a wrong value, whether None is allowed for it)
WRITES: dict[str, tuple[Write, list[tuple[str, bool]]]] = {
    "transactions.complete": (
        lambda s, r, kw: r.transactions.complete(
            **{"order_id": "o-1", "items": [LID], "performed_at": NOW, **kw}
        ),
        [("order_id", False), ("customer_id", True), ("budtender_id", True)],
    ),
    "transactions.void": (
        lambda s, r, kw: r.transactions.void(**{"performed_at": NOW, **kw}),
        [("order_id", True), ("customer_id", True), ("budtender_id", True)],
    ),
    "caseids.import_case": (
        lambda s, r, kw: r.caseids.import_case(**{**CASE, **kw}),
        [
            ("pos_product_id", False),
            ("pos_inventory_id", False),
            ("package_uid", False),
            ("sku", True),
        ],
    ),
    "caseids.remove_import": (
        lambda s, r, kw: r.caseids.remove_import(
            **{"case_uuid": LID, "package_uid": "1A4060300000000000000001", **kw}
        ),
        [("package_uid", False)],
    ),
    "inventory.add_items": (
        lambda s, r, kw: r.inventory.add_items(
            LID, **{"case_uuid": LID, "lucid_ids": [LID2], **kw}
        ),
        [
            ("inventory_collection_identifier", True),
            ("internal_inventory_item_id", True),
            ("internal_catalog_product_id", True),
            ("hostname", True),
        ],
    ),
    "assets.create": (
        lambda s, r, kw: s.assets.create("texts", **{"name": "Dosing", "content": "Low.", **kw}),
        [("name", False), ("content", False), ("description", True)],
    ),
}

CASES = [
    pytest.param(write, argument, wrong, id=f"{write}-{argument}-{type(wrong).__name__}")
    for write, (_, arguments) in WRITES.items()
    for argument, optional in arguments
    for wrong in ([1, b"bytes"] if optional else [1, None, b"bytes"])
]


@pytest.mark.parametrize(("write", "argument", "wrong"), CASES)
async def test_a_text_argument_of_another_type_is_a_type_error_before_sending(
    write: str, argument: str, wrong: object
) -> None:
    async def answer(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.json_response({}, status=500)

    call, _ = WRITES[write]
    async with serve(answer) as (url, log), source(url) as s, retail(url) as r:
        with pytest.raises(TypeError, match=rf"^{argument} must be a str") as caught:
            await call(s, r, {argument: wrong})
    assert type(wrong).__name__ in str(caught.value)
    assert log == []


@pytest.mark.parametrize(
    "write", [w for w, (_, arguments) in WRITES.items() if any(o for _, o in arguments)]
)
async def test_none_stays_allowed_where_the_argument_is_optional(write: str) -> None:
    """The check refuses only what is wrong: an optional text argument given None is sent."""
    call, arguments = WRITES[write]
    optional = {name: None for name, allowed in arguments if allowed}

    async def answer(request: web.Request, n: int) -> web.Response:
        del request, n
        return web.json_response({"detail": "refused"}, status=400)

    async with serve(answer) as (url, log), source(url) as s, retail(url) as r:
        with pytest.raises(lucidgreen.BadRequest):
            await call(s, r, optional)
    assert len(log) == 1
