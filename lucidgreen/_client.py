"""``SourceClient`` and ``RetailClient``: configuration, lifecycle, the pipeline they own."""

from __future__ import annotations

import os
import platform
import ssl as ssl_
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from . import _config, _escape_hatch, _logging, _settings, _views, retail, source
from ._api import Api
from ._arguments import UNSET, Unset, check_api_version_and_connections, checked
from ._events import Hooks, Stats
from ._exchange import Exchange
from ._headers import check_default_headers, user_agent_with
from ._namespace import Namespace, namespaces_of
from ._pipeline import Pipeline
from ._raw import WithRawResponse
from ._report import Reporter
from ._retry_budget import RetryBudget
from ._transport import DEFAULT_MAX_BODY_SIZE, AiohttpTransport, Timeout, Transport
from ._transport._network import network_for
from ._version import __version__
from .auth import Auth, ClientCredentials, StaticToken
from .instrumentation import Instrumentation
from .ratelimit import RateLimiter, public_lookup_limiter
from .retry import RetryPolicy

if TYPE_CHECKING:
    import aiohttp

__all__ = ["BaseClient", "RetailClient", "SourceClient"]


USER_AGENT = f"lucidgreen-python/{__version__} (Python {platform.python_version()})"


class BaseClient(_views.BuiltAgain):
    """What both product clients share. Use :class:`SourceClient` or :class:`RetailClient`.

    Use it as ``async with``, or call :meth:`aclose`. :meth:`with_options` gives a view with
    another timeout or retry policy that shares everything else.
    """

    _spec: ClassVar[_config.ProductSpec]

    base_url: str
    """The origin every request goes to (``https://host``, no trailing slash)."""

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        environment: _config.Environment | None = None,
        base_url: str | None = None,
        token: str | None = None,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: Timeout | float | None = 30.0,
        session: aiohttp.ClientSession | None = None,
        transport: Transport | None = None,
        api_version: str | None = None,
        hooks: Hooks | None = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        ssl: ssl_.SSLContext | Literal[False] | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
        max_connections: int = 100,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        """Configure a client; nothing is sent until the first call.

        :param client_id: OAuth2 client id. With ``client_secret``, the client asks
            ``/o/token/`` for bearer tokens and renews them itself.
        :param client_secret: OAuth2 client secret (never shown in reprs, logs or errors).
            When neither credentials nor ``token`` are passed, they are read from the
            environment: ``LUCIDGREEN_SOURCE_CLIENT_ID`` / ``LUCIDGREEN_SOURCE_CLIENT_SECRET``
            (``RETAIL`` for LucidRetail), then ``LUCIDGREEN_CLIENT_ID`` /
            ``LUCIDGREEN_CLIENT_SECRET``, or a ``..._TOKEN``.
        :param environment: ``"production"`` or ``"test"``, the documented hosts (default: the
            ``LUCIDGREEN_SOURCE_ENVIRONMENT`` / ``LUCIDGREEN_ENVIRONMENT`` variable, else
            production).
        :param base_url: an origin (``https://host[:port]``, no path) overriding
            ``environment``; plain ``http://`` only for loopback hosts.
        :param token: a ready bearer token instead of client credentials (not renewable).
        :param rate_limiter: the product's budget; default a :class:`~lucidgreen.TokenBucket`
            sized for the documented limit. Pass your own for a raised limit, or a
            :class:`~lucidgreen.RedisRateLimiter` shared by processes.
        :param retry: a :class:`~lucidgreen.RetryPolicy` (default: the documented 1, 2, 4, 8,
            16 s schedule); its ``deadline`` bounds each call in total.
        :param timeout: seconds one HTTP exchange may take, or a :class:`~lucidgreen.Timeout`
            with a separate ``connect`` bound; ``None`` for no bound. Retries come on top.
        :param session: a caller's ``aiohttp.ClientSession``, used as is and never closed here.
        :param transport: a :class:`lucidgreen.transport.Transport` instead of aiohttp, e.g.
            :class:`lucidgreen.testing.MockTransport` for unit tests (not with ``session=``).
        :param api_version: the API version in paths (default: the documented one).
        :param hooks: :class:`~lucidgreen.Hooks` called on every exchange, retry and limiter wait.
        :param max_body_size: the most bytes of one answer the client reads, counted after
            decompression (default 64 MiB; ``None``: no cap); past it a
            :class:`~lucidgreen.DecodeError` is raised and the connection dropped. Applies to the
            built-in aiohttp transport.
        :param ssl: an ``ssl.SSLContext`` (e.g. with a corporate CA) for the API, the token
            endpoint and the export download; ``False`` turns verification off and is allowed
            only for a loopback ``base_url``. Default: verified against the system's CAs.
        :param proxy: an ``http://`` (or ``https://``) proxy for every request but loopback ones.
        :param trust_env: honour ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``
            (lowercase too) when ``proxy`` is not given; a loopback origin is never proxied.
        :param max_connections: the most requests on the wire at once (default 100): each on
            a connection in use; like aiohttp's own limit, idle keep-alive ones are not counted.
        :param default_headers: headers sent on every request to the API (never to the export
            CDN; never ``Authorization`` or ``Host``); a ``User-Agent`` is appended to the SDK's.
        """
        if self._view_parts is not None:  # a with_options view: all of it is its client's
            self._assemble(self._view_parts)
            return
        spec = self._spec
        _logging.from_environment(os.environ)
        checked(rate_limiter, RateLimiter, "rate_limiter")
        checked(retry, RetryPolicy, "retry")
        checked(hooks, Hooks, "hooks")
        if session is not None and transport is not None:
            raise ValueError("pass either session= or transport=, not both")
        check_api_version_and_connections(api_version, max_connections)
        attempt_timeout = Timeout.of(timeout)
        given = _settings.Credentials(client_id, client_secret, token)
        settings = _settings.resolve(
            os.environ, spec.name, credentials=given, environment=environment, base_url=base_url
        )
        found = settings.credentials
        self._arguments.withhold(client_secret, token, found.client_secret, found.token)
        self.base_url = _config.resolve_base_url(spec, settings.environment, settings.base_url)
        network = network_for(
            self.base_url, proxy=proxy, trust_env=trust_env, ssl=ssl, environ=os.environ
        )
        user_agent, caller_headers = user_agent_with(
            USER_AGENT, check_default_headers(default_headers)
        )
        built: Transport = transport or AiohttpTransport(
            session,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            max_body_size=max_body_size,
            connection_limit=max_connections,
            network=network,
            api_origin=self.base_url,
            api_headers={**caller_headers, "User-Agent": user_agent},
        )
        policy = retry or RetryPolicy()
        exchange = Exchange(built, spec.name, Reporter(spec.name, hooks))
        auth = self._make_auth(
            settings.credentials,
            # Token requests retry on their own schedule and spend no rate-limit budget.
            Pipeline(
                exchange,
                auth=None,
                limiter=None,
                retry_policy=policy,
                timeout=attempt_timeout,
                name=f"{spec.name}.oauth.token",
            ),
        )
        limiter = rate_limiter or spec.default_limiter()
        pipeline = Pipeline(
            exchange,
            auth=auth,
            limiter=limiter,
            retry_policy=policy,
            timeout=attempt_timeout,
            # One budget for every task of this client (and its with_options views).
            retry_budget=RetryBudget(),
        )
        api = Api(
            pipeline,
            base_url=self.base_url,
            api_version=api_version or spec.api_version,
            public_limiter=self._public_limiter(),
        )
        self._assemble(
            _views.ClientParts(
                api, auth, user_agent, owns_resources=True, owns_limiter=rate_limiter is None
            )
        )

    def _assemble(self, parts: _views.ClientParts) -> None:
        """Every field of a client, set once: built by ``__init__`` for a client, given to it
        by :meth:`with_options` for a view of one (which owns nothing it shares)."""
        self._parts = parts
        self._api = api = parts.api
        self._pipeline = pipeline = api.pipeline
        self.base_url = api.base_url
        self._transport = pipeline.exchange.transport
        self._auth = parts.auth
        self._owns_resources, self._owns_limiter = parts.owns_resources, parts.owns_limiter
        self._mount(api)

    def _make_auth(self, credentials: _settings.Credentials, tokens: Pipeline) -> Auth:
        if credentials.token is not None:
            return StaticToken(credentials.token)
        if not credentials.client_id or not credentials.client_secret:
            raise ValueError(
                _settings.missing_credentials_message(self._spec.name, found=credentials)
            )
        return ClientCredentials(
            credentials.client_id,
            credentials.client_secret,
            f"{self.base_url}/o/token/",
            send=tokens.send,
        )

    def _public_limiter(self) -> RateLimiter | None:
        return None

    def _mount(self, api: Api) -> None:
        """Attach the product's resource namespaces (its :class:`Namespace` attributes), each
        on an ``Api`` serving it, which names its calls (``source.products.get``)."""
        for name, declared in namespaces_of(type(self)).items():
            setattr(self, name, declared.kind(api.serving(name)))

    def with_options(
        self,
        *,
        timeout: Timeout | float | Literal[Unset.UNSET] | None = UNSET,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A view of this client with another ``timeout`` or ``retry`` policy, or more
        ``headers`` on its API requests.

        It shares the session, the rate-limit budget, the token and the stats with this
        client, for one call (``await source.with_options(timeout=5).products.get(uuid)``)
        or a block. Closing the view releases nothing; closing this client closes it too.
        ``headers`` follow the rules of ``default_headers=`` (checked here, never
        ``Authorization`` or ``Host``, a ``User-Agent`` appended to the client's) and add to
        the headers of the view it is called on.

        The view is built by calling this client's class with the arguments it was built
        with: a subclass's ``__init__`` runs again (the view has the state it sets), but
        nothing the SDK built (session, budget, token) is built twice. For a subclass:

        - ``__init__`` runs once per view, with the same argument objects (a mutable one
          changed since shows in the view). It must be cheap and open nothing: a session or
          other resource it opens is opened again per view and never closed by the client;
          open it lazily, or take it as an argument.
        - Every top-level argument equal to the client secret or the token reaches the
          view's ``__init__`` as a :class:`lucidgreen.auth.Secret` (its repr hides it): pass
          it on to ``super().__init__()``, which ignores credentials for a view.
        - ``self.with_options(...)`` in ``__init__`` works: in a view's ``__init__`` it builds
          its view from the parts and the attributes set so far, without calling the class.
        - A ``__new__`` of its own must make the instance with ``super().__new__(cls)``.
        """
        checked(retry, RetryPolicy, "retry")
        parts = self._parts.narrowed(
            retry=retry,
            timeout=None if timeout is UNSET else Timeout.of(timeout),
            headers=check_default_headers(headers, argument="headers"),
        )
        return self._view(parts)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: Any = None,
    ) -> Any:
        """Any call of this product's API the SDK has no method for, as decoded JSON.

        ``path`` is relative to the product's ``/api/<version>/`` (``"products/"``); one
        leaving it (``..``) is a :class:`ValueError` before sending. The call goes through
        the same token, rate-limit budget, retries, deadline, hooks, stats and typed errors
        as every method: a GET is retried like one, a write (``POST``, ``PUT``, ``PATCH``,
        ``DELETE``) is never resent after an unclear outcome (the SDK cannot know how the
        server deduplicates it) and raises :class:`~lucidgreen.WriteOutcomeUnknown` then.
        ``params`` (GET only) and ``json`` (writes only) are refused where they would be
        dropped. An empty answer is ``None``; a negative ``returnCode`` raises
        :class:`~lucidgreen.ReturnCodeError`.
        """
        response = await _escape_hatch.send(self._api, method, path, params=params, json=json)
        return _escape_hatch.answer(response, verb=method.upper())

    def instrument(self, instrumentation: Instrumentation | None) -> None:
        """Report every call this client and its views start from now on to
        ``instrumentation`` (a :class:`~lucidgreen.Instrumentation`; it replaces the one set
        before, ``None`` stops reporting). The extension point for tracing and metrics:
        :func:`lucidgreen.otel.instrument` uses it; the protocol's page has a custom one."""
        checked(instrumentation, Instrumentation, "instrumentation")
        self._pipeline.reporter.attach(instrumentation)

    @property
    def instrumentation(self) -> Instrumentation | None:
        """The instrumentation :meth:`instrument` attached (shared with every view), or None."""
        return self._pipeline.reporter.instrumentation

    @property
    def with_raw_response(self) -> WithRawResponse:
        """Every namespace again, each method answering a :class:`~lucidgreen.RawResponse`
        (status, headers, request id, elapsed, attempts; ``parse()`` gives the result):
        ``raw = await source.with_raw_response.products.get(uuid)``."""
        return WithRawResponse({name: getattr(self, name) for name in namespaces_of(type(self))})

    @property
    def stats(self) -> Stats:
        """Requests, retries, 429s and limiter waits so far (shared with every view)."""
        return self._pipeline.stats

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The product's rate-limit budget."""
        return self._pipeline.limiter

    async def aclose(self) -> None:
        """Close the HTTP session (unless it was passed in) and the default limiter.

        A :meth:`with_options` view owns nothing: closing it does nothing.
        """
        if not self._owns_resources:
            return
        self._pipeline.exchange.close()
        await self._auth.aclose()
        await self._transport.aclose()
        if self._owns_limiter and self._pipeline.limiter is not None:
            await self._pipeline.limiter.aclose()
        # The public-lookup budget belongs to the process (ratelimit._public), not to this client.

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

    products: Namespace[source.Products] = Namespace(source.Products)
    batches: Namespace[source.Batches] = Namespace(source.Batches)
    brands: Namespace[source.Brands] = Namespace(source.Brands)
    items: Namespace[source.Items] = Namespace(source.Items)
    collections: Namespace[source.Collections] = Namespace(source.Collections)
    digital_coas: Namespace[source.DigitalCOAs] = Namespace(source.DigitalCOAs)
    assets: Namespace[source.Assets] = Namespace(source.Assets)


class RetailClient(BaseClient):
    """LucidRetail v1.2 (dispensaries): details, CaseID imports, transactions, exports.

    Default budgets: 1000 requests per minute for authenticated calls, and a separate 60 per
    minute for the two unauthenticated lookups, counted per IP by the server and so shared by
    every client of the process (:func:`lucidgreen.ratelimit.share_public_lookups`).
    """

    _spec = _config.RETAIL

    products: Namespace[retail.Products] = Namespace(retail.Products)
    batches: Namespace[retail.Batches] = Namespace(retail.Batches)
    brands: Namespace[retail.Brands] = Namespace(retail.Brands)
    caseids: Namespace[retail.CaseIDs] = Namespace(retail.CaseIDs)
    transactions: Namespace[retail.Transactions] = Namespace(retail.Transactions)
    package_uids: Namespace[retail.PackageUIDs] = Namespace(retail.PackageUIDs)
    inventory: Namespace[retail.Inventory] = Namespace(retail.Inventory)
    operations: Namespace[retail.Operations] = Namespace(retail.Operations)

    def _public_limiter(self) -> RateLimiter | None:
        return public_lookup_limiter(self.base_url)
