"""``lucidgreen get``: one resource printed as JSON.

Each product's kinds are one table, ``kind -> the call that reads it``: the parser offers
its keys and the command runs the entry the caller named.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .._client import BaseClient, RetailClient, SourceClient
from .._serialize import encodable_json, to_dict
from ._common import UsageError, make_client
from ._waits import WaitReporter

__all__ = ["RETAIL_READS", "SOURCE_READS", "get_retail", "get_source"]

C = TypeVar("C", bound=BaseClient)
Read = Callable[[C, argparse.Namespace], Awaitable[Any]]


def _identifier(args: argparse.Namespace) -> str:
    if not args.id.strip():
        raise UsageError("a collection or case identifier must not be empty")
    return str(args.id)


SOURCE_READS: Mapping[str, Read[SourceClient]] = {
    "product": lambda source, args: source.products.get(args.id),
    "batch": lambda source, args: source.batches.get(args.id),
    "brand": lambda source, args: source.brands.get(args.id),
    "item": lambda source, args: source.items.get(args.id),
    "collection": lambda source, args: source.collections.get(_identifier(args)),
    "case": lambda source, args: source.collections.case(_identifier(args)),
    "coa": lambda source, args: source.digital_coas.get(args.id),
    "asset": lambda source, args: source.assets.get(args.asset_type, args.id),
}
"""``lucidgreen get source KIND ID``: what each kind reads."""

RETAIL_READS: Mapping[str, Read[RetailClient]] = {
    "product": lambda retail, args: retail.products.get(args.id),
    "batch": lambda retail, args: retail.batches.get(args.id),
    "brand": lambda retail, args: retail.brands.get(args.id),
    "inventory-collection": lambda retail, args: retail.inventory.collection_of(args.id),
}
"""``lucidgreen get retail KIND ID``: what each kind reads."""


async def _get(cls: type[C], reads: Mapping[str, Read[C]], args: argparse.Namespace) -> int:
    client = make_client(cls, args, waits=WaitReporter(None, args.max_retries))
    async with client:
        result = await reads[args.kind](client, args)
    text = json.dumps(to_dict(result), ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(encodable_json(text) + "\n")
    sys.stdout.flush()
    return 0


async def get_source(args: argparse.Namespace) -> int:
    return await _get(SourceClient, SOURCE_READS, args)


async def get_retail(args: argparse.Namespace) -> int:
    return await _get(RetailClient, RETAIL_READS, args)
