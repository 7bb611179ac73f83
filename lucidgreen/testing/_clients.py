"""Clients on a :class:`FakeLucidGreen`: its URL, its credentials, a budget matching its limits.

The one way the kit, the plugin's fixtures and the test suite build a client against the
fake (:meth:`FakeLucidGreen.source_client` / :meth:`FakeLucidGreen.retail_client` call these).
The SDK is imported only when a client is built: the fake itself serves any HTTP client.
A fake is anything with the fake's URL, credentials and limits (:class:`Fake`), so this
module needs nothing of ``_server`` and the two import each other in neither direction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from ._middleware.throttle import Throttle

if TYPE_CHECKING:
    from .._client import RetailClient, SourceClient
    from ..ratelimit import RateLimiter


class Fake(Protocol):
    """What a client needs of a :class:`~lucidgreen.testing.FakeLucidGreen`."""

    @property
    def url(self) -> str: ...

    @property
    def limits(self) -> Throttle: ...

    @property
    def source_credentials(self) -> tuple[str, str]: ...

    @property
    def retail_credentials(self) -> tuple[str, str]: ...


__all__ = ["Fake", "limiter_for", "retail_client", "source_client"]


def limiter_for(fake: Fake, scope: Literal["source", "retail"]) -> RateLimiter:
    """A budget matching the fake: its limit and window when its limiter is on, else none."""
    from ..ratelimit import TokenBucket, Unlimited

    rate = fake.limits.limit_for(scope)
    if not fake.limits.enabled or rate is None:
        return Unlimited()
    return TokenBucket(limit=rate.limit, per=rate.window, name=f"fake-{scope}")


def source_client(fake: Fake, **options: Any) -> SourceClient:
    """A :class:`~lucidgreen.SourceClient` on ``fake`` with its credentials (not yet open).

    ``options`` go to the client; ``rate_limiter`` defaults to :func:`limiter_for`.
    """
    from .._client import SourceClient

    options.setdefault("rate_limiter", limiter_for(fake, "source"))
    client_id, client_secret = fake.source_credentials
    return SourceClient(client_id, client_secret, base_url=fake.url, **options)


def retail_client(fake: Fake, **options: Any) -> RetailClient:
    """A :class:`~lucidgreen.RetailClient` on ``fake``, built like :func:`source_client`.

    The two unauthenticated lookups keep the client's own 60-a-minute budget.
    """
    from .._client import RetailClient

    options.setdefault("rate_limiter", limiter_for(fake, "retail"))
    client_id, client_secret = fake.retail_credentials
    return RetailClient(client_id, client_secret, base_url=fake.url, **options)
