"""Next-page logic, link normalisation and cursors (`_cursors`) are pure, tested without I/O."""

from __future__ import annotations

import base64
import json
import sys
import tracemalloc
from typing import Any

import pytest
import yarl
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen import _cursors as cursors
from lucidgreen import _page_plans as plans
from lucidgreen.errors import DecodeError

ENDPOINT = "/api/v1.5/products/"


def _raw_cursor(payload: Any) -> str:
    """A cursor string carrying ``payload`` as JSON, the way a tamperer would write one."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _cursor(**changes: Any) -> str:
    payload: dict[str, Any] = {"v": 1, "e": ENDPOINT, "n": f"{ENDPOINT}?page=2", "c": 9, "y": 3}
    payload["s"] = 0
    payload.update(changes)
    return _raw_cursor(payload)


def test_cursor_round_trip() -> None:
    """A cursor string decodes back to the same position."""
    cursor = cursors.Cursor(ENDPOINT, f"{ENDPOINT}?page=3&brand=x", 356, 100, 7)
    text = cursors.encode_cursor(cursor)
    assert isinstance(text, str)
    assert cursors.decode_cursor(text, endpoint=ENDPOINT) == cursor


def test_cursor_for_another_endpoint_is_refused() -> None:
    """A batches cursor cannot resume a products list."""
    text = cursors.encode_cursor(cursors.Cursor(ENDPOINT, None, 1, 1))
    with pytest.raises(ValueError, match="belongs to"):
        cursors.decode_cursor(text, endpoint="/api/v1.5/batches/")


@pytest.mark.parametrize("text", ["", "!!!", "bm90IGpzb24", "eyJ2IjoyfQ", "é", "x" * 20_000])
def test_garbage_cursor_is_refused(text: str) -> None:
    """Anything that is not one of our cursors raises ValueError."""
    with pytest.raises(ValueError, match="cursor"):
        cursors.decode_cursor(text, endpoint=ENDPOINT)


@pytest.mark.parametrize(
    "next_path",
    [
        "/o/token/",
        f"{ENDPOINT}../brands/",
        f"{ENDPOINT}%2e%2E/brands/",
        f"{ENDPOINT}./../brands/?page=2",
        "/api/v1.5/brands/",
        f"{ENDPOINT}x/",
        f"http://evil.example{ENDPOINT}?page=2",
        f"//evil.example{ENDPOINT}?page=2",
        f"{ENDPOINT}?page=²",
        f"{ENDPOINT}?page=0",
        f"{ENDPOINT}?page=2&page=3",
        "http://[::1/api/v1.5/products/",
    ],
)
def test_tampered_cursor_pointing_elsewhere_is_refused(next_path: str) -> None:
    """A cursor whose next path resolves off the endpoint (or names a host) is a ValueError."""
    text = cursors.encode_cursor(cursors.Cursor(ENDPOINT, next_path, 1, 1))
    with pytest.raises(ValueError, match="corrupt"):
        cursors.decode_cursor(text, endpoint=ENDPOINT)


@pytest.mark.parametrize(
    "text",
    [
        _raw_cursor("[" * 100_000 + "]" * 100_000),
        _raw_cursor({"v": 1, "e": ENDPOINT, "n": None, "c": 1, "y": {"a": [[[[[]]]]]}}),
        _raw_cursor("1" * 5000),
        _raw_cursor([1, 2]),
        _cursor(v=True),
        _cursor(e=["/api/v1.5/products/"]),
        _cursor(e={"x": 1}),
        _cursor(e=None),
        _cursor(n=7),
        _cursor(n=["/api"]),
        _cursor(c="9"),
        _cursor(c=True),
        _cursor(y=False),
        _cursor(y=-1),
        _cursor(s=-1),
        _cursor(s=1.5),
        _cursor(y=10**40),
        _cursor(c=2**60),
        _cursor(y=None),
    ],
    ids=lambda text: text[:24],
)
def test_malformed_cursor_contents_raise_value_error_only(text: str) -> None:
    """Deep JSON, huge ints, bools as ints, non-str endpoints: ValueError, never anything else."""
    with pytest.raises(ValueError, match="cursor") as caught:
        cursors.decode_cursor(text, endpoint=ENDPOINT)
    assert type(caught.value) is ValueError


def test_a_non_str_cursor_is_a_value_error() -> None:
    """``resume_from=123`` is refused as a cursor, not a TypeError from string arithmetic."""
    with pytest.raises(ValueError, match="cursor"):
        cursors.decode_cursor(123, endpoint=ENDPOINT)  # type: ignore[arg-type]


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from("vencys"), inner, max_size=6)
        ),
    )
)
@settings(max_examples=50, deadline=None)
def test_any_json_payload_decodes_or_raises_value_error(payload: Any) -> None:
    """Whatever JSON a cursor holds, decoding returns a Cursor on the endpoint or ValueError."""
    try:
        cursor = cursors.decode_cursor(_raw_cursor(payload), endpoint=ENDPOINT)
    except ValueError:
        return
    assert cursor.next_path is None or yarl.URL(f"http://h{cursor.next_path}").path == ENDPOINT


def test_rebase_drops_the_origin() -> None:
    """A next link's host is dropped; only path and query are kept."""
    assert (
        cursors.rebase("http://evil.example/api/v1.5/products/?page=2", endpoint=ENDPOINT)
        == "/api/v1.5/products/?page=2"
    )


