"""Attacks on the one configuration of clients and CLI: every combination of arguments and
``LUCIDGREEN_*`` variables (empty and whitespace values too) gives the same credentials or
the same refusal, in each caller's spelling, with no secret in any message; the CLI's
``--rate-limit`` builds the product's limiter or is a usage error."""

from __future__ import annotations

import argparse
import itertools
import os

import pytest

from lucidgreen import SourceClient, _config
from lucidgreen.auth import ClientCredentials, StaticToken
from lucidgreen.cli._common import UsageError, make_client
from lucidgreen.cli._parser import _rate, build_parser

ORIGIN = "http://127.0.0.1:9"
ENVIRONMENTS: dict[str, dict[str, str]] = {
    "nothing": {},
    "generic pair": {"LUCIDGREEN_CLIENT_ID": "gid", "LUCIDGREEN_CLIENT_SECRET": "gsecret-9d1"},
    "generic empty secret": {"LUCIDGREEN_CLIENT_ID": "gid", "LUCIDGREEN_CLIENT_SECRET": ""},
    "generic token": {"LUCIDGREEN_TOKEN": "gtoken-77a"},
    "product id, generic secret": {
        "LUCIDGREEN_SOURCE_CLIENT_ID": "pid",
        "LUCIDGREEN_CLIENT_SECRET": "gsecret-9d1",
    },
    "product pair, generic token": {
        "LUCIDGREEN_SOURCE_CLIENT_ID": "pid",
        "LUCIDGREEN_SOURCE_CLIENT_SECRET": "psecret-3c2",
        "LUCIDGREEN_TOKEN": "gtoken-77a",
    },
    "retail only": {"LUCIDGREEN_RETAIL_TOKEN": "rtoken-5e0"},
}
SECRETS = ("gsecret-9d1", "psecret-3c2", "gtoken-77a", "rtoken-5e0", "asecret-61b", "atoken-0f4")
VALUES: dict[str, tuple[str | None, ...]] = {
    "client_id": (None, "aid"),
    "client_secret": (None, "asecret-61b"),
    "token": (None, "atoken-0f4"),
}
EMPTY: tuple[str | None, ...] = (None, "")
#: Rates no limiter can pace: a count too large for a float, an infinite refill, other digits.
UNPACEABLE = (f"{10**400}/60", "1/5e-324", f"60/{10**400}", "\u0665/60", "60/\u0666\u0660")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LUCIDGREEN_"):
            monkeypatch.delenv(name)


def _chosen(client: SourceClient) -> tuple[str, ...]:
    auth = client._auth
    if isinstance(auth, ClientCredentials):
        return ("credentials", auth.client_id, auth._client_secret.value)
    assert isinstance(auth, StaticToken)
    return ("token", auth._token.value)


