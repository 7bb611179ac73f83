"""``_page_plans.keeping``: a next link keeps the caller's query as the caller wrote it."""

from __future__ import annotations

from urllib.parse import parse_qsl

from lucidgreen._page_plans import keeping

PAIRS = [("brand", "acme"), ("active", "true")]


def test_a_link_that_carries_the_query_is_left_exactly_as_sent() -> None:
    path = "/api/v1.5/products/?active=true&brand=acme&page=2"
    assert keeping(path, [("active", "true"), ("brand", "acme")]) == path


def test_a_link_that_dropped_the_query_gets_it_back_after_its_own() -> None:
    assert keeping("/p/?page=2", PAIRS) == "/p/?page=2&brand=acme&active=true"


def test_a_link_that_changed_a_value_gets_the_callers_value() -> None:
    got = keeping("/p/?brand=other&page=3", PAIRS)
    assert sorted(parse_qsl(got.split("?")[1])) == [
        ("active", "true"),
        ("brand", "acme"),
        ("page", "3"),
    ]


def test_a_repeated_key_holds_every_value_in_order() -> None:
    pairs = [("id", "b"), ("id", "a")]
    assert keeping("/p/?id=a&page=2", pairs) == "/p/?page=2&id=b&id=a"
    assert keeping("/p/?id=b&id=a&page=2", pairs) == "/p/?id=b&id=a&page=2"


def test_no_caller_query_leaves_any_link_alone() -> None:
    assert keeping("/p/?page=2&x=%zz", []) == "/p/?page=2&x=%zz"
