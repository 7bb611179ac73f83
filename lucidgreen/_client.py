"""``SourceClient`` and ``RetailClient``: configuration, lifecycle, the pipeline they own."""

from __future__ import annotations

import platform
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, Self

from . import _config
from . import _resources_retail as retail
from . import _resources_source as source
from ._api import Api
from ._http import Request, Response, Timeout, Transport
from ._pipeline import Hooks, Pipeline, Stats
from ._transport import AiohttpTransport
from ._version import __version__
from .auth import Auth, ClientCredentials, StaticToken
from .ratelimit import RateLimiter, TokenBucket
from .retry import RetryPolicy

if TYPE_CHECKING:
    import aiohttp

__all__ = ["BaseClient", "RetailClient", "SourceClient"]


USER_AGENT = f"lucidgreen-python/{__version__} (Python {platform.python_version()})"


class BaseClient:
    """What both product clients share. Use :class:`SourceClient` or :class:`RetailClient`.

    Pass ``client_id`` and ``client_secret`` (OAuth2 client credentials), or ``token=`` (a
    ready bearer token). ``environment`` picks the documented host; ``base_url`` overrides it
    (plain ``http://`` is refused except for loopback hosts). ``rate_limiter`` defaults to a
    :class:`~lucidgreen.TokenBucket` sized for the product's documented limit; pass your own
    (for a raised limit, or a :class:`~lucidgreen.RedisRateLimiter` shared by processes).
    ``session`` reuses a caller's ``aiohttp.ClientSession``, which the client then never
    closes; ``transport`` replaces the HTTP layer (a :class:`lucidgreen.testing.MockTransport`
    in unit tests). ``timeout`` bounds each HTTP exchange in seconds (retries come on top; see
    ``RetryPolicy.deadline`` for an overall bound).
    """

    _spec: ClassVar[_config.ProductSpec]

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        environment: _config.Environment = "production",
        base_url: str | None = None,
        token: str | None = None,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: Timeout | float | None = 30.0,
        session: aiohttp.ClientSession | None = None,
        api_version: str | None = None,
        hooks: Hooks | None = None,
        transport: Transport | None = None,
    ) -> None:
        spec = self._spec
        self.base_url = _config.resolve_base_url(spec, environment, base_url)
        if transport is not None and session is not None:
            raise ValueError("pass either session= or transport=, not both")
        self._transport: Transport = transport or AiohttpTransport(
            session, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        self._owns_limiter = rate_limiter is None
        limiter = rate_limiter or TokenBucket(
            limit=spec.requests_per_minute, per=60.0, name=spec.name
        )
        self._pipeline = Pipeline(
            self._transport,
            product=spec.name,
            auth=None,
            limiter=limiter,
            retry_policy=retry or RetryPolicy(),
            timeout=Timeout.of(timeout),
            hooks=hooks or Hooks(),
        )
        self._auth = self._make_auth(client_id, client_secret, token)
        self._pipeline.auth = self._auth
        self._api = Api(
            self._pipeline,
            base_url=self.base_url,
            api_version=api_version or spec.api_version,
            public_limiter=self._public_limiter(),
        )
        self._mount(self._api)

    def _make_auth(
        self, client_id: str | None, client_secret: str | None, token: str | None
    ) -> Auth:
        if token is not None:
            if client_id is not None or client_secret is not None:
                raise ValueError("pass either token= or client_id/client_secret, not both")
            return StaticToken(token)
        if not client_id or not client_secret:
            raise ValueError("credentials missing: pass client_id and client_secret (or token=)")

        async def send_token_request(request: Request) -> Response:
            # Token requests spend no rate-limit budget (they are not API calls).
            return await self._pipeline.send(request, limiter=None)

        return ClientCredentials(
            client_id, client_secret, f"{self.base_url}/o/token/", send=send_token_request
        )

    def _public_limiter(self) -> RateLimiter | None:
        return None

    def _mount(self, api: Api) -> None:
        """Attach the product's resource namespaces."""

    @property
    def stats(self) -> Stats:
        """Requests, retries, 429s and limiter waits so far."""
        return self._pipeline.stats

    @property
    def rate_limiter(self) -> RateLimiter | None:
        return self._pipeline.limiter

    async def aclose(self) -> None:
        """Close the HTTP session (unless it was passed in) and the default limiter."""
        self._pipeline.closed = True
        await self._transport.aclose()
        if self._owns_limiter and self._pipeline.limiter is not None:
            await self._pipeline.limiter.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self._auth!r})"


class SourceClient(BaseClient):
    """LucidSource v1.5 (brands): products, batches, brands, items, collections, COAs, assets.

    ``async with lucidgreen.SourceClient(client_id=..., client_secret=...) as source: ...``
    Default budget: 60 requests per minute, shared by every task using this client.
    """

    _spec = _config.SOURCE

    products: source.Products
    batches: source.Batches
    brands: source.Brands
    items: source.Items
    collections: source.Collections
    digital_coas: source.DigitalCOAs
    assets: source.Assets

    def _mount(self, api: Api) -> None:
        self.products = source.Products(api)
        self.batches = source.Batches(api)
        self.brands = source.Brands(api)
        self.items = source.Items(api)
        self.collections = source.Collections(api)
        self.digital_coas = source.DigitalCOAs(api)
        self.assets = source.Assets(api)


class RetailClient(BaseClient):
    """LucidRetail v1.2 (dispensaries): details, CaseID imports, transactions, exports.

    Default budgets: 1000 requests per minute for authenticated calls, and a separate 60 per
    minute for the two unauthenticated lookups (counted per IP by the server).
    """

    _spec = _config.RETAIL

    products: retail.Products
    batches: retail.Batches
    brands: retail.Brands
    caseids: retail.CaseIDs
    transactions: retail.Transactions
    package_uids: retail.PackageUIDs
    inventory: retail.Inventory
    operations: retail.Operations

    def _mount(self, api: Api) -> None:
        self.products = retail.Products(api)
        self.batches = retail.Batches(api)
        self.brands = retail.Brands(api)
        self.caseids = retail.CaseIDs(api)
        self.transactions = retail.Transactions(api)
        self.package_uids = retail.PackageUIDs(api)
        self.inventory = retail.Inventory(api)
        self.operations = retail.Operations(api)

    def _public_limiter(self) -> RateLimiter | None:
        return TokenBucket(limit=_config.PUBLIC_LOOKUPS_PER_MINUTE, per=60.0, name="retail-public")

    async def aclose(self) -> None:
        await super().aclose()
        if self._api.public_limiter is not None:
            await self._api.public_limiter.aclose()
