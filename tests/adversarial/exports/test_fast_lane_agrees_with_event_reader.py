"""The export parser's fast lane (``json.loads`` of whole packages) gives exactly what the
event reader alone gives, for clean files and for hostile ones: duplicated packages and
CaseIDs, braces and quotes in ids, numbers for LucidIDs, nesting, cuts anywhere."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen import RetailClient
from lucidgreen.retail._export_file import ExportEntry
from lucidgreen.testing import FakeLucidGreen

from .readers import cut, events_only, fast

# No backslash and no quote in the ids (json.dumps would escape them): the fast lane's
# input. Braces and brackets inside ids are the lane's hardest case.
plain_ids = st.text(alphabet=st.sampled_from("ab1{}[]:, é漢"), max_size=6)
members = st.lists(
    st.tuples(
        plain_ids, st.lists(st.tuples(plain_ids, st.lists(plain_ids, max_size=3)), max_size=3)
    ),
    max_size=6,
)


def _file(packages: list[tuple[str, list[tuple[str, list[str]]]]]) -> bytes:
    """Written by hand so that duplicated keys survive (a dict would merge them)."""

    def cases(items: list[tuple[str, list[str]]]) -> str:
        return (
            "{"
            + ",".join(
                f"{json.dumps(c, ensure_ascii=False)}:{json.dumps(i, ensure_ascii=False)}"
                for c, i in items
            )
            + "}"
        )

    body = ",".join(f"{json.dumps(p, ensure_ascii=False)}:{cases(c)}" for p, c in packages)
    return ("{" + body + "}").encode()


@settings(max_examples=300, deadline=None)
@given(packages=members, cuts=st.lists(st.integers(0, 10_000), max_size=12))
def test_any_clean_file_any_cut_reads_as_the_event_reader_reads_it(
    packages: list[tuple[str, list[tuple[str, list[str]]]]], cuts: list[int]
) -> None:
    """Duplicated keys and brackets in ids included, whatever the chunking."""
    raw = _file(packages)
    assert fast(cut(raw, cuts))[0] == events_only(raw)


@settings(max_examples=300, deadline=None)
@given(
    packages=members.filter(bool),
    position=st.integers(0, 10_000),
    byte=st.sampled_from(b'{}[]",:1 \x00\xffa'),
    cuts=st.lists(st.integers(0, 10_000), max_size=6),
)
def test_one_byte_changed_anywhere_reads_as_the_event_reader_reads_it(
    packages: list[tuple[str, list[tuple[str, list[str]]]]],
    position: int,
    byte: int,
    cuts: list[int],
) -> None:
    """A corrupted byte (a brace, a quote, a digit, a NUL, bad UTF-8) gives the same
    entries or the same DecodeError as the event reader."""
    raw = bytearray(_file(packages))
    raw[position % len(raw)] = byte
    assert fast(cut(bytes(raw), cuts))[0] == events_only(bytes(raw))


def test_a_clean_file_is_read_by_the_fast_lane_alone() -> None:
    """No escapes, the expected shape: the event reader is never needed."""
    mapping = {
        f"PKG{i}": {f"C{i}{j}": [f"L{i}{j}{k}" for k in range(3)] for j in range(2)}
        for i in range(5000)
    }
    raw = json.dumps(mapping).encode()
    found, fast_only = fast([raw[i : i + 4096] for i in range(0, len(raw), 4096)])
    assert fast_only
    assert found == [
        ExportEntry(p, c, tuple(ids)) for p, cases in mapping.items() for c, ids in cases.items()
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"P": {"C": ["a", 1]}}',  # a number for a LucidID
        b'{"P": {"C": ["a"], "C": [2, "b"]}}',  # a duplicated CaseID hiding a number
        b'{"P": {"A": []}, "P": {"B": [1, 2, "y"]}}',  # a duplicated package hiding numbers
        b'{"P": {"C": ["}"]}, "Q": {"D": ["x"]}}',  # a closing brace inside a LucidID
        b'{"P": {"C": [["a"]]}}',  # a nested list
        b'{"P": {"C": {"D": []}}}',  # a nested object
        b'{"P": {"C": []},}',  # a trailing comma
        b'{"P": {"C": [NaN]}}',  # json.loads reads NaN; JSON has none
        b'{"P": {"C": ["a"]}} {}',  # data after the end
    ],
)
def test_counterfeits_of_the_shape_read_as_the_event_reader_reads_them(raw: bytes) -> None:
    """What json.loads alone would accept or read otherwise, cut at every byte."""
    expected = events_only(raw)
    for at in range(len(raw) + 1):
        assert fast([raw[:at], raw[at:]])[0] == expected, at


async def test_a_package_listed_in_two_pieces_is_merged_by_download(
    retail: RetailClient, lucidgreen_fake: FakeLucidGreen
) -> None:
    """The same package UID at the start and the end of a 200 KB file (two fast pieces
    apart): download() holds the CaseIDs of both, as entries() yields both."""
    filler = ",".join(f'"F{i}":{{"C{i}":["L{i}"]}}' for i in range(8000))
    raw = ('{"P":{"A":["1"],"C":["4"]},' + filler + ',"P":{"B":["2"],"A":["3"]}}').encode()
    assert len(raw) > 3 * 65536
    export = await retail.package_uids.export()
    lucidgreen_fake.faults.script("/exports/", [(200, raw), (200, raw)])
    mapping = await export.download()
    assert mapping["P"] == {"A": ["3"], "C": ["4"], "B": ["2"]}  # both, the last A wins
    assert len(mapping) == 8001
    streamed = [e async for e in export.entries() if e.package_uid == "P"]
    assert streamed == [ExportEntry("P", "A", ("1",)), ExportEntry("P", "C", ("4",)),
                        ExportEntry("P", "B", ("2",)),
                        ExportEntry("P", "A", ("3",))]  # fmt: skip
