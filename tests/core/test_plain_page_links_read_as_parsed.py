"""A plain DRF page link (``http://host/endpoint?page=7``) is read without urllib for speed
(issue #26); for every link it accepts, the answer is the one the parsing path gives."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from lucidgreen import _cursors
from lucidgreen.errors import DecodeError

ORIGINS = [
    "",
    "http://h",
    "https://api.example:8443",
    "http://127.0.0.1:80",
    "http://h:99999",
    "HTTP://h",
    "http://u:p@h",
    "http://[::1]:8",
    "http://[::1",
    "ftp://h",
    "http://h h",
    "http://\u00fc",
    "//h",
    " http://h",
]
ENDPOINTS = ["/api/v1.5/products/", "/x", "/", "//x/", "/a b/", "/%2E/x/", "/a/./b/", "/a/../"]
QUERIES = [
    "?page=1",
    "?page=7",
    "?page=0",
    "?page=007",
    "?page=123456789012345678",
    "?page=1234567890123456789",
    "?page=\u00b2",
    "?page=2&page=3",
    "?page=3#f",
    "?page=3&x=1",
    "?Page=3",
    "",
    "?page=",
    "?page=3 ",
    "?page=3\n",
    "?page=%33",
]


def _answer(read: Callable[..., object], *args: object, **kwargs: object) -> object:
    try:
        return read(*args, **kwargs)
    except DecodeError as exc:
        return ("DecodeError", str(exc))


def _links(endpoint: str) -> list[str]:
    paths = [endpoint, endpoint + "../", "/other/", endpoint.rstrip("/") + "x/"]
    return [o + p + q for o, p, q in itertools.product(ORIGINS, paths, QUERIES)]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_plain_links_give_what_parsing_gives(endpoint: str) -> None:
    """Each link the plain reading accepts is rebased exactly as urlsplit + parse_qsl would;
    everything else (users, IPv6, other parameters, odd page numbers) goes to the parser."""
    accepted = 0
    for link in _links(endpoint):
        plain = _cursors._plain_page_link(link, endpoint)
        parsed = _answer(_cursors._parsed_on_endpoint, link, endpoint, False)
        assert _answer(_cursors._on_endpoint, link, endpoint=endpoint) == parsed
        if plain is not None:
            accepted += 1
            assert plain == parsed, link
    if endpoint in ("/api/v1.5/products/", "/x", "/", "/a/./b/", "/a/../"):
        assert accepted >= 8  # four origins x two page numbers, at least, take the plain way
    else:
        assert accepted == 0


def test_a_drf_next_link_takes_the_plain_way() -> None:
    """The fake's own link shape is the one recognised (else the speed-up is not there)."""
    link = "http://127.0.0.1:8080/api/v1.5/products/?page=3"
    assert _cursors._plain_page_link(link, "/api/v1.5/products/") == "/api/v1.5/products/?page=3"


@pytest.mark.parametrize(
    "path",
    [
        f"{p}{q}"
        for p, q in itertools.product(
            ["/api/v1.5/products/", "/", "//h/x/", "/a b/", "http://h/x/", "/x/?a=1&", ""],
            QUERIES,
        )
    ],
)
def test_page_numbers_read_plainly_are_the_parsed_ones(path: str) -> None:
    """``page_number`` of any path equals the parsed reading (a number, None or the error)."""
    assert _answer(_cursors._page_number, path) == _answer(_cursors._parsed_page_number, path)
