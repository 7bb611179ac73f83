"""Attacks on ``with_options`` building its view by calling the client's class again: the
parts handed over in a context variable must reach the view and nothing else, whatever a
subclass's ``__init__`` / ``__new__`` does, from any task or thread; the view must have its
client's state and hold nothing a deep walk could print."""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self

import aiohttp
import pytest

import lucidgreen
from lucidgreen import SourceClient
from lucidgreen.auth import Secret
from lucidgreen.testing import MockTransport, json_response

LID = "UNDTMBovdue9tFWfhamnDM"
SECRET = "view-secret-4f1c9a77d2e0"


def _transport() -> MockTransport:
    return MockTransport(lambda request: json_response({"uuid": LID, "name": "x"}))


def _owns_its_parts(client: SourceClient, other: SourceClient) -> bool:
    return client._pipeline is not other._pipeline and client.rate_limiter is not other.rate_limiter


class FailsOnSecondBuild(SourceClient):
    builds = 0

    def __init__(self, **kwargs: Any) -> None:
        type(self).builds += 1
        if type(self).builds > 1:
            raise RuntimeError("subclass refuses a second build")
        super().__init__(**kwargs)


def test_a_view_whose_subclass_init_raises_leaves_no_parts_waiting() -> None:
    """The subclass's error reaches the caller, and the next plain client built in the same
    context builds its own parts: it is not silently a view of the old client."""
    FailsOnSecondBuild.builds = 0
    client = FailsOnSecondBuild(token="t", transport=_transport())
    with pytest.raises(RuntimeError, match="second build"):
        client.with_options(timeout=5)
    plain = SourceClient(token="t2", transport=_transport())
    assert _owns_its_parts(plain, client)
    assert plain._owns_resources


class BuildsANeighbourAfter(SourceClient):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.neighbour = SourceClient(token="n", transport=_transport())


def test_a_client_built_after_super_init_is_its_own() -> None:
    """A client the subclass builds after ``super().__init__()`` in the view is never the
    view's twin: only the view shares its client's parts."""
    client = BuildsANeighbourAfter(token="t", transport=_transport())
    view = client.with_options(timeout=5)
    assert view.rate_limiter is client.rate_limiter
    assert _owns_its_parts(view.neighbour, client)
    assert _owns_its_parts(view.neighbour, client.neighbour)


async def test_views_and_clients_built_by_many_tasks_at_once_do_not_mix() -> None:
    """Fifty tasks each making a view and then a plain client, interleaved at awaits: every
    view shares its client's parts, every plain client has its own."""
    client = SourceClient(token="t", transport=_transport())

    async def one(i: int) -> tuple[SourceClient, SourceClient]:
        await asyncio.sleep(0)
        view = client.with_options(timeout=1 + i)
        await asyncio.sleep(0)
        return view, SourceClient(token=f"t{i}", transport=_transport())

    pairs = await asyncio.gather(*(one(i) for i in range(50)))
    for view, plain in pairs:
        assert view.rate_limiter is client.rate_limiter
        assert not view._owns_resources
        assert _owns_its_parts(plain, client)
        assert plain._owns_resources


def test_views_and_clients_built_by_many_threads_at_once_do_not_mix() -> None:
    """The same from sixteen threads (a context variable per thread)."""
    client = SourceClient(token="t", transport=_transport())
    barrier = threading.Barrier(16)

    def one(i: int) -> tuple[SourceClient, SourceClient]:
        barrier.wait()
        views = [client.with_options(timeout=1 + i) for _ in range(20)]
        return views[-1], SourceClient(token=f"t{i}", transport=_transport())

    with ThreadPoolExecutor(16) as pool:
        pairs = list(pool.map(one, range(16)))
    for view, plain in pairs:
        assert view.rate_limiter is client.rate_limiter
        assert _owns_its_parts(plain, client)


