"""A cursor's text is written by hand for speed (issue #26): it is, byte for byte, what
``json.dumps`` of its payload dict gave before, so every saved cursor still reads the same."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lucidgreen._cursors import Anchor, Cursor, decode_cursor, encode_cursor

ENDPOINT = "/api/v1.5/products/"


def _reference(cursor: Cursor) -> str:
    """The encoding as it was written before (a dict through ``json.dumps``)."""
    payload: dict[str, Any] = {
        "v": 1,
        "e": cursor.endpoint,
        "n": cursor.next_path,
        "c": cursor.count,
        "y": cursor.yielded,
        "s": cursor.skip,
    }
    anchor = cursor.anchor
    if anchor is not None:
        payload.update({"a": anchor.path, "x": anchor.index, "z": anchor.page_size})
        if anchor.key is not None:
            payload["i"] = anchor.key
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
ints = st.integers(min_value=0, max_value=2**53)
anchors = st.builds(
    Anchor,
    path=texts,
    index=ints,
    key=st.none() | ints | texts | st.booleans(),
    page_size=ints,
)
cursors = st.builds(
    Cursor,
    endpoint=texts,
    next_path=st.none() | texts,
    count=st.none() | ints | st.booleans(),
    yielded=ints,
    skip=ints,
    anchor=st.none() | anchors,
)


@given(cursors)
def test_any_cursor_is_written_as_json_dumps_wrote_it(cursor: Cursor) -> None:
    """Strings with quotes, backslashes, controls and non-ASCII; None, ints, even bools."""
    assert encode_cursor(cursor) == _reference(cursor)


def test_a_walks_cursor_reads_back() -> None:
    """The usual cursor (a next page and an anchor with a uuid key) round-trips."""
    cursor = Cursor(
        endpoint=ENDPOINT,
        next_path=f"{ENDPOINT}?page=3",
        count=10_000,
        yielded=200,
        anchor=Anchor(f"{ENDPOINT}?page=2", 99, "UNDTMBovdue9tFWfhamnDM", 100),
    )
    assert encode_cursor(cursor) == _reference(cursor)
    assert decode_cursor(encode_cursor(cursor), endpoint=ENDPOINT) == cursor
