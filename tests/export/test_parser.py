"""The incremental export-file parser, alone: any chunking of any file gives the same
entries, and every malformed or truncated file is a DecodeError."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen import DecodeError
from lucidgreen.retail._export_file import ExportEntry, ExportFileParser, check_package

Mapping = dict[str, dict[str, list[str]]]

SAMPLE: Mapping = {
    "1A4060300000000000000001": {
        "Khf8UxYKJFnCC7n4UkNUQu": ["UNDTMBovdue9tFWfhamnDM", "VCtgBNDuuCWJrYqjEd7s97"],
        "fjE5th6UEDuLVe2LBUeWot": [],
    },
    'PKG \u00e9\u6f22 \\"quoted\\"': {"n7ioXMPazBKxmfaKoYriyK": ["LngsjSscU2c26JdZfxrPrG"]},
    "EMPTY": {},
}


def _entries(mapping: Mapping) -> list[ExportEntry]:
    return [
        ExportEntry(uid, case, tuple(ids))
        for uid, cases in mapping.items()
        for case, ids in cases.items()
    ]


def _parse(chunks: list[bytes]) -> list[ExportEntry]:
    parser = ExportFileParser()
    found: list[ExportEntry] = []
    for chunk in chunks:
        found.extend(parser.feed(chunk))
    parser.close()
    return found


def _split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    return [raw[a:b] for a, b in itertools.pairwise(points)]


@pytest.mark.parametrize("indent", [None, 0, 2, "\t"])
def test_every_chunk_size_gives_the_same_entries(indent: int | str | None) -> None:
    """Chunks of 1 byte up to the whole file, compact or pretty-printed, parse identically."""
    raw = json.dumps(SAMPLE, indent=indent, ensure_ascii=False).encode()
    expected = _entries(SAMPLE)
    assert len(expected) == 3
    for size in range(1, len(raw) + 1):
        chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
        assert _parse(chunks) == expected, f"chunk size {size}"


def test_entries_arrive_as_soon_as_a_package_is_complete() -> None:
    """A package's entries come out of the feed that completes it, not at the end."""
    raw = json.dumps(SAMPLE).encode()
    cut = raw.index(b', "PKG') + 1
    parser = ExportFileParser()
    assert parser.feed(raw[:cut]) == _entries(SAMPLE)[:2]
    assert parser.feed(raw[cut:]) == _entries(SAMPLE)[2:]
    parser.close()


def test_empty_object_and_surrounding_whitespace() -> None:
    """``{}`` with whitespace around it is a valid file with no entries."""
    assert _parse([b" \n{ ", b"\t}\r\n "]) == []


ids = st.text(min_size=0, max_size=12)
mappings = st.dictionaries(
    ids, st.dictionaries(ids, st.lists(ids, max_size=4), max_size=3), max_size=6
)


@settings(max_examples=200, deadline=None)
@given(
    mapping=mappings,
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=30),
    ascii_only=st.booleans(),
    indent=st.sampled_from([None, 1, " "]),
)
def test_any_mapping_any_chunking(
    mapping: Mapping, cuts: list[int], ascii_only: bool, indent: int | str | None
) -> None:
    """For any mapping and any way to cut its bytes, the entries equal the mapping."""
    raw = json.dumps(mapping, ensure_ascii=ascii_only, indent=indent).encode()
    assert _parse(_split(raw, cuts)) == _entries(mapping)