@pytest.mark.parametrize(
    "link",
    [
        "https://h/o/token/?page=2",
        "https://h/api/v1.5/products/../batches/?page=2",
        "https://h/api/v1.5/products/../../o/token/",
        "https://h/api/v1.5/products/%2e%2E/batches/?page=2",
        "https://h/api/v1.5/products/%2E./batches/?page=2",
        "https://h/api/v1.5/products\\..\\batches/?page=2",
        "https://h/api/v1.5//products/?page=2",
        "https://h/api/v1.5/products//?page=2",
        "https://h/api/v1.5/products/x/?page=2",
        "https://h/api/v1.5/products/UNDTMBovdue9tFWfhamnDM/",
        "https://h/api/v1.5/products%2F?page=2",
        "https://h/api/v1.5/product",
        "http://[::1/api/v1.5/products/?page=2",
        "https://h/api/v1.5/products/?page=²",
        "https://h/api/v1.5/products/?page=1e9999",
        "https://h/api/v1.5/products/?page=0",
        "https://h/api/v1.5/products/?page=-1",
        "https://h/api/v1.5/products/?page=",
        "https://h/api/v1.5/products/?page=" + "9" * 5000,
        "https://h/api/v1.5/products/?page=2&page=3",
    ],
    ids=lambda link: link[8:60],
)
def test_rebase_refuses_links_leaving_the_endpoint_or_malformed(link: str) -> None:
    """Off-endpoint paths (after dot and %2E resolution) and malformed pages are DecodeErrors."""
    with pytest.raises(DecodeError) as caught:
        cursors.rebase(link, endpoint=ENDPOINT)
    assert caught.value.text == link


@pytest.mark.parametrize(
    ("link", "path"),
    [
        ("https://h/api/v1.5/products/./?page=2", f"{ENDPOINT}?page=2"),
        ("https://h/api/v1.5/x/../products/?page=2", f"{ENDPOINT}?page=2"),
        ("https://h/api/v1.5/%70roducts/?page=3", f"{ENDPOINT}?page=3"),
        ("//other/api/v1.5/products/?brand=a%20b&page=2", f"{ENDPOINT}?brand=a+b&page=2"),
        ("https://h/api/v1.5/products/?cursor=abc#frag", f"{ENDPOINT}?cursor=abc"),
    ],
)
def test_rebase_sends_the_endpoint_itself(link: str, path: str) -> None:
    """A link resolving to the endpoint is rebuilt from the endpoint, query kept."""
    assert cursors.rebase(link, endpoint=ENDPOINT) == path


_SEGMENTS = st.sampled_from(
    ["api", "v1.5", "products", "batches", "..", ".", "%2e", "%2E%2e", "", "o", "token", "\\"]
)


