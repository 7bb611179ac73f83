"""``with_options`` builds its view by calling the client's class: a subclass's own
``__init__`` runs for the view too (its state is the view's), whatever arguments it takes,
while what the SDK built (session, budget, token, stats) is shared, not built again."""

from __future__ import annotations

from typing import Any, Self

import pytest

from lucidgreen import RetryPolicy, SourceClient
from lucidgreen.auth import Secret
from lucidgreen.testing import FakeLucidGreen, MockTransport, json_response

SECRET = "subclass-secret-93be1d"


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


def _transport() -> MockTransport:
    return MockTransport(lambda request: json_response({}))


class Recording(SourceClient):
    """A subclass noting what each build of it was given (its own arguments too)."""

    def __init__(self, label: object, *args: Any, note: object = None, **kwargs: Any) -> None:
        self.given = (label, *args, note, *kwargs.values())
        super().__init__(*args, **kwargs)


def _hidden(value: object) -> bool:
    return isinstance(value, Secret) and "<hidden>" in repr(value) and str(value) == repr(value)


def test_a_view_gets_every_argument_equal_to_the_secret_withheld() -> None:
    """Positional or keyword, the subclass's own or the client's: each top-level argument
    equal to the client secret reaches the view's ``__init__`` as a hidden ``Secret``, the
    others as they were; the client itself got them all as given."""
    client = Recording(SECRET, "id", SECRET, note=SECRET, transport=(transport := _transport()))
    assert client.given == (SECRET, "id", SECRET, SECRET, transport)
    view = client.with_options(timeout=5).with_options(timeout=6)
    label, client_id, client_secret, note, passed = view.given
    assert all(map(_hidden, (label, client_secret, note)))
    assert (client_id, passed) == ("id", transport)
    assert SECRET not in repr(vars(view)) + repr(client._arguments)
    assert view.rate_limiter is client.rate_limiter


def test_a_view_gets_the_token_withheld_and_an_unused_secret_too() -> None:
    """``token=`` is withheld like a secret, so is a secret given beside an empty id; the
    view's ``super().__init__()`` takes the ``Secret`` and builds nothing from it."""
    client = Recording("tenant", token=SECRET, transport=_transport())
    view = client.with_options(timeout=5)
    assert view.given[0] == "tenant"
    assert _hidden(view.given[-2])
    assert view._auth is client._auth


class FastView(SourceClient):
    """A subclass keeping a fast view of itself, made in ``__init__``."""

    builds = 0

    def __init__(self, tenant: str, **kwargs: Any) -> None:
        type(self).builds += 1
        self.tenant = tenant
        super().__init__(**kwargs)
        self.fast = self.with_options(timeout=1)


def test_a_view_made_in_init_is_built_once_on_clients_and_views() -> None:
    """``self.fast = self.with_options(...)`` in ``__init__`` ends: the client's ``fast`` is
    built by calling the class (one more ``__init__``), and inside that view's ``__init__``
    its own ``fast`` is made from the parts, with the attributes set so far."""
    FastView.builds = 0
    client = FastView("acme", token="t", transport=_transport())
    assert FastView.builds == 2
    view = client.with_options(timeout=5)
    assert FastView.builds == 3
    for each in (client.fast, client.fast.fast, view, view.fast):
        assert isinstance(each, FastView)
        assert each.tenant == "acme"
        assert each.rate_limiter is client.rate_limiter
        assert not each._owns_resources
    assert not hasattr(view.fast, "fast")  # made before __init__ set it
    assert view.fast.with_options(timeout=2).fast.tenant == "acme"  # a class call again
    assert FastView.builds == 4


class OwnNew(SourceClient):
    """A ``__new__`` of the usual shape: it takes the class call's arguments, passes none."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        del args, kwargs
        return super().__new__(cls)

    def __init__(self, tenant: str, **kwargs: Any) -> None:
        self.tenant = tenant
        super().__init__(**kwargs)


class OwnNewAgain(OwnNew):
    def __new__(cls, tenant: str, region: str, **kwargs: Any) -> Self:
        del region
        return super().__new__(cls, tenant, **kwargs)

    def __init__(self, tenant: str, region: str, **kwargs: Any) -> None:
        super().__init__(tenant, **kwargs)
        self.region = region


def test_a_subclass_new_of_the_usual_shape_keeps_the_class_calls_arguments() -> None:
    """``super().__new__(cls)`` drops the arguments on the way to ``BaseClient.__new__``;
    the views still get the ones the class was called with, through two such ``__new__``."""
    client = OwnNewAgain("acme", "eu", token="t", transport=_transport())
    view = client.with_options(timeout=5)
    assert (view.tenant, view.region) == ("acme", "eu")
    assert view.rate_limiter is client.rate_limiter
    assert OwnNew("acme", token="t", transport=_transport()).with_options().tenant == "acme"


def test_a_subclass_new_skipping_the_base_one_is_a_type_error_naming_the_rule() -> None:
    """A ``__new__`` making its instance with ``object.__new__`` is refused at construction,
    saying what it must call."""

    class Bypassing(SourceClient):
        def __new__(cls, **kwargs: Any) -> Self:
            del kwargs
            return object.__new__(cls)

    with pytest.raises(TypeError, match=r"Bypassing.__new__ must .* super\(\).__new__\(cls\)"):
        Bypassing(token="t", transport=_transport())
