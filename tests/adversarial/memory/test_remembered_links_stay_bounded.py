"""A walk remembers the links it parsed (each page asks about its ``next`` link several
times), the proxy of each origin and the span attributes of each origin. A hostile server
sending huge or ever-changing links must not make any of that grow without bound, and a
link refused once is refused every time it comes back (a refusal is never remembered)."""

from __future__ import annotations

import pytest

from lucidgreen import _cursors
from lucidgreen._transport._network import Network
from lucidgreen.errors import DecodeError

ENDPOINT = "/api/v1.5/products/"


def test_a_huge_next_link_is_parsed_but_not_kept() -> None:
    """A 100 kB link is checked and rebased as any other, and stays out of the memory."""
    _cursors._rebased.cache_clear()
    _cursors._remembered_page_number.cache_clear()
    link = f"https://evil.example{ENDPOINT}?page=2&pad={'x' * 100_000}"
    path = _cursors.rebase(link, endpoint=ENDPOINT)
    assert path.startswith(f"{ENDPOINT}?page=2&pad=xxx")
    assert _cursors.page_number(path) == 2
    assert _cursors._rebased.cache_info().currsize == 0
    assert _cursors._remembered_page_number.cache_info().currsize == 0


def test_ever_changing_links_keep_at_most_the_bound() -> None:
    """A server sending a new link on every page leaves at most 64 remembered."""
    _cursors._rebased.cache_clear()
    for number in range(1, 1_000):
        _cursors.rebase(f"http://h{ENDPOINT}?page={number}", endpoint=ENDPOINT)
    assert _cursors._rebased.cache_info().currsize <= 64


@pytest.mark.parametrize(
    "link",
    [f"http://h{ENDPOINT}?page=0", f"http://h{ENDPOINT}?page=1&page=2", "http://h/elsewhere/"],
)
def test_a_refused_link_is_refused_again(link: str) -> None:
    """The second ask about a bad link raises as the first did (errors are not cached)."""
    for _ in range(2):
        with pytest.raises(DecodeError):
            _cursors.rebase(link, endpoint=ENDPOINT)


def test_a_refused_page_number_is_refused_again() -> None:
    for _ in range(2):
        with pytest.raises(DecodeError):
            _cursors.page_number(f"{ENDPOINT}?page=%C2%B2")


def test_the_proxy_of_each_origin_is_its_own() -> None:
    """Remembered per origin: a loopback host is never proxied, another host is, whatever
    was asked before, and a host whose name starts like another's is not mistaken for it."""
    network = Network(proxy="http://proxy:3128")
    for _ in range(2):
        assert network.proxy_for("http://127.0.0.1:8080/api/?page=2") is None
        assert network.proxy_for("http://127.0.0.10.evil.example/api/") == "http://proxy:3128"
        assert network.proxy_for("https://localhost/x") is None
        assert network.proxy_for("https://localhost.evil.example/x") == "http://proxy:3128"
        assert network.proxy_for("http://localhost?x=/y") is None


def test_many_origins_keep_at_most_the_bound() -> None:
    network = Network(proxy="http://proxy:3128")
    for number in range(500):
        assert network.proxy_for(f"https://h{number}.example/x") == "http://proxy:3128"
    assert len(network._by_origin) <= 32


TRICKY_URLS = [
    "http://127.0.0.1:8080/api/",
    "http://127.0.0.1.evil.example/api/",
    "http://user:pw@127.0.0.1/api/",
    "http://127.0.0.1@evil.example/api/",
    "http://evil.example@127.0.0.1/api/",
    "http://[::1]:8080/api/",
    "http://[::1].evil.example/",
    "http://localhost?next=/http://evil.example/",
    "http://localhost#/evil.example/",
    "http://evil.example?h=localhost/x",
    "http://loc\talhost/x",
    "http://LOCALHOST/x",
    "HTTP://evil.example/x",
    "https://evil.example/x",
    "https://evil.example",
]


def test_a_remembered_proxy_is_the_one_decided_afresh() -> None:
    """However the URLs come, in any order and repeated, each gets the proxy a network that
    never saw another URL decides for it (a shared prefix means a shared host)."""
    environ = {"HTTPS_PROXY": "http://tls-proxy:3128", "NO_PROXY": "localhost"}
    shared = Network(trust_env=True, environ=environ)
    for url in [*TRICKY_URLS, *reversed(TRICKY_URLS), *TRICKY_URLS]:
        fresh = Network(trust_env=True, environ=environ)
        assert shared.proxy_for(url) == fresh._decide(url), url
