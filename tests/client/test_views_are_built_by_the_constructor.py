"""``with_options`` builds its view by calling the client's class: a subclass's own
``__init__`` runs for the view too (its state is the view's), whatever arguments it takes,
while what the SDK built (session, budget, token, stats) is shared, not built again."""

from __future__ import annotations

from typing import Any

import pytest

from lucidgreen import RetryPolicy, SourceClient
from lucidgreen.testing import FakeLucidGreen


class TenantClient(SourceClient):
    """A user's subclass: a required argument of its own, state set in ``__init__``."""

    def __init__(self, tenant: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.label = f"tenant {tenant}"


class SelfConfigured(SourceClient):
    """A subclass whose ``__init__`` takes none of the client's arguments, and builds
    another client before its own (that one must stay a client of its own)."""

    def __init__(self, fake: FakeLucidGreen) -> None:
        self.neighbour = fake.source_client()
        client_id, client_secret = fake.source_credentials
        super().__init__(client_id, client_secret, base_url=fake.url)
        self.fake_url = fake.url


async def test_a_subclass_view_keeps_the_state_its_init_sets(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """The view is an instance of the subclass, with the attributes its ``__init__`` set."""
    fake = lucidgreen_fake
    client_id, client_secret = fake.source_credentials
    async with TenantClient("acme", client_id, client_secret, base_url=fake.url) as client:
        view = client.with_options(timeout=5)
        nested = view.with_options(retry=RetryPolicy.none())
        for each in (view, nested):
            assert isinstance(each, TenantClient)
            assert (each.tenant, each.label) == ("acme", "tenant acme")


async def test_a_subclass_view_shares_what_the_client_built(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """Running ``__init__`` again builds no second session, budget, token or stats: the view
    uses the client's; closing the view closes nothing, closing the client closes the view."""
    fake = lucidgreen_fake
    uuid = next(iter(fake.state.products))
    client_id, client_secret = fake.source_credentials
    client = TenantClient("acme", client_id, client_secret, base_url=fake.url)
    view = client.with_options(timeout=5)
    assert view.rate_limiter is client.rate_limiter
    assert view.stats is client.stats
    assert view._transport is client._transport
    await view.products.get(uuid)
    await client.products.get(uuid)
    assert client._auth.tokens_issued == 1  # type: ignore[attr-defined]
    assert client.stats.requests == view.stats.requests
    await view.aclose()
    assert (await client.products.get(uuid)).uuid == uuid
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await view.products.get(uuid)


async def test_a_subclass_with_its_own_signature_gets_views(
    lucidgreen_fake: FakeLucidGreen,
) -> None:
    """A subclass taking only its own arguments has views too; a client its ``__init__``
    builds before ``super().__init__()`` is not turned into a view."""
    fake = lucidgreen_fake
    uuid = next(iter(fake.state.products))
    async with SelfConfigured(fake) as client:
        view = client.with_options(timeout=5)
        assert isinstance(view, SelfConfigured)
        assert view.fake_url == fake.url
        assert view.rate_limiter is client.rate_limiter
        assert view.neighbour.rate_limiter is not client.rate_limiter
        assert (await view.products.get(uuid)).uuid == uuid
        await view.neighbour.aclose()
        await client.neighbour.aclose()
