"""Routing, request context and the DRF helpers (pagination, body parsing, 404s).

Routes match the *raw* path, the way Django matches before decoding a ``%2F`` into a
separator: ``/collections/MANIFEST%20001%2FA/`` is one segment, an unencoded ``/`` is two.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import attrs

from .._faults import Faults
from .._recorder import RecordedRequest
from .._state.state import FakeState
from .export import ExportSettings, UrlSigner
from .reply import HttpError, Reply

__all__ = [
    "SHORTUUID",
    "Arrival",
    "Backend",
    "Ctx",
    "Handler",
    "Route",
    "Scope",
    "absolute_url",
    "get_or_404",
    "not_found",
    "paginate",
]

T = TypeVar("T")
JSON = dict[str, Any]
Scope = Literal["source", "retail", "public", "token"]
Handler = Callable[["Ctx"], Reply]

#: A LucidID / shortuuid: 22 characters of the base57 alphabet.
SHORTUUID = re.compile(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz]{22}")


@attrs.define
class Backend:
    """What handlers need from the fake: its data, knobs and addresses."""

    state: FakeState
    faults: Faults
    export: ExportSettings
    signer: UrlSigner
    seed: int
    page_size: int
    #: For ids the server makes up at run time (asset uuids, inventory identifiers).
    rng: random.Random
    cdn_url: str = ""


@attrs.define
class Route:
    """A URL pattern (``{name}`` any segment, ``{name:sid}`` a shortuuid) and its methods."""

    pattern: str
    scope: Scope
    methods: dict[str, Handler]
    regex: re.Pattern[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        def group(match: re.Match[str]) -> str:
            name, _, kind = match.group(1).partition(":")
            body = SHORTUUID.pattern if kind == "sid" else "[^/]+"
            return f"(?P<{name}>{body})"

        self.regex = re.compile("^" + re.sub(r"\{([^}]+)\}", group, self.pattern) + "$")

    def match(self, raw_path: str) -> dict[str, str] | None:
        found = self.regex.match(raw_path)
        if found is None:
            return None
        return {k: unquote(v) for k, v in found.groupdict().items()}


@attrs.frozen
class Arrival:
    """What the application reads of a request beyond the fake's record of it."""

    #: ``scheme://host`` as the client addressed it: DRF's absolute links start with it.
    origin: str
    #: The query exactly as sent, repeated keys kept, for DRF's links.
    query_string: str
    #: The client's ``X-Request-ID``, else a fresh one: echoed, and kept on Retail writes.
    request_id: str


@attrs.define
class Ctx:
    """One routed request, as a handler sees it: the fake's record of the request, how it
    arrived, the route's parameters, and (once authenticated) the caller."""

    app: Backend
    request: RecordedRequest
    arrival: Arrival
    params: dict[str, str]
    client_id: str | None = None

    @property
    def state(self) -> FakeState:
        return self.app.state

    @property
    def media(self) -> str:
        """Base URL of media and export files (the CDN origin)."""
        return self.app.cdn_url

    def payload(self) -> JSON:
        """The request body as DRF's parsers would give it to a serializer."""
        body = self.request.body
        if not body.strip():
            return {}
        content_type = self.request.headers.get("Content-Type", "")
        kind = content_type.split(";", 1)[0].strip().lower()
        if kind == "application/json":
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise HttpError.json(400, {"detail": f"JSON parse error - {exc}"}) from exc
        elif kind == "application/x-www-form-urlencoded":
            data = dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
        else:
            detail = f'Unsupported media type "{content_type}" in request.'
            raise HttpError.json(415, {"detail": detail})
        if not isinstance(data, dict):
            kind_name = type(data).__name__
            raise HttpError.json(
                400,
                {
                    "non_field_errors": [
                        f"Invalid data. Expected a dictionary, but got {kind_name}."
                    ]
                },
            )
        return data


# -- DRF-style helpers -------------------------------------------------------------------------


def not_found() -> HttpError:
    return HttpError.json(404, {"detail": "Not found."})


def get_or_404(ctx: Ctx, table: Mapping[str, T], key: str) -> T:
    """DRF's ``get_object_or_404``; uuids in ``state.forbidden`` answer 403 instead."""
    value = table.get(key)
    if value is None:
        raise not_found()
    if key in ctx.state.forbidden:
        raise HttpError.json(403, {"detail": "You do not have permission to perform this action."})
    return value


# -- pagination --------------------------------------------------------------------------------


def absolute_url(ctx: Ctx, query: Mapping[str, Sequence[str]]) -> str:
    """``request.build_absolute_uri()`` with a new query, DRF-sorted, host maybe overridden."""
    origin = ctx.app.faults.next_host or ctx.arrival.origin
    scheme, netloc, _, _, _ = urlsplit(origin)
    path = ctx.request.raw_path
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query.items()), True), ""))


def paginate(ctx: Ctx, rows: Sequence[T], render: Callable[[T], JSON]) -> Reply:
    """DRF ``PageNumberPagination``: 1-based ``?page=N`` (or ``last``), absolute links."""
    size = max(1, ctx.app.page_size)
    count = len(rows)
    pages = max(1, math.ceil(count / size))
    raw = ctx.request.query.get("page", "1")
    try:
        page = pages if raw == "last" else int(raw)
    except ValueError:
        page = 0
    if not 1 <= page <= pages:
        raise not_found_page()
    query = parse_qs(ctx.arrival.query_string, keep_blank_values=True)
    next_url = previous_url = None
    if page < pages:
        next_url = absolute_url(ctx, {**query, "page": [str(page + 1)]})
    if page > 1:
        # DRF drops the parameter altogether for the link back to page 1.
        back = {k: v for k, v in query.items() if k != "page"}
        if page > 2:
            back["page"] = [str(page - 1)]
        previous_url = absolute_url(ctx, back)
    reported = count + (ctx.app.faults.count_drift if page > 1 else 0)
    return Reply.json(
        200,
        {
            "count": reported,
            "next": next_url,
            "previous": previous_url,
            "results": [render(row) for row in rows[(page - 1) * size : page * size]],
        },
    )


def not_found_page() -> HttpError:
    return HttpError.json(404, {"detail": "Invalid page."})