def _both(given: dict[str, str | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the client and the CLI make of the same arguments and environment."""
    try:
        client = _chosen(SourceClient(**given, base_url=ORIGIN))  # type: ignore[arg-type]
    except ValueError as exc:
        client = ("refused", str(exc))
    argv = ["get", "source", "product", "x", "--base-url", ORIGIN]
    argv += [f"--{k.replace('_', '-')}={v}" for k, v in given.items() if v is not None]
    try:
        cli = _chosen(make_client(SourceClient, build_parser().parse_args(argv)))
    except UsageError as exc:
        cli = ("refused", str(exc))
    return client, cli


def _cases(values: dict[str, tuple[str | None, ...]]) -> list[dict[str, str | None]]:
    return [dict(zip(values, combo, strict=True)) for combo in itertools.product(*values.values())]


def _agree(monkeypatch: pytest.MonkeyPatch, env: str, given: dict[str, str | None]) -> None:
    for name, value in ENVIRONMENTS[env].items():
        monkeypatch.setenv(name, value)
    client, cli = _both(given)
    assert client[0] == cli[0], (client, cli)
    if client[0] != "refused":
        assert client == cli
    for message in (client[-1], cli[-1]) if client[0] == "refused" else ():
        assert not [s for s in SECRETS if s in message], message


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
@pytest.mark.parametrize("given", _cases(VALUES), ids=str)
def test_clients_and_cli_choose_alike(
    monkeypatch: pytest.MonkeyPatch, env: str, given: dict[str, str | None]
) -> None:
    """Each of the 8 argument combinations in each environment: the same credentials, or
    both refuse, and no refusal repeats a secret."""
    _agree(monkeypatch, env, given)


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
@pytest.mark.parametrize(
    "given", _cases({"client_id": EMPTY, "client_secret": EMPTY, "token": (None,)}), ids=str
)
def test_empty_arguments_count_as_not_given_alike(
    monkeypatch: pytest.MonkeyPatch, env: str, given: dict[str, str | None]
) -> None:
    """``client_id=""`` / ``--client-id=`` without a token: both fall back alike."""
    _agree(monkeypatch, env, given)


@pytest.mark.parametrize("env", ["nothing", "generic pair"])
@pytest.mark.parametrize("empty", ["client_id", "client_secret"])
def test_an_empty_half_beside_a_token_is_read_alike(
    monkeypatch: pytest.MonkeyPatch, env: str, empty: str
) -> None:
    """``client_id=""`` with ``token=``: the client and the CLI do the same."""
    _agree(monkeypatch, env, {empty: "", "token": "atoken-0f4"})


def test_each_refusal_names_its_callers_spelling() -> None:
    """The client's message names keywords and no flag; the CLI's flags and no keyword."""
    client, cli = _both({"client_id": "aid", "client_secret": None, "token": None})
    assert "client_secret=" in client[1]
    assert "--client" not in client[1]
    assert "--client-secret" in cli[1]
    assert "client_secret=" not in cli[1]
    client, cli = _both({"client_id": "aid", "client_secret": "asecret-61b", "token": "t"})
    assert "token=" in client[1]
    assert "--token" not in client[1]
    assert "--token" in cli[1]
    assert "token=" not in cli[1]


def test_the_client_names_the_missing_half_as_the_cli_does() -> None:
    """``SourceClient(client_id=...)`` alone: the message says ``client_secret=`` is missing."""
    client, cli = _both({"client_id": "aid", "client_secret": None, "token": None})
    assert cli[1].endswith("(--client-secret missing)")
    assert client[1].endswith("(client_secret= missing)")


@pytest.mark.parametrize("variable", ["LUCIDGREEN_CLIENT_SECRET", "LUCIDGREEN_TOKEN"])
def test_a_blank_variable_is_no_credential(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    """A whitespace-only value is refused like an empty one, by both callers."""
    if variable == "LUCIDGREEN_CLIENT_SECRET":
        monkeypatch.setenv("LUCIDGREEN_CLIENT_ID", "gid")
    monkeypatch.setenv(variable, "  ")
    client, cli = _both({})
    assert client[0] == cli[0] == "refused"


def test_a_token_with_a_line_break_is_refused_at_construction() -> None:
    """``token="a\\r\\nX-Evil: 1"``: a ``ValueError`` when the client is built."""
    with pytest.raises(ValueError, match="token"):
        SourceClient(token="a\r\nX-Evil: 1", base_url=ORIGIN)


def test_the_default_limiters_are_the_products() -> None:
    """Named after the product, sized for the documented limit; ``--rate-limit`` resizes
    the product's own one."""
    for spec, limit in ((_config.SOURCE, 60), (_config.RETAIL, 1000)):
        bucket = spec.default_limiter()
        assert (bucket.limit, bucket.per) == (limit, 60)
        assert repr(bucket).startswith(f"TokenBucket(name='{spec.name}', limit={limit}, per=60")
    args = build_parser().parse_args(
        ["get", "source", "product", "x", "--token", "t", "--rate-limit", "5000/min"]
    )
    limiter = make_client(SourceClient, args).rate_limiter
    assert repr(limiter).startswith("TokenBucket(name='source', limit=5000, per=60")


@pytest.mark.parametrize(
    "text",
    ["60", "0/60", "-1/60", "60/0", "60/-5", "60/nan", "60/inf", *UNPACEABLE],
)
def test_a_bad_rate_limit_is_a_usage_error(text: str) -> None:
    """Every malformed or impossible ``--rate-limit`` is refused by the parser."""
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["get", "source", "product", "x", "--rate-limit", text])
    assert info.value.code == 2


@pytest.mark.parametrize(
    "text",
    [f"{10**12}/60", "1/0.001", "5000/min", *UNPACEABLE],
)
def test_every_rate_the_parser_accepts_builds_a_limiter(text: str) -> None:
    """What ``--rate-limit`` accepts, the product's limiter takes; a count or window
    past what a limiter can pace, or non-ASCII digits, is a usage error (exit 2)."""
    try:
        rate = _rate(text)
    except argparse.ArgumentTypeError:
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args(["get", "source", "product", "x", "--rate-limit", text])
        assert info.value.code == 2
    else:
        _config.SOURCE.default_limiter(rate)
