"""Which proxy a request takes from ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` and
``NO_PROXY`` (pure: an environment mapping in, a proxy URL or ``None`` out)."""

from __future__ import annotations

import pytest

from lucidgreen._transport._network import Network, proxy_from_environment

URL = "https://api.corp.example/api/v1.5/products/"


def test_no_proxy_exempts_a_host_the_scheme_proxy_would_take() -> None:
    env = {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost,corp.example"}
    assert proxy_from_environment(URL, env) is None
    assert Network(environ=env).proxy_for(URL) is None


def test_all_proxy_is_the_fallback_for_any_scheme() -> None:
    env = {"all_proxy": "http://fallback:3128", "no_proxy": "other.example"}
    assert proxy_from_environment(URL, env) == "http://fallback:3128"


def test_the_lower_case_name_wins_over_the_upper_case_one() -> None:
    """As curl and requests read them: ``https_proxy`` first."""
    env = {"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}
    assert proxy_from_environment(URL, env) == "http://lower:1"


def test_an_empty_variable_counts_as_unset() -> None:
    env = {"https_proxy": "", "HTTPS_PROXY": "http://upper:2"}
    assert proxy_from_environment(URL, env) == "http://upper:2"


def test_a_bad_proxy_from_the_environment_is_refused_when_used() -> None:
    """The environment is checked as strictly as ``proxy=``: no silent fallback to direct."""
    with pytest.raises(ValueError, match="proxy must be an http"):
        Network(environ={"HTTPS_PROXY": "socks5://p:1080"}).proxy_for(URL)
