"""The documented integration flows, as helpers that save real work.

**CaseID → collection → items → brand / product / batch**, the flow LucidRetail documents for
a scanned case: a retailer scans the QR code on a received case, looks the case up, then
each LucidID in it, then the brand, product and batch of every item. A case of *N* items
holding one product costs *N* + 4 calls; at LucidSource's 60 requests a minute that is slow,
so every brand, product and batch is fetched once however many items share it.

.. code-block:: python

    from lucidgreen.flows import DetailCache, resolve_case

    async with lucidgreen.SourceClient(client_id=..., client_secret=...) as source:
        cache = DetailCache(source)          # keep it: later cases reuse what it holds
        case = await resolve_case(source, "https://qr.lcdg.io/case/1A4FF0300000029000012345",
                                  cache=cache)
        for lucid_id, item in case.items.items():
            print(lucid_id, case.products[item.product_uuid].name)

Every request goes through the client, so the client's rate limiter, retries and token
renewal apply; ``concurrency`` only bounds how many of this flow's requests are in flight
at once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from .ids import parse_qr
from .source.models import Batch, Brand, Collection, Item, Product

if TYPE_CHECKING:
    from ._client import SourceClient

__all__ = ["DetailCache", "ResolvedCase", "case_identifier", "resolve_case"]

T = TypeVar("T")
Kind = Literal["brand", "product", "batch"]

# A QR code's text, with or without its scheme: "https://qr.lcdg.io/…", "qr.lcdg.io/…".
_QR_URL = re.compile(r"^(?:https?://|[\w.-]*(?:lcdg\.io|lucidgreen\.io)/)", re.IGNORECASE)


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class ResolvedCase:
    """A case with every item and the details of every brand, product and batch in it.

    ``items`` maps each LucidID of the collection to its :class:`~lucidgreen.source.models.Item`,
    in the collection's order; ``brands``, ``products`` and ``batches`` map uuids to their
    details, one entry per distinct uuid the items name. The mappings are read-only.
    """

    collection: Collection
    items: Mapping[str, Item] = attrs.field(converter=_frozen)
    brands: Mapping[str, Brand] = attrs.field(converter=_frozen)
    products: Mapping[str, Product] = attrs.field(converter=_frozen)
    batches: Mapping[str, Batch] = attrs.field(converter=_frozen)

    @property
    def lucid_ids(self) -> tuple[str, ...]:
        """The case's LucidIDs, in the collection's order."""
        return tuple(self.items)


class DetailCache:
    """Brand, product and batch details of one :class:`~lucidgreen.SourceClient`, each
    fetched once.

    Concurrent requests for the same uuid share one in-flight fetch, so a uuid costs one
    request even when many tasks ask for it at the same moment. Successful answers are
    kept for the cache's lifetime; a failed fetch is forgotten (every task waiting on it
    gets the error) so the next request tries again. ``concurrency`` bounds the fetches
    this cache runs at once (``None``: only the client's rate limiter bounds them).

    A cache belongs to the event loop it is first used on. Cancelling one waiter does not
    cancel a fetch other waiters share; a fetch nobody awaits any more is cancelled.
    """

    def __init__(self, source: SourceClient, *, concurrency: int | None = None) -> None:
        if concurrency is not None and concurrency < 1:
            raise ValueError(f"concurrency must be >= 1 (or None), got {concurrency}")
        self._source = source
        self._gate = asyncio.Semaphore(concurrency) if concurrency is not None else None
        self._tasks: dict[tuple[Kind, str], asyncio.Task[Any]] = {}
        self._waiters: dict[asyncio.Task[Any], int] = {}

    def __repr__(self) -> str:
        done = sum(1 for task in self._tasks.values() if task.done())
        return f"<DetailCache {done} cached, {len(self._tasks) - done} in flight>"

    def __len__(self) -> int:
        """Details cached or being fetched."""
        return len(self._tasks)

    async def brand(self, uuid: str) -> Brand:
        """The brand's details (``source.brands.get``), fetched at most once."""
        return await self._load("brand", uuid, self._source.brands.get, self._gate)

    async def product(self, uuid: str) -> Product:
        """The product's details (``source.products.get``), fetched at most once."""
        return await self._load("product", uuid, self._source.products.get, self._gate)

    async def batch(self, uuid: str) -> Batch:
        """The batch's details (``source.batches.get``), fetched at most once."""
        return await self._load("batch", uuid, self._source.batches.get, self._gate)

    def forget(self, uuid: str | None = None) -> None:
        """Drop one uuid's cached details (every kind), or everything when ``uuid`` is None.

        Fetches already in flight finish for the tasks awaiting them but are not kept.
        """
        for key in [key for key in self._tasks if uuid is None or key[1] == uuid]:
            del self._tasks[key]

    async def _load(
        self,
        kind: Kind,
        uuid: str,
        fetch: Callable[[str], Awaitable[T]],
        gate: asyncio.Semaphore | None,
    ) -> T:
        key = (kind, uuid)
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(_gated(fetch, uuid, gate))
            self._tasks[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        self._waiters[task] = self._waiters.get(task, 0) + 1
        try:
            # shield: one waiter's cancellation leaves the shared fetch to the others...
            result: T = await asyncio.shield(task)
        finally:
            left = self._waiters.pop(task) - 1
            if left:
                self._waiters[task] = left
            elif not task.done():
                # ...but when the last waiter is gone, nobody needs it: stop it.
                task.cancel()
        return result

    def _settled(self, key: tuple[Kind, str], task: asyncio.Task[Any]) -> None:
        # task.exception() also marks the error retrieved (no "never retrieved" warning
        # when every waiter was cancelled); forgetting it lets the next request try again.
        failed = task.cancelled() or task.exception() is not None
        if failed and self._tasks.get(key) is task:
            del self._tasks[key]


async def _gated(
    fetch: Callable[[str], Awaitable[T]], uuid: str, gate: asyncio.Semaphore | None
) -> T:
    if gate is None:
        return await fetch(uuid)
    async with gate:
        return await fetch(uuid)


def case_identifier(qr_or_identifier: str) -> str:
    """The collection identifier in a CaseID QR code's text, or the text itself.

    A QR URL (``https://qr.lcdg.io/case/<identifier>``, ``…/c/<identifier>/``,
    ``…/collection/<identifier>``, with or without the scheme) is read with
    :func:`lucidgreen.ids.parse_qr`; anything else is taken as a bare identifier (a CaseID,
    a Metrc tag, a manifest ID: any non-blank string). An item's QR code (one LucidID)
    raises ``ValueError``: it names an item, not a case.

    >>> case_identifier("https://qr.lcdg.io/case/1A4FF0300000029000012345")
    '1A4FF0300000029000012345'
    >>> case_identifier("MANIFEST 0086834/J 6")
    'MANIFEST 0086834/J 6'
    """
    if not isinstance(qr_or_identifier, str):
        raise TypeError(f"expected a str, not {type(qr_or_identifier).__name__}")
    text = qr_or_identifier.strip()
    if not text:
        raise ValueError(f"expected a CaseID QR code or identifier, got {qr_or_identifier!r}")
    if not _QR_URL.match(text):
        return text
    code = parse_qr(text)
    if code.kind != "case":
        raise ValueError(
            f"{text!r:.120} is an item's QR code (LucidID {code.identifier}), not a CaseID; "
            "look it up with source.items.get()"
        )
    return code.identifier


async def resolve_case(
    source: SourceClient,
    qr_or_identifier: str,
    *,
    concurrency: int = 8,
    cache: DetailCache | None = None,
) -> ResolvedCase:
    """Scan-to-catalogue in one call: the case, its items, and their brands/products/batches.

    ``qr_or_identifier`` is a CaseID QR code's text or a bare collection identifier (see
    :func:`case_identifier`). Fetches the collection (``source.collections.get``), then every
    item (``source.items.get``) and, as each item arrives, the brand, product and batch it
    names. At most ``concurrency`` of these requests are in flight at once, and all of them
    share the client's rate limiter. Each distinct brand, product and batch is requested once;
    pass a :class:`DetailCache` to reuse details across cases (``concurrency`` then bounds
    only the fetches this call starts).

    Raises :class:`~lucidgreen.NotFound` for an unknown case, and otherwise the first error
    of any item or detail fetch, as is (the fetches still running are then cancelled).
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency}")
    identifier = case_identifier(qr_or_identifier)
    details = cache if cache is not None else DetailCache(source)
    gate = asyncio.Semaphore(concurrency)
    collection = await source.collections.get(identifier)
    lucid_ids = list(dict.fromkeys(collection.lucid_ids))
    items: dict[str, Item] = {}
    brands: dict[str, Brand] = {}
    products: dict[str, Product] = {}
    batches: dict[str, Batch] = {}

    fetchers: dict[Kind, tuple[Callable[[str], Awaitable[Any]], dict[str, Any]]] = {
        "brand": (source.brands.get, brands),
        "product": (source.products.get, products),
        "batch": (source.batches.get, batches),
    }
    requested: set[tuple[Kind, str]] = set()

    async def detail(kind: Kind, uuid: str) -> None:
        fetch, found = fetchers[kind]
        found[uuid] = await details._load(kind, uuid, fetch, gate)

    async def resolve(lucid_id: str, group: asyncio.TaskGroup) -> None:
        async with gate:
            item = await source.items.get(lucid_id)
        items[lucid_id] = item
        wanted: tuple[tuple[Kind, str | None], ...] = (
            ("brand", item.brand_uuid),
            ("product", item.product_uuid),
            ("batch", item.batch_uuid),
        )
        for kind, uuid in wanted:
            if uuid and (kind, uuid) not in requested:
                requested.add((kind, uuid))
                group.create_task(detail(kind, uuid))

    failure: Exception | None = None
    try:
        async with asyncio.TaskGroup() as group:
            for lucid_id in lucid_ids:
                group.create_task(resolve(lucid_id, group))
    except ExceptionGroup as errors:
        failure = errors.exceptions[0]
    if failure is not None:
        # Raised outside the handler: the caller sees the API error itself (its own cause
        # kept), not a group, as from any other SDK call.
        raise failure
    return ResolvedCase(
        collection=collection,
        items={lucid_id: items[lucid_id] for lucid_id in lucid_ids},
        brands=brands,
        products=products,
        batches=batches,
    )
