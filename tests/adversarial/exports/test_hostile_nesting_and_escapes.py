"""A hostile CDN body against the export parser: deep nesting and broken escapes are typed
DecodeErrors, and nesting costs no memory beyond the bytes already held."""

from __future__ import annotations

import tracemalloc

import pytest

from lucidgreen import DecodeError
from lucidgreen.retail._export_file import ExportFileParser


@pytest.mark.parametrize("opener", [b"[", b'{"k":'])
def test_a_megabyte_of_openers_is_refused_at_the_first_and_holds_no_path(opener: bytes) -> None:
    """1 MB of ``[`` (or nested objects) in a LucidID list is refused without building the
    path of every open container (ijson's kvitems would hold ~2.5 TB for this depth)."""
    parser = ExportFileParser()
    parser.feed(b'{"PKG": {"CASE": ["L1", ')
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="expected a list of LucidIDs"):
            parser.feed(opener * (1_000_000 // len(opener)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The events of one 64 KiB slice at most (~5 MB), whatever the depth.
    assert peak < 16_000_000, peak


@pytest.mark.parametrize("escape", [b"\\udc00\\ud800", b"\\ud800\\u0041", b"\\uZZZZ", b"\\x41"])
def test_broken_escapes_in_a_lucid_id_are_decode_errors(escape: bytes) -> None:
    """Escapes the tokenizer cannot turn into text raise DecodeError, never ValueError."""
    raw = b'{"PKG": {"CASE": ["' + escape + b'"]}}'
    parser = ExportFileParser()
    try:
        parser.feed(raw)
        parser.close()
    except DecodeError:
        return
    except Exception as exc:  # any other type is the bug this test is about
        pytest.fail(f"{type(exc).__name__}: {exc}")
