"""Every public method of a namespace is one SDK call, declared where it is defined and named
where the client mounts it: ``<product>.<namespace>.<method>``; list options are checked."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from lucidgreen import RetailClient, SourceClient
from lucidgreen._instrument import CallName, CallObserver
from lucidgreen._namespace import namespaces_of, public_methods
from lucidgreen._transport import Request, Response
from lucidgreen.errors import LucidGreenError
from lucidgreen.testing import FakeLucidGreen


class _Observer:
    def attempt_started(self, request: Request, attempt: int) -> Request:
        return request

    def attempt_ended(self, request: Request, outcome: Response | BaseException) -> None:
        pass

    def limiter_waited(self, seconds: float) -> None:
        pass

    def token_renewed(self, reason: str) -> None:
        pass

    def retry_scheduled(self, retry_number: int, delay: float, error: LucidGreenError) -> None:
        pass

    def paused(self, seconds: float) -> None:
        pass

    def call_ended(self, error: BaseException | None) -> None:
        pass


class _Names:
    """An instrumentation that keeps the name of every call started (pages by number)."""

    def __init__(self) -> None:
        self.started: list[CallName] = []

    def call_started(self, call: CallName, product: str) -> CallObserver:
        self.started.append(call)
        return _Observer()

    def names(self) -> list[str]:
        return [call.name for call in self.started if not call.name.endswith(".oauth.token")]


@pytest.mark.parametrize("client_type", [SourceClient, RetailClient])
def test_every_public_method_is_declared_a_call_keeping_its_signature_and_doc(
    client_type: type[SourceClient | RetailClient],
) -> None:
    """A method the class body leaves undecorated would be traced as ``<product>.request``."""
    for namespace, declared in namespaces_of(client_type).items():
        for name in public_methods(declared.kind):
            method = vars(declared.kind)[name]
            original = getattr(method, "__wrapped__", None)
            assert original is not None, f"{namespace}.{name} is not declared with @sdk_call"
            assert inspect.signature(method) == inspect.signature(original)
            assert method.__doc__ == original.__doc__
            assert inspect.iscoroutinefunction(method) == inspect.iscoroutinefunction(original)


async def test_retail_calls_are_named_after_the_namespace_the_client_mounts() -> None:
    """``retail.batches`` and ``retail.brands`` share a module with ``retail.products``; each
    call is still named after the namespace the caller typed."""
    names = _Names()
    async with (
        FakeLucidGreen(products=3, rate_limits=False) as fake,
        fake.retail_client() as retail,
    ):
        retail.instrument(names)
        await retail.products.get(next(iter(fake.state.products)))
        await retail.batches.get(next(iter(fake.state.batches)))
        await retail.brands.get(next(iter(fake.state.brands)))
        export = await retail.package_uids.export()
        await export.download()
    assert names.names() == [
        "retail.products.get",
        "retail.batches.get",
        "retail.brands.get",
        "retail.package_uids.export",
        "retail.package_uids.download",
    ]


async def test_a_view_and_a_pager_keep_the_names_of_their_namespace() -> None:
    names = _Names()
    fake = FakeLucidGreen(products=5, page_size=2, rate_limits=False)
    async with fake, fake.source_client() as source:
        source.instrument(names)
        await source.with_options(timeout=5).products.get(next(iter(fake.state.products)))
        assert len([item async for item in source.products.list(limit=3)]) == 3
    assert names.names() == ["source.products.get"] + ["source.products.list"] * 2
    assert [call.page for call in names.started][-2:] == [1, 2]


async def test_an_option_a_list_method_does_not_declare_is_a_type_error_before_sending() -> None:
    async with FakeLucidGreen(rate_limits=False) as fake, fake.source_client() as source:
        with pytest.raises(TypeError, match="'page_limit'"):
            source.products.list(page_limit=3)  # type: ignore[call-arg]
        # Not taken for the resource's own arguments either.
        untyped: Any = source.products
        for name in ("params", "accepts", "path"):
            with pytest.raises(TypeError, match=f"'{name}'"):
                untyped.list(**{name: {"brand": "x"}})
        # One bare array: no pages to fetch ahead or resume from.
        with pytest.raises(TypeError, match="'prefetch'"):
            source.brands.list(prefetch=2)  # type: ignore[call-arg]
        assert len([brand async for brand in source.brands.list(limit=1)]) == 1
        requests = len(fake.requests)
    assert requests == 2  # the token and the one brands page
