"""The CLI and the clients read one configuration: every ``LUCIDGREEN_*`` variable, in the
same order (arguments, product variables, generic variables, defaults)."""

from __future__ import annotations

import itertools
import os

import pytest

from lucidgreen import RetailClient, SourceClient
from lucidgreen._client import BaseClient
from lucidgreen.auth import ClientCredentials, StaticToken
from lucidgreen.cli._common import UsageError, make_client
from lucidgreen.cli._parser import build_parser

PRODUCTS: dict[str, type[BaseClient]] = {"source": SourceClient, "retail": RetailClient}
SETTINGS = ("CLIENT_ID", "CLIENT_SECRET", "TOKEN", "ENVIRONMENT", "BASE_URL")
VALUES = {
    "CLIENT_ID": "id-{level}",
    "CLIENT_SECRET": "secret-{level}",
    "TOKEN": "token-{level}",
    "ENVIRONMENT": "test",
    "BASE_URL": "http://127.0.0.1:{port}",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LUCIDGREEN_"):
            monkeypatch.delenv(name)


def _seen(client: BaseClient) -> tuple[str, str, str | None, str | None]:
    auth = client._auth
    if isinstance(auth, ClientCredentials):
        return client.base_url, "credentials", auth.client_id, auth._client_secret.value
    assert isinstance(auth, StaticToken)
    return client.base_url, "token", None, auth._token.value


def _both(product: str) -> tuple[object, object]:
    """What the client and the CLI configure from the same environment (or the same error)."""
    outcomes: list[object] = []
    args = build_parser().parse_args(["get", product, "product", "x"])
    for build in (PRODUCTS[product], lambda: make_client(PRODUCTS[product], args)):
        try:
            outcomes.append(_seen(build()))
        except (ValueError, UsageError) as exc:
            # What is refused, not how: each spells the options its own way.
            outcomes.append(("refused", str(exc).split(":")[0]))
    return outcomes[0], outcomes[1]


def _variables(product: str, level: int, settings: tuple[str, ...]) -> dict[str, str]:
    prefix = f"LUCIDGREEN_{product.upper()}_" if level == 0 else "LUCIDGREEN_"
    return {
        prefix + setting: VALUES[setting].format(level=level, port=8000 + level)
        for setting in settings
    }


@pytest.mark.parametrize("product", sorted(PRODUCTS))
@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("level", [0, 1])
def test_every_variable_alone_is_read_alike(
    monkeypatch: pytest.MonkeyPatch, product: str, setting: str, level: int
) -> None:
    """Each variable, at each level, with just enough beside it to build a client."""
    env = _variables(product, level, (setting,))
    if setting not in ("TOKEN", "CLIENT_ID", "CLIENT_SECRET"):
        env["LUCIDGREEN_TOKEN"] = "token-generic"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client_view, cli_view = _both(product)
    assert client_view == cli_view


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_every_mix_of_levels_is_read_alike(monkeypatch: pytest.MonkeyPatch, product: str) -> None:
    """Product and generic variables together: the product level wins in both readers."""
    for product_settings, generic_settings in itertools.product(
        [(), ("CLIENT_ID", "CLIENT_SECRET"), ("TOKEN", "BASE_URL"), ("ENVIRONMENT",)],
        [("TOKEN",), ("CLIENT_ID", "CLIENT_SECRET", "ENVIRONMENT", "BASE_URL")],
    ):
        with monkeypatch.context() as patch:
            env = {
                **_variables(product, 1, generic_settings),
                **_variables(product, 0, product_settings),
            }
            for name, value in env.items():
                patch.setenv(name, value)
            client_view, cli_view = _both(product)
            assert client_view == cli_view, env


def test_the_test_environment_reaches_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reported defect: LUCIDGREEN_ENVIRONMENT=test sent the CLI to production."""
    monkeypatch.setenv("LUCIDGREEN_ENVIRONMENT", "test")
    monkeypatch.setenv("LUCIDGREEN_SOURCE_TOKEN", "token-of-the-test-host")
    args = build_parser().parse_args(["get", "source", "product", "x"])
    client = make_client(SourceClient, args)
    assert client.base_url == "https://source-test.lucidgreen.io"
    assert _seen(client)[3] == "token-of-the-test-host"


def test_flags_win_over_every_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUCIDGREEN_SOURCE_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("LUCIDGREEN_SOURCE_TOKEN", "from-env")
    args = build_parser().parse_args(
        [
            *("get", "source", "product", "x", "--token", "from-flag"),
            *("--environment", "test", "--base-url", "http://127.0.0.1:2"),
        ]
    )
    assert _seen(make_client(SourceClient, args)) == (
        "http://127.0.0.1:2",
        "token",
        None,
        "from-flag",
    )
