"""The breaks these attacks found, one reason each: ``@breaks(key)`` marks a test a strict
xfail whose reason starts with ``BREAK:`` (a fix turns it into a failure: remove the mark)."""

from __future__ import annotations

import pytest

__all__ = ["breaks"]

REASONS: dict[str, str] = {
    "an_empty_half_beside_a_token_is_read_alike": (
        "an empty --client-id=/--client-secret= beside --token is refused by the "
        "CLI ('pass either --token or ...': it tests `is not None`) while the client takes "
        "client_id='' beside token= as not given (it tests truthiness) and uses the token"
    ),
    "the_client_names_the_missing_half_as_the_cli_does": (
        "for half a pair the CLI says which half is missing ('(--client-secret "
        "missing)') but the client's ValueError does not: _make_auth calls "
        "missing_credentials_message without found="
    ),
    "a_blank_variable_is_no_credential": (
        "an empty variable counts as unset but a whitespace-only one "
        "(LUCIDGREEN_CLIENT_SECRET='  ', LUCIDGREEN_TOKEN=' ') is used as a credential, sent as "
        "'Bearer  ' or a blank secret, and fails only at the server as a 401"
    ),
    "a_token_with_a_line_break_is_refused_at_construction": (
        "a token holding CR/LF is accepted (StaticToken only checks non-empty) "
        "and sent as 'Authorization: Bearer a\\r\\nX-Evil: 1' to a custom transport: header "
        "injection through LUCIDGREEN_TOKEN or token="
    ),
    "every_rate_the_parser_accepts_builds_a_limiter": (
        "--rate-limit accepts a count too large for a float (e.g. 10**400/60): "
        "_rate returns it and TokenBucket raises OverflowError('int too large to convert to "
        "float') from make_client, an unexpected error instead of a usage error"
    ),
    "a_subclass_with_its_own_new_gets_views": (
        "BaseClient.__new__ closes over the arguments __new__ receives, so a "
        "subclass __new__ calling super().__new__(cls) makes with_options call cls() with no "
        "arguments: TypeError (missing 'tenant'), no view"
    ),
    "a_subclass_may_make_a_view_in_its_init": (
        "a subclass __init__ that calls self.with_options() recurses without end: "
        "building the view runs __init__ again, which builds a view, ... (RecursionError at "
        "construction; worked when views were not built by the constructor)"
    ),
    "a_view_has_its_clients_state_after_an_argument_is_mutated": (
        "the view re-runs __init__ with the caller's argument objects, so a "
        "mutable argument changed after construction gives the view other state than its "
        "client (view.region == 'eu' while client.region == 'us')"
    ),
    "no_container_reachable_from_a_client_shows_its_secret": (
        "BaseClient.__new__'s closure keeps the constructor's args tuple / kwargs "
        "dict, whose repr shows client_secret in plain text to any deep walk of the client "
        "(the SDK otherwise holds it only in a Secret)"
    ),
    "a_view_opens_nothing_its_client_must_close": (
        "every with_options view re-runs the subclass __init__, which opens a new "
        "aiohttp session the view never uses; closing the client (the documented way) leaves "
        "it open ('Unclosed client session'): one leaked session per view"
    ),
}


def breaks(key: str, raises: type[BaseException] | None = None) -> pytest.MarkDecorator:
    """The strict xfail of the break ``key`` (its reason: ``BREAK: ...``)."""
    return pytest.mark.xfail(strict=True, raises=raises, reason=f"BREAK: {REASONS[key]}")
