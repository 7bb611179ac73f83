"""``lucidgreen get``: one resource printed as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._client import RetailClient, SourceClient
from .._serialize import encodable_json, to_dict
from ._common import UsageError, make_client
from ._waits import WaitReporter

__all__ = ["get_retail", "get_source"]


def _print_json(model: Any) -> None:
    text = json.dumps(to_dict(model), ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(encodable_json(text) + "\n")
    sys.stdout.flush()


async def get_source(args: argparse.Namespace) -> int:
    source = make_client(SourceClient, args, waits=WaitReporter(None, args.max_retries))
    async with source:
        kind, ident = args.kind, args.id
        result: Any
        if kind == "product":
            result = await source.products.get(ident)
        elif kind == "batch":
            result = await source.batches.get(ident)
        elif kind == "brand":
            result = await source.brands.get(ident)
        elif kind == "item":
            result = await source.items.get(ident)
        elif kind == "collection":
            result = await source.collections.get(_identifier(ident))
        elif kind == "case":
            result = await source.collections.case(_identifier(ident))
        elif kind == "coa":
            result = await source.digital_coas.get(ident)
        else:
            result = await source.assets.get(args.asset_type, ident)
    _print_json(result)
    return 0


def _identifier(ident: str) -> str:
    if not ident.strip():
        raise UsageError("a collection or case identifier must not be empty")
    return ident


async def get_retail(args: argparse.Namespace) -> int:
    retail = make_client(RetailClient, args, waits=WaitReporter(None, args.max_retries))
    async with retail:
        kind, ident = args.kind, args.id
        result: Any
        if kind == "product":
            result = await retail.products.get(ident)
        elif kind == "batch":
            result = await retail.batches.get(ident)
        elif kind == "brand":
            result = await retail.brands.get(ident)
        else:
            result = await retail.inventory.collection_of(ident)
    _print_json(result)
    return 0
