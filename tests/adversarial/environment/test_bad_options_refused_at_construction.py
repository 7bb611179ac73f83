"""Options that cannot be right are refused at construction with a
``ValueError`` (never sent), whatever their spelling."""

from __future__ import annotations

import pytest

from lucidgreen import RetailClient, SourceClient

BAD_BASE_URLS: list[object] = [
    "https://api.example.com:+443",
    "https://api.example.com:-1",
    "https://api.example.com: 443",
    "https://api.example.com:4_4_3",
    "https://api.example.com:\u0664\u0664\u0663",
    "https://api.example.com:65536",
    "https://api.example.com\t",
    "https://api.example.com\x7f",
    "https://api.exa\u00a0mple.com",
    "https://",
    "https:///path",
    "https://[::1",
    "http://localhost.evil.example",
    "http://127.0.0.1.nip.io",
    "http://10.0.0.1",
    "//api.example.com",
    "api.example.com",
    "",
]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
@pytest.mark.parametrize("cls", [SourceClient, RetailClient])
def test_bad_base_url_refused_at_construction(url: str, cls: type[SourceClient]) -> None:
    with pytest.raises(ValueError):
        cls(token="t", base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://[::1]:9", "http://localhost:1", "https://h.example"]
)
def test_good_base_url_accepted(url: str) -> None:
    SourceClient(token="t", base_url=url)


def test_ssl_false_refused_for_a_remote_origin() -> None:
    with pytest.raises(ValueError):
        SourceClient(token="t", base_url="https://api.example.com", ssl=False)
