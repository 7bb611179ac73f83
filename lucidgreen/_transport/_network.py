"""Which proxy a request goes through, and what TLS it verifies: pure decisions, tested alone.

The rules of httpx and requests, with Go's loopback exception:

* an origin on loopback (``127.0.0.1``, ``::1``, ``localhost``) is never proxied;
* ``proxy="http://..."`` sends every other request through that proxy;
* otherwise, with ``trust_env=True`` (the default), ``HTTPS_PROXY`` / ``HTTP_PROXY`` (by the
  request's scheme), then ``ALL_PROXY``, lowercase names first, unless ``NO_PROXY`` matches
  the host (``*``, a host, a domain suffix such as ``.example.com`` or ``example.com``);
* ``trust_env=False`` ignores the environment.

TLS verification is always on unless ``ssl=False``, which only a loopback ``base_url`` may
use (a local fake with a throwaway certificate).
"""

from __future__ import annotations

import ssl as _ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

from .._config import check_port, has_space_or_control, is_loopback

__all__ = [
    "Network",
    "check_proxy",
    "no_proxy_matches",
    "origin_key",
    "origin_of",
    "proxy_from_environment",
]

_PROXY_SCHEMES = ("http", "https")
_REMEMBERED_ORIGINS = 32


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, with the scheme's default port made explicit."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def origin_key(url: str) -> str | None:
    """``url`` up to the first ``/`` after its ``scheme://``: it holds the whole host part
    (which ends at the first ``/``, ``?`` or ``#``), so URLs sharing it share scheme and host.
    ``None`` for anything but a plain lower-case ``http(s)://`` URL (decided uncached)."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            end = url.find("/", len(scheme))
            return url if end < 0 else url[:end]
    return None


def check_proxy(proxy: str) -> str:
    """``proxy`` if it names an http(s) proxy, else ``ValueError`` saying why."""
    if not isinstance(proxy, str):
        raise TypeError(f"proxy must be a str such as 'http://proxy:3128', not {proxy!r}")
    parts = urlsplit(proxy)
    if parts.scheme not in _PROXY_SCHEMES or not parts.hostname:
        raise ValueError(
            f"proxy must be an http:// or https:// URL such as 'http://proxy:3128', "
            f"got scheme {parts.scheme!r}"
        )
    # A proxy URL may carry a user and password: errors quote it without them.
    _, at, hostport = parts.netloc.rpartition("@")
    shown = proxy.replace(parts.netloc, f"<credentials>@{hostport}", 1) if at else proxy
    if has_space_or_control(proxy):
        raise ValueError(f"proxy must not contain spaces or control characters, got {shown!r}")
    check_port(shown, hostport if at else parts.netloc, what="proxy")
    return proxy


def _env(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name.lower()) or environ.get(name.upper()) or None


def no_proxy_matches(host: str, no_proxy: str | None) -> bool:
    """Whether ``NO_PROXY``'s comma-separated list exempts ``host``."""
    host = host.lower().strip("[]")
    for raw in (no_proxy or "").split(","):
        entry = raw.strip().lower()
        if entry == "*":
            return True
        # "host:port" loses its port; an IPv6 literal keeps its colons.
        name = entry.split(":", 1)[0] if entry.count(":") == 1 else entry.strip("[]")
        domain = name.lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def proxy_from_environment(url: str, environ: Mapping[str, str]) -> str | None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if no_proxy_matches(host, _env(environ, "NO_PROXY")):
        return None
    return _env(environ, f"{parts.scheme}_PROXY") or _env(environ, "ALL_PROXY")


@attrs.frozen
class Network:
    """A client's proxy and TLS settings, and the proxy each request URL gets."""

    proxy: str | None = None
    trust_env: bool = True
    ssl: _ssl.SSLContext | bool = True
    environ: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    # The proxy each origin gets: it depends on the scheme and host alone, and a client
    # sends to few origins (the API, the export CDN), so it is decided once per origin.
    _by_origin: dict[str, str | None] = attrs.field(
        factory=dict, init=False, repr=False, eq=False, hash=False
    )

    def proxy_for(self, url: str) -> str | None:
        origin = origin_key(url)
        if origin is None:
            return self._decide(url)
        if origin not in self._by_origin:
            if len(self._by_origin) >= _REMEMBERED_ORIGINS:
                self._by_origin.clear()
            self._by_origin[origin] = self._decide(url)
        return self._by_origin[origin]

    def _decide(self, url: str) -> str | None:
        if is_loopback(urlsplit(url).hostname or ""):
            return None
        if self.proxy is not None:
            return self.proxy
        if not self.trust_env:
            return None
        found = proxy_from_environment(url, self.environ)
        return None if found is None else check_proxy(found)


def network_for(
    base_url: str,
    *,
    proxy: str | None,
    trust_env: bool,
    ssl: _ssl.SSLContext | bool | None,
    environ: Mapping[str, str],
) -> Network:
    """The checked settings of a client whose API lives at ``base_url``."""
    if proxy is not None:
        check_proxy(proxy)
    if not isinstance(trust_env, bool):
        raise TypeError(f"trust_env must be True or False, not {trust_env!r}")
    if ssl is None:
        ssl = True
    if ssl is not True and not isinstance(ssl, _ssl.SSLContext):
        if ssl is not False:
            raise TypeError(f"ssl must be an ssl.SSLContext or False, not {ssl!r}")
        if not is_loopback(urlsplit(base_url).hostname or ""):
            raise ValueError(
                "ssl=False turns certificate checks off; it is allowed only for a loopback "
                f"base_url, not {base_url!r}. Pass ssl=ssl.create_default_context(cafile=...)"
            )
    return Network(proxy=proxy, trust_env=trust_env, ssl=ssl, environ=dict(environ))