async def test_a_view_of_a_view_shares_the_first_clients_parts() -> None:
    """Nested views keep every earlier option and share the one client's parts."""
    client = SourceClient(token="t", transport=_transport())
    nested = client.with_options(headers={"X-A": "1"}).with_options(headers={"X-B": "2"})
    await nested.products.get(LID)
    sent = client._transport.requests[-1]  # type: ignore[attr-defined]
    assert sent.headers["X-A"] == "1"
    assert sent.headers["X-B"] == "2"
    assert nested.stats is client.stats
    assert nested.rate_limiter is client.rate_limiter


class OwnNew(SourceClient):
    """A subclass with its own ``__new__`` written the usual way (``object.__new__``
    takes no arguments, so ``super().__new__(cls)``)."""

    def __new__(cls, tenant: str, **kwargs: Any) -> Self:
        del tenant, kwargs
        return super().__new__(cls)

    def __init__(self, tenant: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tenant = tenant


def test_a_subclass_with_its_own_new_gets_views() -> None:
    """A subclass overriding ``__new__`` the usual way still gets views."""
    client = OwnNew("acme", token="t", transport=_transport())
    assert client.with_options(timeout=5).tenant == "acme"


class ViewInInit(SourceClient):
    """A subclass keeping a fast view of itself, made in ``__init__``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast = self.with_options(timeout=1)


def test_a_subclass_may_make_a_view_in_its_init() -> None:
    """``self.fast = self.with_options(timeout=1)`` in ``__init__`` builds one client."""
    client = ViewInInit(token="t", transport=_transport())
    assert client.fast.rate_limiter is client.rate_limiter


class Configured(SourceClient):
    def __init__(self, config: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.region = config["region"]


def test_a_view_runs_init_again_on_the_same_argument_objects() -> None:
    """Documented on ``with_options``: the view's ``__init__`` gets the very objects the
    client got, so a mutable argument changed since shows in the view (``region`` ``eu``
    while the client's is ``us``); a subclass that must not see it copies in ``__init__``."""
    config = {"region": "us"}
    client = Configured(config, token="t", transport=_transport())
    config["region"] = "eu"
    view = client.with_options(timeout=5)
    assert (client.region, view.region) == ("us", "eu")
    assert view.rate_limiter is client.rate_limiter


def test_a_view_reads_no_variable_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Variables changed between the client and its view change nothing of the view: same
    origin (resolved from ``LUCIDGREEN_SOURCE_BASE_URL``), same credentials."""
    monkeypatch.setenv("LUCIDGREEN_SOURCE_BASE_URL", "http://127.0.0.1:9001")
    monkeypatch.setenv("LUCIDGREEN_SOURCE_TOKEN", "first")
    client = SourceClient(transport=_transport())
    monkeypatch.setenv("LUCIDGREEN_SOURCE_BASE_URL", "http://127.0.0.1:9002")
    monkeypatch.setenv("LUCIDGREEN_SOURCE_TOKEN", "second")
    monkeypatch.setenv("LUCIDGREEN_SOURCE_ENVIRONMENT", "nonsense")  # would raise if read
    view = client.with_options(timeout=5)
    assert view.base_url == client.base_url == "http://127.0.0.1:9001"
    assert view._auth is client._auth


def _reprs_below(root: object) -> list[str]:
    """The repr of every container reachable from ``root`` (a debugger's deep walk), not
    looking into a :class:`Secret` (whose repr hides it), modules or classes."""
    shown: list[str] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type | Secret | str | bytes):
            continue
        seen.add(id(obj))
        if type(obj).__name__ == "module":
            continue
        shown.append(repr(obj))
        if callable(obj) and hasattr(obj, "__globals__"):  # a function: its closure only
            stack += [cell.cell_contents for cell in getattr(obj, "__closure__", None) or ()]
            continue
        stack += gc.get_referents(obj)
    return shown


def test_no_container_reachable_from_a_client_shows_its_secret() -> None:
    """A deep walk of a client and its view (as a debugger or error reporter does) finds no
    object whose repr holds the client secret."""
    client = SourceClient("id", SECRET, transport=_transport())
    view = client.with_options(timeout=5)
    for root in (client, view):
        assert not [text for text in _reprs_below(root) if SECRET in text]


def test_the_constructor_closure_shows_no_secret_in_vars_or_repr() -> None:
    """``repr(client)``, ``vars(client)``'s reprs and the closure's own repr hide it."""
    client = SourceClient("id", SECRET, transport=_transport())
    view = client.with_options(timeout=5)
    for each in (client, view):
        assert SECRET not in repr(each)
        assert SECRET not in repr(vars(each))


class OwnSession(SourceClient):
    """A subclass bringing its own aiohttp session (the documented ``session=``)."""

    def __init__(self, **kwargs: Any) -> None:
        self.session = aiohttp.ClientSession()
        super().__init__(session=self.session, **kwargs)

    async def aclose(self) -> None:
        await super().aclose()
        await self.session.close()


async def test_a_view_opens_again_what_init_opens() -> None:
    """Documented on ``with_options``: each view runs ``__init__`` again, so a session a
    subclass opens there is opened once more per view, and only the subclass can close it."""
    client = OwnSession(token="t", base_url="http://127.0.0.1:9")
    view = client.with_options(timeout=5)
    try:
        assert view.session is not client.session
        await client.aclose()
        assert client.session.closed
        assert not view.session.closed  # the price of a view built by the constructor
    finally:
        await view.session.close()


class GivenSession(SourceClient):
    """The documented way: the subclass is given its session (or opens it lazily)."""

    def __init__(self, session: aiohttp.ClientSession, **kwargs: Any) -> None:
        self.session = session
        super().__init__(session=session, **kwargs)


async def test_a_session_passed_in_is_the_views_and_closed_once() -> None:
    """A subclass given its session opens nothing per view: the view has the same session,
    and closing it (the caller's) leaves none open."""
    async with aiohttp.ClientSession() as session:
        client = GivenSession(session, token="t", base_url="http://127.0.0.1:9")
        view = client.with_options(timeout=5).with_options(timeout=6)
        assert view.session is session
        assert view._transport is client._transport
        await client.aclose()
    assert session.closed


async def test_a_view_of_a_closed_client_refuses_to_send() -> None:
    """A view made after its client closed is a view of a closed client: calls raise."""
    client = SourceClient(token="t", transport=_transport())
    await client.aclose()
    view = client.with_options(timeout=5)
    with pytest.raises(RuntimeError, match="closed"):
        await view.products.get(LID)
    assert client._transport.requests == []  # type: ignore[attr-defined]


def test_ten_thousand_views_are_all_collected() -> None:
    """Views keep nothing alive: 10,000 of them, dropped, are garbage; and a view does not
    keep its client object alive."""
    client = SourceClient(token="t", transport=_transport())
    refs = [weakref.ref(client.with_options(timeout=1 + i % 7)) for i in range(10_000)]
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0
    view = client.with_options(timeout=5)
    parent = weakref.ref(client)
    del client
    gc.collect()
    assert parent() is None
    assert view.stats.requests == 0


def test_a_copy_shares_and_a_pickle_fails_loudly() -> None:
    """``copy.copy`` gives a client on the same parts that still makes views; pickling (a
    client holds sessions, locks and a closure) fails at once rather than half-working."""
    client = SourceClient(token="t", transport=_transport())
    twin = copy.copy(client)
    assert twin._pipeline is client._pipeline
    assert twin.with_options(timeout=5).rate_limiter is client.rate_limiter
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(client)


def test_every_view_runs_the_subclass_init_again() -> None:
    """A side effect of the subclass's ``__init__`` happens once per view (documented)."""
    built: list[str] = []

    class Counting(SourceClient):
        def __init__(self, **kwargs: Any) -> None:
            built.append("init")
            super().__init__(**kwargs)

    client = Counting(token="t", transport=_transport())
    client.with_options(timeout=5).with_options(timeout=6)
    assert built == ["init"] * 3
    assert isinstance(lucidgreen.SourceClient(token="t", transport=_transport()), SourceClient)
