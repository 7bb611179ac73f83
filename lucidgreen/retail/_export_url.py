"""Which presigned export URLs the SDK downloads from (pure: tested without a network).

The export's location is the server's word, and it is fetched without the bearer token but
with the whole mapping in it: only ``https``, or plain ``http`` to a loopback host (a local
fake or mirror), so the file can be neither read nor swapped on the way. Anything else
(plain http on the network, ``file://``, ``ftp://``, a relative or broken URL) is refused
before a connection is tried, and never retried: no schedule can make it usable.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .._config import has_space_or_control, is_loopback
from ..errors import DecodeError

__all__ = ["check_download_url"]


def _where(url: str) -> str:
    """The URL without its query or fragment (a presigned URL's query is its signature)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "an unparsable URL"
    return repr(f"{parts.scheme}://{parts.netloc}{parts.path}"[:200])


def _refusal(url: str, why: str) -> DecodeError:
    return DecodeError(f"the package-UID export_url {_where(url)} cannot be downloaded: {why}")


def check_download_url(url: str) -> str:
    """``url`` if the export may be downloaded from it, else ``DecodeError`` saying why."""
    if has_space_or_control(url):
        raise _refusal(url, "it holds spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise _refusal(url, "it is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise _refusal(url, "only an absolute https:// URL is downloaded")
    if scheme == "http" and not is_loopback(host):
        raise _refusal(url, "plain http:// is downloaded only from a loopback host; use https://")
    return url
