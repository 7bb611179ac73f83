"""Helpers for the push APIs: the calls LucidRetail makes to your POS (the "3PP").

LucidRetail POSTs each scanned case to your Receive Case webhook and queries your Retail
Transactions endpoint; both send ``Authorization: Token <token>``, as the push APIs
document.

.. code-block:: python

    from aiohttp import web
    from lucidgreen import push

    async def on_case(case: push.CaseDocument) -> None:
        await pos.import_metrc_ids(push.current_regulator_ids(case))
        await pos.store_lucid_ids(case.lucid_ids)

    async def sales(start, end) -> list[push.PosTransaction]:
        return await pos.sales_between(start, end)

    app = web.Application()
    push.add_receive_case_route(app, "/lucidgreen/case/", token=TOKEN, on_case=on_case)
    push.add_retail_transactions_route(
        app, "/lucidgreen/transactions/", token=TOKEN, fetch_transactions=sales
    )

The parsing and building functions are pure and usable with any web framework.
"""

from __future__ import annotations

from ._case import current_regulator_ids, parse_case
from ._transactions import (
    build_transactions_response,
    parse_transactions_query,
    transactions_window,
)
from ._webhook import (
    Handler,
    add_receive_case_route,
    add_retail_transactions_route,
    transactions_handler,
    webhook_handler,
)
from .models import CaseDocument, CaseDocumentItem, CaseRegulatorID, PosTransaction

__all__ = [
    "CaseDocument",
    "CaseDocumentItem",
    "CaseRegulatorID",
    "Handler",
    "PosTransaction",
    "add_receive_case_route",
    "add_retail_transactions_route",
    "build_transactions_response",
    "current_regulator_ids",
    "parse_case",
    "parse_transactions_query",
    "transactions_handler",
    "transactions_window",
    "webhook_handler",
]
