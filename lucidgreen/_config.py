"""Hosts, API versions and limits per product, and the checks on a caller's ``base_url``."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

import attrs

from . import _limits
from .ratelimit import TokenBucket

__all__ = ["RETAIL", "SOURCE", "Environment", "ProductSpec", "resolve_base_url"]

Environment = Literal["production", "test"]


@attrs.frozen
class ProductSpec:
    """What differs between LucidSource and LucidRetail at the HTTP level."""

    name: Literal["source", "retail"]
    hosts: Mapping[str, str]
    api_version: str
    requests_per_minute: int

    def default_limiter(self, rate: tuple[int, float] | None = None) -> TokenBucket:
        """The product's budget when a caller brings no limiter: the documented limit per
        :data:`~lucidgreen._limits.WINDOW`, or ``rate`` (requests, seconds) for a raised
        one; named after the product, as limiter waits and reprs show it."""
        limit, per = rate or (self.requests_per_minute, _limits.WINDOW)
        return TokenBucket(limit=limit, per=per, name=self.name)


SOURCE = ProductSpec(
    name="source",
    hosts={
        "production": "https://source.lucidgreen.io",
        "test": "https://source-test.lucidgreen.io",
    },
    api_version="v1.5",
    requests_per_minute=_limits.SOURCE_LIMIT,
)
RETAIL = ProductSpec(
    name="retail",
    hosts={
        "production": "https://retail.lucidgreen.io",
        "test": "https://retail-test.lucidgreen.io",
    },
    api_version="v1.2",
    requests_per_minute=_limits.RETAIL_LIMIT,
)
PUBLIC_LOOKUPS_PER_MINUTE = _limits.PUBLIC_LOOKUP_LIMIT
"""The unauthenticated LucidRetail lookups have their own budget, counted per IP."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_FORBIDDEN_IN_URL = re.compile(r"[\x00-\x20\x7f]")


def has_space_or_control(url: str) -> bool:
    """Whether ``url`` holds whitespace of any script (a no-break space too) or a control
    character: none belongs in an origin, and CR/LF would inject lines into a request."""
    return bool(_FORBIDDEN_IN_URL.search(url)) or any(c.isspace() for c in url)


def check_port(url: str, netloc: str, *, what: str = "base_url") -> None:
    """``ValueError`` unless ``netloc``'s port, if any, is ASCII digits from 1 to 65535
    (``int()`` would also read other scripts' digits)."""
    host_end = netloc.rfind("]") + 1  # an IPv6 literal holds colons of its own
    _, colon, port = netloc[host_end:].rpartition(":")
    if not colon:
        return
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ValueError(f"{what} port must be a number from 1 to 65535, got {url!r}")


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash, or ``ValueError`` saying why it cannot be used.

    Plain ``http://`` is accepted only for loopback hosts (a local fake or proxy): anywhere
    else the bearer token would cross the network in clear text.
    """
    if not isinstance(url, str):
        raise TypeError(f"base_url must be a str, not {type(url).__name__}")
    if has_space_or_control(url):
        raise ValueError(f"base_url must not contain spaces or control characters, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {url!r}")
    # Tested on the text, not on the parsed parts: an empty "?", "#" or "@" parses as
    # nothing, yet "https://host/?" would put every path (and /o/token/) after a "?".
    if "@" in parts.netloc or "?" in url or "#" in url:
        raise ValueError(f"base_url must not carry credentials, a query or a fragment, got {url!r}")
    check_port(url, parts.netloc)
    if parts.path not in ("", "/"):
        # Every path, and every next link the server sends, starts at /api/ on the origin.
        raise ValueError(
            f"base_url must be an origin such as 'https://host:8443', without a path; got {url!r}"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"base_url {url!r} uses plain http:// on a non-loopback host; the bearer token "
            "would travel unencrypted. Use https://, or http:// only for 127.0.0.1/localhost."
        )
    return url.rstrip("/")


_API_VERSION = re.compile(r"v\d+(\.\d+)*")


def is_api_version(value: object) -> bool:
    """Whether ``value`` can stand in a path as ``/api/<version>/``."""
    return isinstance(value, str) and _API_VERSION.fullmatch(value) is not None


def resolve_base_url(spec: ProductSpec, environment: str, base_url: str | None) -> str:
    if environment not in spec.hosts:
        raise ValueError(f"environment must be one of {sorted(spec.hosts)}, got {environment!r}")
    if base_url is not None:
        return check_base_url(base_url)
    return spec.hosts[environment]
