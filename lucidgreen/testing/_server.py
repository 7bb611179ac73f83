"""``FakeLucidGreen``: both LucidGreen APIs and a CDN, served on loopback by aiohttp.

Two sites on two ports, so two origins: ``fake.url`` serves LucidSource (``/api/v1.5/``),
LucidRetail (``/api/v1.2/``) and the token endpoint (``/o/token/``); ``fake.cdn_url`` serves
presigned export files and media. Each request goes through the frontend (``_serving.py``:
record, latency, faults, write) to the application (``_app.py``) or the CDN (``_export.py``).

This module is the fake's one public face: the constructor's documented knobs, and the
properties and test helpers over them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from .. import _limits
from ._app.application import Application
from ._app.export import ExportSettings, UrlSigner, cdn_reply, export_chunks, latest_export_day
from ._app.reply import Reply
from ._app.routing import Arrival, Backend
from ._clients import retail_client, source_client
from ._faults import Faults
from ._frontend import Frontend, Site
from ._middleware.auth import Credentials, Product, TokenStore
from ._middleware.throttle import RateLimit, Throttle
from ._recorder import RecordedRequest, RequestLog, Stats
from ._state import inventory
from ._state.inventory import Stock
from ._state.records import Product as ProductRecord
from ._state.seed import Counts, DataGenerator
from ._state.state import FakeState

if TYPE_CHECKING:
    from .._client import RetailClient, SourceClient

__all__ = ["SUMMARY_PATH", "FakeLucidGreen"]

#: ``GET`` it on :attr:`FakeLucidGreen.url` for :meth:`FakeLucidGreen.summary` as JSON.
SUMMARY_PATH = "/__fake__/summary"

_DEFAULT_SOURCE = RateLimit(_limits.SOURCE_LIMIT, _limits.WINDOW)
_DEFAULT_RETAIL = RateLimit(_limits.RETAIL_LIMIT, _limits.WINDOW)
_DEFAULT_PUBLIC = RateLimit(_limits.PUBLIC_LOOKUP_LIMIT, _limits.WINDOW)


class FakeLucidGreen:
    """A faithful, seeded fake of LucidSource and LucidRetail for tests and local runs.

    ::

        async with FakeLucidGreen(products=120, page_size=50) as fake:
            client_id, client_secret = fake.source_credentials
            ...  # talk to fake.url; look at fake.requests, fake.stats, fake.state

    Args:
        seed: drives every generated id and value, and the random faults.
        products, brands, batches, items, cases, items_per_case, collections, assets:
            how much data to generate (``assets`` is per asset type; cases take
            ``items_per_case`` LucidIDs each from ``items``, the rest are loose).
        page_size: server-side page size of the paginated lists (settable later).
        host, port, cdn_port: where to listen; port 0 picks a free port.
        token_ttl: seconds a token lives (``expires_in``; settable later).
        rate_limits: False turns the sliding-window limiter off (``fake.limits.enabled``).
        source_limit, retail_limit, public_limit: :class:`RateLimit` per scope, or None.
        arrival_jitter: each API request waits a random 0 to this many seconds before the
            throttle counts it, so arrivals reach the window out of send order
            (``fake.limits.arrival_jitter``).
        source_credentials, retail_credentials: fixed ``(client_id, client_secret)`` pairs;
            generated from the seed when omitted.
        export_packages: synthetic package UIDs in the export file (``fake.export.packages``).
        max_recorded: keep only the last N requests in ``fake.requests`` (None: all).
        stock: cases put in the dispensary's inventory at start (see :meth:`add_inventory`),
            so ``transactions.complete`` can sell :meth:`sellable_lucid_ids` at once.
        clock: monotonic seconds for token expiry, rate limits and URL expiry.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        products: int = 120,
        brands: int = 4,
        batches: int = 60,
        items: int = 240,
        cases: int = 20,
        items_per_case: int = 8,
        collections: int = 12,
        assets: int = 8,
        page_size: int = 50,
        host: str = "127.0.0.1",
        port: int = 0,
        cdn_port: int = 0,
        token_ttl: float = 36000.0,
        rate_limits: bool = True,
        source_limit: RateLimit | None = _DEFAULT_SOURCE,
        retail_limit: RateLimit | None = _DEFAULT_RETAIL,
        public_limit: RateLimit | None = _DEFAULT_PUBLIC,
        arrival_jitter: float = 0.0,
        source_credentials: tuple[str, str] | None = None,
        retail_credentials: tuple[str, str] | None = None,
        export_packages: int = 50,
        max_recorded: int | None = None,
        stock: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        counts = Counts(
            products, brands, batches, items, cases, items_per_case, collections, assets
        )
        self.seed = seed
        self._host = host
        self._ports = {"api": port, "cdn": cdn_port}
        self._clock = clock
        self._generator = DataGenerator(seed)
        #: The data; read it to assert on effects, change it to set up a scenario.
        self.state: FakeState = self._generator.state(counts)
        #: Fault injection knobs (see :class:`Faults`).
        self.faults: Faults = Faults(seed=seed)
        #: Rate-limit knobs and windows (see :class:`Throttle`).
        self.limits: Throttle = Throttle(
            clock=clock,
            source=source_limit,
            retail=retail_limit,
            public=public_limit,
            enabled=rate_limits,
            arrival_jitter=arrival_jitter,
            rng=random.Random(f"{seed}:arrival"),
        )
        #: Package-UID export knobs (see :class:`ExportSettings`).
        self.export: ExportSettings = ExportSettings(packages=export_packages)
        #: Every request received, oldest first.
        self.requests: RequestLog = RequestLog(max_recorded)
        #: Counters.
        self.stats: Stats = Stats()
        secrets_rng = random.Random(f"{seed}:credentials")
        self._tokens = TokenStore(clock=clock, rng=secrets_rng, ttl=token_ttl)
        self.source_credentials: Credentials = self._tokens.add_client(
            "source", Credentials(*source_credentials) if source_credentials else None
        )
        self.retail_credentials: Credentials = self._tokens.add_client(
            "retail", Credentials(*retail_credentials) if retail_credentials else None
        )
        self._backend = Backend(
            state=self.state,
            faults=self.faults,
            export=self.export,
            signer=UrlSigner(clock=clock, secret=secrets_rng.randbytes(32)),
            seed=seed,
            page_size=page_size,
            rng=random.Random(f"{seed}:runtime"),
        )
        self._app = Application(self._backend, self._tokens, self.limits, self.stats)
        for _ in range(min(stock, len(inventory.stockable(self.state)))):
            self.add_inventory()
        self._runners: list[web.AppRunner] = []
        self._urls: dict[Site, str] = {}
        self._frontend = Frontend(
            answer=self._answer,
            faults=self.faults,
            limits=self.limits,
            stats=self.stats,
            requests=self.requests,
            clock=clock,
            # Late-bound, so a test may wrap _sleep to count overlapping requests.
            delay=lambda seconds: self._sleep(seconds),  # noqa: PLW0108
        )

    # -- addresses and knobs ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: both APIs and ``/o/token/``."""
        return self._url("api")

    @property
    def source_url(self) -> str:
        """Base URL to give a LucidSource client (the same origin as :attr:`url`)."""
        return self.url

    @property
    def retail_url(self) -> str:
        """Base URL to give a LucidRetail client (the same origin as :attr:`url`)."""
        return self.url

    @property
    def cdn_url(self) -> str:
        """The second origin, serving presigned export files and media."""
        return self._url("cdn")

    def _url(self, site: Site) -> str:
        if site not in self._urls:
            raise RuntimeError("FakeLucidGreen is not started; use 'async with' or start()")
        return self._urls[site]

    @property
    def page_size(self) -> int:
        return self._backend.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        if value < 1:
            raise ValueError("page_size must be >= 1")
        self._backend.page_size = value

    @property
    def token_ttl(self) -> float:
        """Lifetime of tokens issued from now on, in seconds."""
        return self._tokens.ttl

    @token_ttl.setter
    def token_ttl(self, value: float) -> None:
        self._tokens.ttl = value

    @property
    def dispensary_uuid(self) -> str:
        """The dispensary the Retail credentials are linked to."""
        return self.state.dispensary_uuid

    # -- helpers for tests --------------------------------------------------------------------

    def source_client(self, **options: Any) -> SourceClient:
        """A SourceClient on this fake with its credentials and a budget matching its limits
        (unopened: ``async with fake.source_client() as client``); ``options`` go to it."""
        return source_client(self, **options)

    def retail_client(self, **options: Any) -> RetailClient:
        """A RetailClient on this fake, built like :meth:`source_client`."""
        return retail_client(self, **options)

    def issue_token(self, product: Product = "source") -> str:
        """A valid bearer token for ``product`` without an HTTP round trip."""
        credentials = self.source_credentials if product == "source" else self.retail_credentials
        self.stats.tokens_issued += 1
        return self._tokens.issue(credentials.client_id).token

    def expire_tokens(self) -> int:
        """Expire every token issued so far (the next use answers 401); returns the count."""
        return self._tokens.expire_all()

    def add_credentials(self, product: Product) -> Credentials:
        """Register another API client (its own rate-limit budget) for ``product``."""
        return self._tokens.add_client(product)

    def add_products(self, count: int) -> list[ProductRecord]:
        """Append generated products (e.g. mid-walk, to move ``count`` under a pager)."""
        return self._generator.add_products(self.state, count)

    def add_inventory(self, case_uuid: str | None = None) -> Stock:
        """Put a case (default: the last one not stocked yet) in the dispensary's inventory.

        Returns its LucidIDs, ready for ``transactions.complete``::

            stock = fake.add_inventory()
            await retail.transactions.complete(order_id="o-1", items=list(stock.lucid_ids[:2]),
                                               performed_at=datetime.now(UTC))
        """
        return inventory.add_inventory(self.state, case_uuid)

    def sellable_lucid_ids(self) -> list[str]:
        """LucidIDs in inventory and not sold (in no unvoided transaction)."""
        return inventory.sellable_lucid_ids(self.state)

    def summary(self) -> dict[str, Any]:
        """What the fake saw, as plain JSON data (also ``GET /__fake__/summary``)."""
        return self.stats.as_dict()

    def export_file(self, day: date | None = None) -> dict[str, dict[str, list[str]]]:
        """The export file content for ``day`` (default: the latest), for assertions."""
        day = day or latest_export_day(self.export)
        generate = export_chunks(self.seed, day, self.state, self.export)
        data: dict[str, dict[str, list[str]]] = json.loads(b"".join(generate()))
        return data

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return bool(self._runners)

    async def start(self) -> None:
        """Listen on both sites. Idempotent while running."""
        if self._runners:
            return
        self._frontend.reopen()
        try:
            for site in ("api", "cdn"):
                app = web.Application(client_max_size=64 * 1024 * 1024)
                handler = self._api_handler if site == "api" else self._cdn_handler
                app.router.add_route("*", "/{tail:.*}", handler)
                runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
                await runner.setup()
                self._runners.append(runner)
                await web.TCPSite(runner, self._host, self._ports[site]).start()
                port = runner.addresses[0][1]
                self._urls[site] = f"http://{self._host}:{port}"
        except BaseException:
            await self.close()
            raise
        self._backend.cdn_url = self._urls["cdn"]

    async def close(self) -> None:
        """Release stalled and sleeping requests, then stop both sites. Idempotent."""
        self._frontend.release()
        while self._runners:
            await self._runners.pop().cleanup()
        self._urls.clear()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _api_handler(self, request: web.Request) -> web.StreamResponse:
        if request.path == SUMMARY_PATH:  # control, not API traffic: neither recorded nor counted
            return web.json_response(self.summary())
        return await self._frontend.serve(request, "api")

    async def _cdn_handler(self, request: web.Request) -> web.StreamResponse:
        return await self._frontend.serve(request, "cdn")

    def _answer(self, site: Site, request: RecordedRequest, arrival: Arrival) -> Reply:
        if site == "api":
            reply = self._app.handle(request, arrival)
            reply.headers.setdefault("X-Request-ID", arrival.request_id)
            return reply
        return cdn_reply(
            method=request.method,
            path=request.raw_path,
            query=request.query,
            headers=request.headers,
            signer=self._backend.signer,
            state=self.state,
            settings=self.export,
            seed=self.seed,
        )

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when the fake closes (so close() never waits)."""
        await self._frontend.pause(seconds)

    def __repr__(self) -> str:
        where = self._urls.get("api", "not started")
        return f"<FakeLucidGreen {where} seed={self.seed} products={len(self.state.products)}>"