@settings(max_examples=200, deadline=None)
@given(mapping=mappings.filter(bool), data=st.data())
def test_any_truncation_is_a_decode_error(mapping: Mapping, data: st.DataObject) -> None:
    """Every proper prefix of a file (trailing whitespace aside) fails at close()."""
    raw = json.dumps(mapping).encode()
    end = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    with pytest.raises(DecodeError):
        _parse([raw[:end]])


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   ",
        b"[]",
        b'["PKG"]',
        b'"PKG"',
        b"null",
        b'{"PKG": ["CASE"]}',
        b'{"PKG": "CASE"}',
        b'{"PKG": {"CASE": "ID"}}',
        b'{"PKG": {"CASE": [1]}}',
        b'{"PKG": {"CASE": [null]}}',
        b'{"PKG" {"CASE": []}}',
        b'{"PKG": {"CASE": []},}',
        b'{"PKG": {"CASE": []} "NEXT": {}}',
        b'{PKG: {"CASE": []}}',
        b'{"PKG": {"CASE": []}} trailing',
        b'{"PKG": {"CASE": []}}{}',
        b'{"PKG": {"CASE": [}}',
        b'{"PKG": {"CASE": []}',
        b"<html><title>502 Bad Gateway</title></html>",
        b'{"PKG": {"CASE": ["\xff\xfe"]}}',
    ],
)
def test_malformed_files_are_decode_errors(raw: bytes) -> None:
    """Wrong shapes, bad syntax, trailing data and bad UTF-8 raise DecodeError."""
    for size in (1, 7, max(1, len(raw))):
        with pytest.raises(DecodeError) as caught:
            _parse([raw[i : i + size] for i in range(0, len(raw), size)] or [b""])
        assert isinstance(caught.value.text, str)


def test_decode_error_names_the_package_and_case() -> None:
    """A bad LucidID list names the package and the CaseID in the message."""
    with pytest.raises(DecodeError, match=r"package 'PKG-9', case 'C1'"):
        _parse([b'{"PKG-9": {"C1": ["ok", 5]}}'])


def test_check_package_accepts_and_refuses() -> None:
    """check_package returns a well-formed package as is and refuses other shapes."""
    package = {"C": ["a", "b"], "D": []}
    assert check_package("P", package) is package
    for bad in (["C"], {"C": "a"}, {"C": [1]}, None):
        with pytest.raises(DecodeError):
            check_package("P", bad)


def _one_big_package(cases: int) -> bytes:
    package = {f"CASE{i:018d}": [f"L{i:06d}{j:015d}" for j in range(10)] for i in range(cases)}
    return json.dumps({"PKG-BIG": package, "PKG-2": {"C": ["x"]}}).encode()


@pytest.mark.parametrize("chunk", [1024, 65536])
def test_a_big_package_is_scanned_and_decoded_once_whatever_the_chunking(chunk: int) -> None:
    """Linear parse: a ~1 MB package fed in 1 KB or 64 KB chunks is scanned once and
    decoded once (each character counted at most once in either), not re-parsed per chunk."""
    raw = _one_big_package(4000)
    assert len(raw) > 1_000_000
    parser = ExportFileParser()
    count = 0
    for start in range(0, len(raw), chunk):
        count += len(parser.feed(raw[start : start + chunk]))
    parser.close()
    assert count == 4001
    assert parser.chars_scanned <= len(raw)
    assert parser.chars_decoded <= len(raw)
    # The keys and packages are nearly all of the file: both counters saw almost everything.
    assert parser.chars_decoded > len(raw) * 0.99


def test_escapes_and_brackets_inside_strings_split_anywhere() -> None:
    """Quotes, backslashes and brackets inside strings never end a package early, even when
    a chunk ends between a backslash and the character it escapes."""
    tricky = {'P"}]': {'C\\"{[': ['x\\\\"]}', "]}{[", '"']}, "Q": {}}
    raw = json.dumps(tricky).encode()
    for cut in range(1, len(raw)):
        assert _parse([raw[:cut], raw[cut:]]) == _entries(tricky), cut


def test_a_package_past_max_package_size_is_a_decode_error() -> None:
    """An endless package is refused at max_package_size characters: memory stays bounded
    by the cap, whatever the server keeps sending."""
    parser = ExportFileParser(max_package_size=10_000)
    parser.feed(b'{"PKG": {"C": [')
    block = b'"LLLLLLLLLLLLLLLLLLLLLL", ' * 40  # 1,040 characters
    for _ in range(9):
        assert parser.feed(block) == []
    with pytest.raises(DecodeError, match="max_package_size"):
        parser.feed(block)


def test_data_after_the_end_fails_at_once() -> None:
    """Trailing bytes after the closing brace are refused when they arrive, not buffered."""
    parser = ExportFileParser()
    assert parser.feed(b'{"P": {"C": []}} ') == [ExportEntry("P", "C", ())]
    with pytest.raises(DecodeError, match="after its end"):
        parser.feed(b"x" * 100)
