"""The spellings a secret is hidden in, and the probes a page is searched for first (pure)."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest

from lucidgreen._secrets import echo_probes, echoed_secrets, spellings
from lucidgreen._transport import Request

STS = "IQoJb3JpZ2luX2Vj/session+token=="


def _presigned(query: str) -> Request:
    return Request("GET", f"https://cdn.example/f.json?{query}", authenticated=False)


@pytest.mark.parametrize(
    "secret", [STS, "SECRETTOKENabc123XYZ", "a/b+c=d&e", "Bearer tok/en+1", "ünïcode-sécret"]
)
def test_every_spelling_of_a_secret_holds_one_of_its_probes(secret: str) -> None:
    """A page without any probe holds no spelling: the probes alone decide a search."""
    spelled = sorted(spellings(secret), key=len, reverse=True)
    probes = echo_probes(spelled)
    assert all(any(probe in form for probe in probes) for form in spelled)
    assert len(probes) <= len(spelled)


SAMPLE = 's3cr/et+v<a>l"value'  # every character an encoding changes


def test_a_secret_is_spelled_percent_encoded_form_encoded_html_and_json_escaped() -> None:
    forms = set(spellings(SAMPLE))
    assert {quote(SAMPLE, safe=""), quote_plus(SAMPLE)} <= forms
    assert "s3cr/et+v&lt;a&gt;l&quot;value" in forms
    assert 's3cr\\/et+v<a>l\\"value' in forms


def test_a_presigned_query_hides_its_credentials_in_every_spelling_not_its_diagnostics() -> None:
    query = (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261208T000000Z&X-Amz-Expires=3600"
        f"&X-Amz-Security-Token={quote(STS, safe='')}&X-Amz-Signature=abcdef0123456789"
    )
    secrets = echoed_secrets(_presigned(query))
    assert {STS, quote(STS, safe=""), quote(STS, safe="/"), "abcdef0123456789"} <= set(secrets)
    shown = ("AWS4-HMAC-SHA256", "20261208T000000Z", "3600", query)
    assert not any(value in secret for secret in secrets for value in shown)


def test_an_unknown_schemes_long_values_and_whole_query_are_hidden() -> None:
    query = "a=1&opaque=0123456789abcdef"
    assert {"0123456789abcdef", query} <= set(echoed_secrets(_presigned(query)))


def test_the_query_of_the_url_that_answered_a_redirected_download_is_a_secret() -> None:
    request = _presigned("X-Amz-Signature=firstsignature")
    secrets = echoed_secrets(request, answered="https://other.example/r?Signature=secondsig1")
    assert {"firstsignature", "secondsig1"} <= set(secrets)


def test_an_authenticated_requests_query_is_no_secret() -> None:
    request = Request("GET", "https://api.example/x?token=notasecret99")
    assert echoed_secrets(request, "SECRETTOKEN") == ["SECRETTOKEN"]
