"""A traced page's ``lucidgreen.page`` (``page_of``) is read from a plain ``/path?page=N``
without urllib (issue #26: its cache missed on every new page); for every path, plain or
not, the number is the one parsing gives."""

from __future__ import annotations

import itertools

import pytest

from lucidgreen import _instrument

from .test_plain_page_links_read_as_parsed import QUERIES

PATHS = ["/api/v1.5/products/", "/", "//h/x/", "/a b/", "http://h/x/", "/x/?a=1&", "", "/a/%2F/"]
EXTRA_QUERIES = ["?page=9&page=3", "?page=12abc", "?page=\u0663", "?x=1&page=4", "?page=4;x"]


@pytest.mark.parametrize(
    "path", [p + q for p, q in itertools.product(PATHS, [*QUERIES, *EXTRA_QUERIES])]
)
def test_page_of_reads_each_path_as_parsing_does(path: str) -> None:
    """``page_of`` equals urlsplit + parse_qsl's reading: the first ``page`` if all digits,
    None if not, 1 when the path has none (DRF's first page)."""
    assert _instrument.page_of(path) == _instrument._page_of(path)


def test_a_plain_path_skips_the_parser_and_its_cache() -> None:
    """A plain path is answered without the remembered parse (no cache entry is made)."""
    _instrument._remembered_page_of.cache_clear()
    assert _instrument.page_of("/api/v1.5/products/?page=77") == 77
    assert _instrument._remembered_page_of.cache_info().currsize == 0
    assert _instrument.page_of("/api/v1.5/products/?page=77&x=1") == 77
    assert _instrument._remembered_page_of.cache_info().currsize == 1


@pytest.mark.parametrize("page", ["\u00b2", "\u0663", "1\u00b2"])
def test_a_non_ascii_digit_page_is_no_number_not_a_crash(page: str) -> None:
    """``str.isdigit`` accepts ``²`` and ``٣`` but ``int`` refuses ``²``: such a page has no
    number (the span leaves ``lucidgreen.page`` off) instead of raising in the tracer."""
    assert _instrument.page_of(f"/api/v1.5/products/?page={page}") is None
