"""Promise attacked: the export parser's fast lane accepts exactly what the event reader
accepts, and reads it the same, for tricky bytes the lane's counting must not be fooled by:
escaped quotes and ``\\u`` escapes, duplicate keys on both sides of the 64 KiB slice edge,
byte-order marks, JSON and non-JSON whitespace, raw control bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .readers import cut, events_only, fast

_SLICE = 65536


# Raw text spliced between JSON tokens: every whitespace JSON has and some it has not.
_GAPS = st.sampled_from(["", " ", "\n", "\r\n", "\t", "\x0c", "\x0b", "\u00a0", "\ufeff"])
# Ids as the wire may spell them: escapes of quotes, backslashes, braces, surrogates.
_IDS = st.sampled_from(
    ['"a"', '"b"', '"a\\"b"', '"\\u0061"', '"\\\\"', '"}"', '"\\u007d"', '"\\ud800"', '"é"', "1"]
)


@st.composite
def _hostile_files(draw: st.DrawFn) -> bytes:
    gap = lambda: draw(_GAPS)  # noqa: E731
    packages = []
    for _ in range(draw(st.integers(0, 4))):
        cases = []
        for _ in range(draw(st.integers(0, 3))):
            ids = ",".join(gap() + draw(_IDS) + gap() for _ in range(draw(st.integers(0, 3))))
            cases.append(f"{draw(_IDS)}{gap()}:{gap()}[{ids}]")
        packages.append(f"{draw(_IDS)}:{gap()}{{{','.join(cases)}}}{gap()}")
    lead = draw(st.sampled_from(["", "\ufeff", " ", "\ufeff\ufeff", " \ufeff"]))
    return (lead + "{" + gap() + ",".join(packages) + "}" + gap()).encode()


@settings(max_examples=400, deadline=None)
@given(raw=_hostile_files(), cuts=st.lists(st.integers(0, 10_000), max_size=8))
def test_hostile_spellings_read_as_the_event_reader_reads_them(raw: bytes, cuts: list[int]) -> None:
    assert fast(cut(raw, cuts))[0] == events_only(raw)


def _padded(padding: int, tail: str) -> bytes:
    """A first package filling the slice up to ``padding`` bytes, then ``tail``'s packages."""
    filler = "x" * padding
    return ('{"P":{"C":["' + filler + '"]},' + tail + "}").encode()


@pytest.mark.parametrize(
    "tail",
    [
        '"P":{"C":["again"]}',  # the first package listed again, past the slice edge
        '"Q":{"D":["a"],"D":["b"]}',  # a CaseID listed twice
        '"Q":{"D":["a\\"b"]}',  # an escaped quote
        '"Q":{"D":["\\u007d"]}',  # an escaped closing brace
        '"Q":{"D":["a"]}\x0c',  # form feed: not JSON whitespace
        '"Q":{"D":["a\x01"]}',  # a raw control byte in a string
        '"Q":{"D":[1]}',  # a number for a LucidID
        '"\\u0050":{"C":["z"]}',  # "P" spelled as an escape: a duplicate too
    ],
)
def test_the_64_kib_edge_hides_nothing(tail: str) -> None:
    """Each tail placed so the slice edge falls at every byte of it."""
    for padding in range(_SLICE - 40, _SLICE - 40 + len(tail) + 20):
        raw = _padded(padding, tail)
        expected = events_only(raw)
        assert fast([raw])[0] == expected, padding
        assert fast([raw[:_SLICE], raw[_SLICE:]])[0] == expected, padding
