"""What every resource method uses: URLs on the configured host, sending, decoding, paging."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from . import _envelopes, _paging
from ._http import Request, Response
from ._instrument import CallName, call_name, current_call_name, page_of
from ._pager import AsyncPager
from ._pipeline import PRODUCT_BUDGET, Pipeline
from .ratelimit import RateLimiter
from .retry import Replay

__all__ = ["Api", "segment"]

T = TypeVar("T")
logger = logging.getLogger("lucidgreen")

Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None


def segment(value: str) -> str:
    """One path segment, percent-encoded so ``/``, spaces and ``?`` stay inside it."""
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
    ) -> None:
        self.pipeline = pipeline
        self.base_url = base_url
        self.prefix = f"/api/{api_version}/"
        self.public_limiter = public_limiter

    def using(self, pipeline: Pipeline) -> Api:
        """The same surface sending through ``pipeline`` (a client's ``with_options`` view)."""
        return Api(
            pipeline,
            base_url=self.base_url,
            api_version=self.prefix.strip("/").removeprefix("api/"),
            public_limiter=self.public_limiter,
        )

    def path(self, *segments: str) -> str:
        """``/api/<version>/<segments...>/`` with each segment encoded (trailing slash kept)."""
        return self.prefix + "".join(f"{segment(part)}/" for part in segments)

    def url(self, path: str) -> str:
        return self.base_url + path

    async def get(self, path: str, *, params: Params = None, public: bool = False) -> Response:
        """GET ``path``; ``public`` calls are unauthenticated and spend the public budget."""
        query = {key: str(value) for key, value in _pairs(params)}
        request = Request(
            "GET",
            self.url(path),
            params=query or None,
            headers={"Accept": "application/json"},
            authenticated=not public,
        )
        limiter = self.public_limiter if public else PRODUCT_BUDGET
        return await self.pipeline.send(request, limiter=limiter)

    async def post(self, path: str, body: Any, *, replay: Replay = Replay.UNSAFE) -> Response:
        request = Request("POST", self.url(path), json=body, headers={"Accept": "application/json"})
        return await self.pipeline.send(request, replay=replay)

    async def delete(self, path: str) -> Response:
        request = Request("DELETE", self.url(path), headers={"Accept": "application/json"})
        return await self.pipeline.send(request)

    async def get_object(
        self, path: str, *, params: Params = None, public: bool = False
    ) -> dict[str, Any]:
        response = await self.get(path, params=params, public=public)
        return _envelopes.decode_object(response.status, response.headers, response.body)

    def pager(
        self,
        path: str,
        decode: Callable[[list[Any]], Sequence[T]],
        *,
        params: Params = None,
        limit: int | None = None,
        prefetch: int = 0,
        resume_from: str | None = None,
    ) -> AsyncPager[T]:
        """An :class:`AsyncPager` over ``path`` (a DRF page or a bare array)."""
        named = current_call_name()  # the list method's, kept for every page

        async def fetch(page_path: str) -> _envelopes.DrfPage:
            sent = self.pipeline.send(
                Request("GET", self.url(page_path), headers={"Accept": "application/json"})
            )
            if named is None or self.pipeline.exchange.instrument is None:
                response = await sent
            else:
                response = await call_name(CallName(named.name, page_of(page_path)), sent)
            return _envelopes.decode_page(response.status, response.headers, response.body)

        return AsyncPager(
            endpoint=path,
            first_path=_paging.query_path(path, _pairs(params)),
            fetch=fetch,
            decode=decode,
            limit=limit,
            prefetch=prefetch,
            resume_from=resume_from,
        )


def surface_warning(warning: str | None, *, where: str) -> None:
    """A ``returnCode`` ``warning`` goes to the ``lucidgreen`` logger (and stays on the result)."""
    if warning:
        logger.warning("%s: %s", where, warning)