@given(st.lists(_SEGMENTS, max_size=8), st.sampled_from(["", "?page=2", "?page=%32"]))
@settings(max_examples=100, deadline=None)
def test_whatever_rebase_accepts_yarl_requests_on_the_endpoint(
    segments: list[str], query: str
) -> None:
    """For any mix of dot segments, what rebase returns is what yarl sends: the endpoint."""
    link = "https://h/" + "/".join(segments) + "/" + query
    checked = link.split("?")[0]
    resolved = yarl.URL(checked).path
    try:
        path = cursors.rebase(link, endpoint=ENDPOINT)
    except DecodeError:
        assert resolved != ENDPOINT or "\\" in link or "//" in checked[8:]
        return
    assert resolved == ENDPOINT
    assert yarl.URL(f"https://h{path}").path == ENDPOINT


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("/a/b/../c/", "/a/c/"),
        ("/a/./b/.", "/a/b/"),
        ("/a/%2e%2E/b", "/b"),
        ("/../../x", "/x"),
        ("/a/..", "/"),
        ("/a//b/", "/a//b/"),
        ("/a\\..\\b", "/a\\..\\b"),
        ("/a/%2F../b", "/a/%2F../b"),
    ],
)
def test_normalise_path_matches_yarl(path: str, resolved: str) -> None:
    """Dot segments and encoded dots resolve as yarl resolves them; other oddities stay."""
    assert cursors.normalise_path(path) == resolved
    assert yarl.URL(f"http://h{path}").raw_path.replace("%5C", "\\") == resolved


def test_with_page_keeps_filters_in_place() -> None:
    """Setting the page number keeps every other query parameter, and its position."""
    assert plans.with_page(f"{ENDPOINT}?brand=a%20b&page=2", 9) == f"{ENDPOINT}?brand=a+b&page=9"
    assert plans.with_page(f"{ENDPOINT}?page=2&z=1", 3) == f"{ENDPOINT}?page=3&z=1"
    assert plans.with_page(ENDPOINT, 2) == f"{ENDPOINT}?page=2"


def test_page_number() -> None:
    """Only one positive ASCII integer page parameter counts; no page parameter is None."""
    assert cursors.page_number(f"{ENDPOINT}?page=4") == 4
    assert cursors.page_number(f"{ENDPOINT}?cursor=abc") is None
    assert cursors.page_number(ENDPOINT) is None
    for bad in ("x", "²", "٣", "1e9999", "0", "-1", "", "1.0", " 1", "9" * 19):
        with pytest.raises(DecodeError, match="page parameter"):
            cursors.page_number(f"{ENDPOINT}?page={bad}")


def test_plan_covers_every_remaining_page() -> None:
    """With count 356 and 50 per page, pages 2..8 remain after the first."""
    plan = plans.planned_page_urls(f"{ENDPOINT}?page=2", count=356, page_size=50, remaining=None)
    assert plan is not None
    assert list(plan) == [f"{ENDPOINT}?page={n}" for n in range(2, 9)]


def test_plan_stops_at_the_limit() -> None:
    """With 70 items still wanted and 50 per page, only two more pages are planned."""
    plan = plans.planned_page_urls(f"{ENDPOINT}?page=2", count=356, page_size=50, remaining=70)
    assert plan is not None
    assert list(plan) == [f"{ENDPOINT}?page=2", f"{ENDPOINT}?page=3"]


def test_a_plan_for_a_billion_items_is_lazy() -> None:
    """count=10**9 builds nothing up front: drawing 3 pages allocates a few hundred bytes."""
    tracemalloc.start()
    try:
        plan = plans.planned_page_urls(
            f"{ENDPOINT}?page=2", count=10**9, page_size=1, remaining=None
        )
        assert plan is not None
        first = [next(plan) for _ in range(3)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert first == [f"{ENDPOINT}?page={n}" for n in (2, 3, 4)]
    assert peak < 64 * 1024
    assert sys.getsizeof(plan) < 1024


def test_planned_last_page() -> None:
    """The last page worth fetching ahead follows count, page size and the items still wanted."""
    assert plans.planned_last_page(2, count=356, page_size=50, remaining=None) == 8
    assert plans.planned_last_page(2, count=356, page_size=50, remaining=1) == 2
    assert plans.planned_last_page(2, count=356, page_size=0, remaining=None) == 1


def test_no_plan_without_page_numbers() -> None:
    """Cursor-style next links cannot be planned."""
    assert (
        plans.planned_page_urls(f"{ENDPOINT}?cursor=abc", count=10, page_size=5, remaining=None)
        is None
    )


def test_query_path_drops_none_values() -> None:
    """Filters with None are left out of the first page's query."""
    assert plans.query_path(ENDPOINT, [("a", 1), ("b", None)]) == f"{ENDPOINT}?a=1"
