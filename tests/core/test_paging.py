"""Next-page logic and cursors are pure functions, tested without I/O."""

from __future__ import annotations

import pytest

from lucidgreen import _paging as paging
from lucidgreen.errors import DecodeError

ENDPOINT = "/api/v1.5/products/"


def test_cursor_round_trip() -> None:
    """A cursor string decodes back to the same position."""
    cursor = paging.Cursor(ENDPOINT, f"{ENDPOINT}?page=3&brand=x", 356, 100, 7)
    text = paging.encode_cursor(cursor)
    assert isinstance(text, str)
    assert paging.decode_cursor(text, endpoint=ENDPOINT) == cursor


def test_cursor_for_another_endpoint_is_refused() -> None:
    """A batches cursor cannot resume a products list."""
    text = paging.encode_cursor(paging.Cursor(ENDPOINT, None, 1, 1))
    with pytest.raises(ValueError, match="belongs to"):
        paging.decode_cursor(text, endpoint="/api/v1.5/batches/")


@pytest.mark.parametrize("text", ["", "!!!", "bm90IGpzb24", "eyJ2IjoyfQ"])
def test_garbage_cursor_is_refused(text: str) -> None:
    """Anything that is not one of our cursors raises ValueError."""
    with pytest.raises(ValueError, match="cursor"):
        paging.decode_cursor(text, endpoint=ENDPOINT)


def test_tampered_cursor_pointing_elsewhere_is_refused() -> None:
    """A cursor whose next path leaves the endpoint is refused."""
    text = paging.encode_cursor(paging.Cursor(ENDPOINT, "/o/token/", 1, 1))
    with pytest.raises(ValueError, match="corrupt"):
        paging.decode_cursor(text, endpoint=ENDPOINT)


def test_rebase_drops_the_origin() -> None:
    """A next link's host is dropped; only path and query are kept."""
    assert (
        paging.rebase("http://evil.example/api/v1.5/products/?page=2", endpoint=ENDPOINT)
        == "/api/v1.5/products/?page=2"
    )


def test_rebase_refuses_links_leaving_the_endpoint() -> None:
    """A next link to another path is a DecodeError, never followed."""
    with pytest.raises(DecodeError):
        paging.rebase("https://h/o/token/?page=2", endpoint=ENDPOINT)


def test_with_page_keeps_filters() -> None:
    """Setting the page number keeps every other query parameter."""
    assert paging.with_page(f"{ENDPOINT}?brand=a%20b&page=2", 9) == (f"{ENDPOINT}?brand=a+b&page=9")


def test_page_number() -> None:
    """Only a positive integer page parameter counts."""
    assert paging.page_number(f"{ENDPOINT}?page=4") == 4
    assert paging.page_number(f"{ENDPOINT}?page=x") is None
    assert paging.page_number(f"{ENDPOINT}?cursor=abc") is None


def test_plan_covers_every_remaining_page() -> None:
    """With count 356 and 50 per page, pages 2..8 remain after the first."""
    plan = paging.planned_page_urls(f"{ENDPOINT}?page=2", count=356, page_size=50, remaining=None)
    assert plan == [f"{ENDPOINT}?page={n}" for n in range(2, 9)]


def test_plan_stops_at_the_limit() -> None:
    """With 70 items still wanted and 50 per page, only two more pages are planned."""
    plan = paging.planned_page_urls(f"{ENDPOINT}?page=2", count=356, page_size=50, remaining=70)
    assert plan == [f"{ENDPOINT}?page=2", f"{ENDPOINT}?page=3"]


def test_no_plan_without_page_numbers() -> None:
    """Cursor-style next links cannot be planned."""
    assert (
        paging.planned_page_urls(f"{ENDPOINT}?cursor=abc", count=10, page_size=5, remaining=None)
        is None
    )


def test_query_path_drops_none_values() -> None:
    """Filters with None are left out of the first page's query."""
    assert paging.query_path(ENDPOINT, [("a", 1), ("b", None)]) == f"{ENDPOINT}?a=1"
