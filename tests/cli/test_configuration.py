"""The command configures a client as the clients configure themselves: the same default
rate limiter, the same credential resolution, and a missing-credentials message in its own
spelling (flags, not keywords)."""

from __future__ import annotations

import inspect

import pytest

from lucidgreen import RetailClient, SourceClient, _settings
from lucidgreen._client import BaseClient
from lucidgreen._config import RETAIL, SOURCE
from lucidgreen.auth import StaticToken
from lucidgreen.cli._common import make_client
from lucidgreen.cli._parser import build_parser
from lucidgreen.cli._waits import AnnouncingLimiter, WaitReporter
from lucidgreen.ratelimit import RateLimiter, TokenBucket
from lucidgreen.retry import RetryPolicy
from lucidgreen.testing import FakeLucidGreen
from tests.cli.conftest import Run

PRODUCTS: dict[str, type[BaseClient]] = {"source": SourceClient, "retail": RetailClient}


def _bucket(limiter: RateLimiter | None) -> TokenBucket:
    inner = limiter.inner if isinstance(limiter, AnnouncingLimiter) else limiter
    assert isinstance(inner, TokenBucket)
    return inner


def _named(bucket: TokenBucket) -> tuple[str, int, float, int]:
    # The name shows only in the repr: its first field.
    return repr(bucket).split(",")[0], bucket.limit, bucket.per, bucket.burst


def _cli_client(product: str, *flags: str, waits: WaitReporter | None = None) -> BaseClient:
    args = build_parser().parse_args(["get", product, "product", "x", "--token", "t", *flags])
    return make_client(PRODUCTS[product], args, waits=waits)


@pytest.mark.parametrize("product", sorted(PRODUCTS))
@pytest.mark.parametrize("announcing", [False, True], ids=["quiet", "announcing"])
def test_the_cli_default_limiter_is_the_clients_default(product: str, announcing: bool) -> None:
    """Name, limit, window and burst of the command's limiter equal the client's own default,
    whether or not the command wraps it to announce waits."""
    waits = WaitReporter(None, 5) if announcing else None
    cli_limiter = _cli_client(product, waits=waits).rate_limiter
    assert isinstance(cli_limiter, AnnouncingLimiter) is announcing
    client_default = _bucket(PRODUCTS[product](token="t").rate_limiter)
    assert _named(_bucket(cli_limiter)) == _named(client_default)
    assert _named(client_default)[0] == f"TokenBucket(name={product!r}"


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_rate_limit_overrides_the_size_and_keeps_the_name(product: str) -> None:
    bucket = _bucket(_cli_client(product, "--rate-limit", "5000/30").rate_limiter)
    client_default = _bucket(PRODUCTS[product](token="t").rate_limiter)
    assert (bucket.limit, bucket.per) == (5000, 30.0)
    assert _named(bucket)[0] == _named(client_default)[0]


# --- credentials: each flag falls back to its own variable ----------------------------------


def _credential_cases(fake: FakeLucidGreen) -> dict[str, tuple[list[str], dict[str, str]]]:
    client_id, secret = fake.source_credentials
    return {
        "id-flag+secret-env": (["--client-id", client_id], {"LUCIDGREEN_CLIENT_SECRET": secret}),
        "id-env+secret-flag": (["--client-secret", secret], {"LUCIDGREEN_CLIENT_ID": client_id}),
        "id-flag+product-secret-env": (
            ["--client-id", client_id],
            {"LUCIDGREEN_SOURCE_CLIENT_SECRET": secret},
        ),
        "both-env": (
            [],
            {"LUCIDGREEN_CLIENT_ID": client_id, "LUCIDGREEN_CLIENT_SECRET": secret},
        ),
        "both-flags": (["--client-id", client_id, "--client-secret", secret], {}),
    }


CREDENTIAL_CASES = [
    "id-flag+secret-env",
    "id-env+secret-flag",
    "id-flag+product-secret-env",
    "both-env",
    "both-flags",
]


