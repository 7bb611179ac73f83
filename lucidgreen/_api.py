"""One product's HTTP surface: paths and URLs on the configured host, verbs, envelopes, pagers.

:class:`Api` speaks HTTP and plain JSON; :class:`lucidgreen._resource.Resource` turns what it
returns into typed models. Nothing below a resource namespace builds a request but this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, Unpack
from urllib.parse import quote, urlsplit

from . import _cursors, _envelopes, _page_plans
from ._instrument import CallName, current_call_name, page_of
from ._list_options import ListOptions
from ._pager import AsyncPager
from ._pipeline import PRODUCT_BUDGET, Pipeline
from ._query import PAGER_OWNED, query
from ._transport import Request, Response
from .ratelimit import RateLimiter
from .retry import Replay

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""The verbs :meth:`Api.write` sends (GET goes through :meth:`Api.get`)."""

__all__ = ["WRITE_METHODS", "Api", "segment"]

T = TypeVar("T")
logger = logging.getLogger("lucidgreen")

Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None


_DOT_SEGMENTS = frozenset({"", ".", ".."})


def segment(value: str, *, name: str = "a path segment") -> str:
    """One path segment, percent-encoded so ``/``, spaces and ``?`` stay inside it.

    ``""``, ``.`` and ``..`` are refused with :class:`ValueError` (``name`` says which
    argument): percent-encoding cannot protect them, because aiohttp/yarl decode ``%2E``
    and resolve dot segments, so ``collections.get("..")`` would request another path.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value in _DOT_SEGMENTS:
        raise ValueError(
            f"{name} may not be {value!r}: an empty, '.' or '..' path segment would send the "
            "request to another path"
        )
    return quote(value, safe="")


def _pairs(params: Params) -> list[tuple[str, Any]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    return [(key, value) for key, value in items if value is not None]


class Api:
    """One product's HTTP surface: ``base_url`` + ``/api/<version>`` + a resource path."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        base_url: str,
        api_version: str,
        public_limiter: RateLimiter | None = None,
        headers: Mapping[str, str] | None = None,
        namespace: str | None = None,
    ) -> None:
        self.pipeline: Pipeline = pipeline
        self.base_url: str = base_url
        self.prefix: str = f"/api/{api_version}/"
        self.public_limiter: RateLimiter | None = public_limiter
        # Sent on every request built here (a with_options view's headers=), checked already.
        self.headers: Mapping[str, str] = {"Accept": "application/json", **(headers or {})}
        # The client namespace this surface serves ("products"): its methods' calls are
        # named after it (``source.products.get``, see ``_instrument.sdk_call``).
        self.namespace: str | None = namespace

    def using(self, pipeline: Pipeline, *, headers: Mapping[str, str] | None = None) -> Api:
        """The same surface sending through ``pipeline`` with ``headers`` added to this one's
        (a client's ``with_options`` view)."""
        return self._copy(pipeline, {**self.headers, **(headers or {})}, self.namespace)

    def serving(self, namespace: str) -> Api:
        """The same surface for the client namespace ``namespace`` (``"products"``)."""
        return self._copy(self.pipeline, self.headers, namespace)

    def _copy(self, pipeline: Pipeline, headers: Mapping[str, str], namespace: str | None) -> Api:
        return Api(
            pipeline,
            base_url=self.base_url,
            api_version=self.prefix.strip("/").removeprefix("api/"),
            public_limiter=self.public_limiter,
            headers=headers,
            namespace=namespace,
        )

    def path(self, *segments: str) -> str:
        """``/api/<version>/<segments...>/`` with each segment encoded (trailing slash kept).

        Every segment goes through :func:`segment`: an empty, ``.`` or ``..`` one is a
        :class:`ValueError` before anything is sent.
        """
        path = self.prefix
        for part in segments:
            path += segment(part, name=f"the path segment after {path!r}") + "/"
        return path

    def relative(self, path: str) -> str:
        """``/api/<version>/`` + ``path`` (the caller's own), refused if it resolves elsewhere.

        aiohttp/yarl resolve ``..`` and ``%2E%2E`` before sending, so ``"../../o/token/"``
        would leave the API prefix: a :class:`ValueError` instead, before anything is sent.
        """
        full = self.prefix + path.lstrip("/")
        resolved = _cursors.normalise_path(urlsplit(full).path)
        if not resolved.startswith(self.prefix) or resolved != urlsplit(full).path:
            raise ValueError(
                f"the path {path[:200]!r} has '.' or '..' segments (or encoded ones): "
                f"it must stay under {self.prefix!r} as written"
            )
        return full

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on the configured origin."""
        return self.base_url + path

    async def get(self, path: str, *, params: Params = None, public: bool = False) -> Response:
        """GET ``path``; ``public`` calls are unauthenticated and spend the public budget."""
        query = {key: str(value) for key, value in _pairs(params)}
        request = Request(
            "GET",
            self.url(path),
            params=query or None,
            headers=dict(self.headers),
            authenticated=not public,
        )
        limiter = self.public_limiter if public else PRODUCT_BUDGET
        return await self.pipeline.send(request, limiter=limiter)

    async def post(self, path: str, body: Any, *, replay: Replay = Replay.UNSAFE) -> Response:
        """POST ``body`` as JSON to ``path``; ``replay`` says whether it may be resent."""
        return await self.write("POST", path, body, replay=replay)

    async def delete(self, path: str) -> Response:
        """DELETE ``path``; never resent after an unclear outcome: on this API a DELETE
        changes state like a POST (a resend could delete what was created in between)."""
        return await self.write("DELETE", path, replay=Replay.UNSAFE)

    async def write(
        self, method: str, path: str, body: Any = None, *, replay: Replay = Replay.UNSAFE
    ) -> Response:
        """A write with any verb of :data:`WRITE_METHODS`, sent as that verb (``body`` as
        JSON, if any); any other verb raises ``ValueError`` before sending."""
        verb = method.upper()
        if verb not in WRITE_METHODS:
            raise ValueError(f"cannot send {method!r}: use GET or one of {sorted(WRITE_METHODS)}")
        request = Request(verb, self.url(path), json=body, headers=dict(self.headers))
        return await self.pipeline.send(request, replay=replay)

    async def get_object(
        self, path: str, *, params: Params = None, public: bool = False
    ) -> dict[str, Any]:
        """GET ``path`` and decode its body as one JSON object."""
        response = await self.get(path, params=params, public=public)
        return _envelopes.decode_object(response.status, response.headers, response.body)

    def pager(
        self,
        path: str,
        decode: Callable[[list[Any]], Sequence[T]],
        *,
        params: Params = None,
        **options: Unpack[ListOptions],
    ) -> AsyncPager[T]:
        """An :class:`AsyncPager` over ``path`` (a DRF page or a bare array), walked as the
        caller's ``options`` say (the defaults of :class:`ListOptions` are given here); their
        ``extra_query`` is checked now and holds on every page."""
        extra = query(options.get("extra_query"), reserved=PAGER_OWNED)
        named = current_call_name()  # the list method's, kept for every page

        async def fetch(page_path: str) -> _envelopes.DrfPage:
            request = Request("GET", self.url(page_path), headers=dict(self.headers))
            if named is None or not self.pipeline.reporter.instrumented:
                response = await self.pipeline.send(request)
            else:
                # The page's name goes with the send (no awaited layer setting it in the
                # context); a name already recorded there wins, as it would have.
                name = current_call_name() or CallName(named.name, page_of(page_path))
                response = await self.pipeline.send(request, name=name)
            return _envelopes.decode_page(response.status, response.headers, response.body)

        return AsyncPager(
            endpoint=path,
            first_path=_page_plans.query_path(path, [*_pairs(params), *extra]),
            fetch=fetch,
            decode=decode,
            limit=options.get("limit"),
            prefetch=options.get("prefetch", 0),
            resume_from=options.get("resume_from"),
            on_bad_record=options.get("on_bad_record", "raise"),
            keep_query=extra,
        )


def surface_warning(warning: str | None, *, where: str) -> None:
    """A ``returnCode`` ``warning`` goes to the ``lucidgreen`` logger (and stays on the result)."""
    if warning:
        logger.warning("%s: %s", where, warning)
