"""Errors a caller builds (a MockTransport handler, a test double): headers and their text.

The SDK builds its errors from a transport response; a caller may build the same classes by
hand, with headers as a mapping or as raw pairs, and a URL that may be relative.
"""

from __future__ import annotations

from lucidgreen import NotFound, RateLimited
from lucidgreen.errors import ResponseHeaders


def test_a_header_sent_twice_is_kept_once_its_values_joined_in_order() -> None:
    """RFC 9110 §5.3: repeated field lines combine into one, comma-separated, in order."""
    headers = ResponseHeaders([("Link", "<a>; rel=next"), ("Vary", "Accept"), ("link", "<b>")])
    assert headers["LINK"] == "<a>; rel=next, <b>"
    assert list(headers) == ["Link", "Vary"]  # the first spelling of a name is kept
    assert len(headers) == 2


def test_headers_are_read_case_insensitively_and_never_match_a_non_string() -> None:
    headers = ResponseHeaders({"Retry-After": "7"})
    assert headers.get("retry-after") == "7"
    assert "RETRY-AFTER" in headers
    not_a_name: object = 7
    assert not_a_name not in headers
    assert headers.get("Content-Type") is None
    assert repr(headers) == "ResponseHeaders({'Retry-After': '7'})"


def test_an_error_keeps_the_headers_it_was_built_with() -> None:
    error = RateLimited("slow down", status=429, headers={"Retry-After": "30"})
    assert error.headers["retry-after"] == "30"


def test_an_error_with_a_relative_url_names_that_path_and_no_query() -> None:
    """Only a full URL loses its scheme and host in the text; a relative one is shown as is."""
    error = NotFound("no such product", status=404, method="GET", url="/api/v1.5/products/x/?a=1")
    assert error.url == "/api/v1.5/products/x/"
    assert str(error) == "HTTP 404 GET /api/v1.5/products/x/: no such product"


def test_an_error_with_a_full_url_names_only_its_path() -> None:
    error = NotFound("gone", status=404, method="GET", url="https://h.example/api/v1.5/x/?t=s")
    assert str(error) == "HTTP 404 GET /api/v1.5/x/: gone"
    assert error.url == "https://h.example/api/v1.5/x/"


def test_an_error_with_a_bare_host_url_names_the_root_path() -> None:
    error = NotFound("gone", status=404, url="https://h.example")
    assert str(error) == "HTTP 404 /: gone"