@pytest.mark.parametrize("case", CREDENTIAL_CASES)
async def test_each_credential_flag_falls_back_to_its_variable(
    lucidgreen_fake: FakeLucidGreen, run_cli: Run, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """A flag wins; a half pair on the command line takes the other half from the
    environment, and the command exchanges that pair for a token."""
    flags, env = _credential_cases(lucidgreen_fake)[case]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    product = next(iter(lucidgreen_fake.state.products))
    result = await run_cli("get", "source", "product", product, "--base-url", lucidgreen_fake.url,
                           *flags)  # fmt: skip
    assert result.code == 0, result.err
    token_requests = lucidgreen_fake.requests.matching("/o/token/")
    client_id = lucidgreen_fake.source_credentials[0]
    assert [r.form().get("client_id") for r in token_requests] == [client_id]


async def test_a_token_flag_wins_over_client_credentials_in_the_environment(
    lucidgreen_fake: FakeLucidGreen, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in the clients: the flag's level comes first, so the token is used as is and the
    environment's pair is never sent to /o/token/."""
    client_id, secret = lucidgreen_fake.source_credentials
    monkeypatch.setenv("LUCIDGREEN_CLIENT_ID", client_id)
    monkeypatch.setenv("LUCIDGREEN_CLIENT_SECRET", secret)
    token = lucidgreen_fake.issue_token("source")
    product = next(iter(lucidgreen_fake.state.products))
    result = await run_cli("get", "source", "product", product, "--base-url", lucidgreen_fake.url,
                           "--token", token)  # fmt: skip
    assert result.code == 0, result.err
    assert lucidgreen_fake.requests.matching("/o/token/") == []
    # The client given the same token beside the same environment authenticates with it too.
    client = SourceClient(token=token, base_url=lucidgreen_fake.url)
    assert isinstance(client._auth, StaticToken)


def test_the_clients_complete_a_half_pair_from_the_environment_alike() -> None:
    """The one resolution both readers call: each half from the first level that has it."""
    env = {"LUCIDGREEN_CLIENT_SECRET": "generic", "LUCIDGREEN_SOURCE_CLIENT_ID": "product-id"}
    given = _settings.Credentials(client_id="flag-id")
    found = _settings.resolve(env, "source", credentials=given).credentials
    assert (found.client_id, found.client_secret) == ("flag-id", "generic")
    found = _settings.resolve(env, "source").credentials
    assert (found.client_id, found.client_secret) == ("product-id", "generic")
    # A complete pair at one level is never broken up by a lower one.
    env["LUCIDGREEN_SOURCE_CLIENT_SECRET"] = "product-secret"
    assert _settings.resolve(env, "source").credentials.client_secret == "product-secret"


async def test_token_and_client_credentials_on_the_command_line_are_refused(run_cli: Run) -> None:
    result = await run_cli("get", "source", "product", "x", "--token", "t", "--client-id", "i")
    assert result.code == 2
    assert "either --token or --client-id/--client-secret" in result.err


# --- the missing-credentials message, in each caller's spelling -----------------------------


async def test_the_cli_names_its_flags_and_variables_when_credentials_are_missing(
    run_cli: Run,
) -> None:
    result = await run_cli("get", "retail", "product", "x")
    assert result.code == 2
    for name in ("--client-id", "--client-secret", "--token", "LUCIDGREEN_RETAIL_CLIENT_ID",
                 "LUCIDGREEN_CLIENT_SECRET", "LUCIDGREEN_TOKEN"):  # fmt: skip
        assert name in result.err
    assert "client_id=" not in result.err
    assert len(result.err.strip().splitlines()) == 1


async def test_the_cli_says_which_half_is_missing(run_cli: Run) -> None:
    result = await run_cli("get", "source", "product", "x", "--client-id", "i")
    assert result.code == 2
    assert "(--client-secret missing)" in result.err


def test_the_clients_name_their_keywords_when_credentials_are_missing() -> None:
    with pytest.raises(ValueError, match="credentials missing") as caught:
        SourceClient()
    message = str(caught.value)
    assert "client_id=" in message
    assert "token=" in message
    assert "--client-id" not in message
    assert message == _settings.missing_credentials_message("source")
    assert _settings.missing_credentials_message("source", _settings.FLAGS) != message


def test_the_connection_flags_default_to_the_clients_defaults() -> None:
    """Timeout, retries and environments come from where the clients set them."""
    parser = build_parser()
    args = parser.parse_args(["get", "source", "product", "x"])
    client_timeout = inspect.signature(BaseClient.__init__).parameters["timeout"].default
    assert (args.timeout, args.max_retries) == (client_timeout, RetryPolicy().max_retries)
    assert set(_settings.ENVIRONMENTS) == set(SOURCE.hosts) == set(RETAIL.hosts)


@pytest.mark.parametrize("source", ["--token", "LUCIDGREEN_TOKEN", "LUCIDGREEN_CLIENT_SECRET"])
async def test_a_credential_with_a_line_break_is_a_usage_error_naming_its_source(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """A CR/LF in a flag or a variable: exit 2, the message names where it came from and
    never repeats the value."""
    flags: list[str] = []
    if source == "--token":
        flags = ["--token", "tok-4a\r\nX-Evil: 1"]
    else:
        if source == "LUCIDGREEN_CLIENT_SECRET":
            monkeypatch.setenv("LUCIDGREEN_CLIENT_ID", "gid")
        monkeypatch.setenv(source, "tok-4a\r\nX-Evil: 1")
    result = await run_cli("get", "source", "product", "x", *flags)
    assert result.code == 2
    assert f"{source} holds CR, LF" in result.err
    assert "tok-4a" not in result.err
    assert "X-Evil" not in result.err


@pytest.mark.parametrize("flag", ["--token", "--client-secret"])
async def test_a_padded_credential_flag_is_a_usage_error_naming_the_flag(
    run_cli: Run, flag: str
) -> None:
    """``--token " tok"`` (a paste with its space): exit 2 naming the flag, not the value."""
    flags = [flag, " tok-4a"] + (["--client-id", "gid"] if flag == "--client-secret" else [])
    result = await run_cli("get", "source", "product", "x", *flags)
    assert result.code == 2
    assert f"{flag} has leading or trailing whitespace" in result.err
    assert "tok-4a" not in result.err


def test_an_empty_flag_beside_a_token_counts_as_not_given() -> None:
    """``--client-id= --token t`` uses the token, as ``SourceClient(client_id="", token="t")``."""
    args = build_parser().parse_args(
        ["get", "source", "product", "x", "--client-id=", "--token", "t"]
    )
    auth = make_client(SourceClient, args)._auth
    assert isinstance(auth, StaticToken)
    assert isinstance(SourceClient(client_id="", token="t")._auth, StaticToken)


@pytest.mark.parametrize("rate", [f"{10**400}/60", "1/5e-324", "\u0665/60"])
async def test_a_rate_no_limiter_can_pace_is_a_usage_error(run_cli: Run, rate: str) -> None:
    """Too many requests, too short a window or non-ASCII digits: exit 2, not a crash."""
    result = await run_cli("get", "source", "product", "x", "--token", "t", "--rate-limit", rate)
    assert result.code == 2
    assert "--rate-limit" in result.err
