"""``lucidgreen.ids``: LucidID validation, QR-code parsing and uuid <-> shortuuid."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import shortuuid
from hypothesis import given, settings
from hypothesis import strategies as st

from lucidgreen import ids
from lucidgreen.errors import InvalidLucidID

DOC_ID = "UNDTMBovdue9tFWfhamnDM"  # the docs' example shortuuid
DOC_UUID = uuid.UUID("941fc29d-72be-456e-a020-bf3808eee434")
TWENTY = "23456789ABCDEFGHJKLM"


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [DOC_ID, "Khf8UxYKJFnCC7n4UkNUQu", TWENTY, "z" * 22, "2" * 20, ids.ALPHABET[:22]]
)
def test_valid_lucid_ids_are_returned(value: str) -> None:
    """20- and 22-character base57 strings are LucidIDs and come back unchanged."""
    assert ids.validate_lucid_id(value) == value
    assert ids.is_lucid_id(value)


def test_alphabet_is_shortuuids_default() -> None:
    """The alphabet is shortuuid's default, so our IDs and the server's agree."""
    assert shortuuid.get_alphabet() == ids.ALPHABET
    assert len(ids.ALPHABET) == 57


@pytest.mark.parametrize("bad_char", ["0", "O", "I", "l", "1"])
def test_look_alike_characters_are_refused(bad_char: str) -> None:
    """0, O, I, l and 1 are not base57; the error quotes the offending character."""
    value = DOC_ID[:-1] + bad_char
    with pytest.raises(InvalidLucidID) as caught:
        ids.validate_lucid_id(value)
    message = str(caught.value)
    assert f"{bad_char!r}" in message
    assert "base57" in message
    assert "characters," not in message  # the length is fine, so it is not blamed
    assert caught.value.value == value
    assert not ids.is_lucid_id(value)


@pytest.mark.parametrize("value", ["", "abc", DOC_ID[:19], DOC_ID[:21], DOC_ID + "a", "2" * 36])
def test_wrong_lengths_are_refused(value: str) -> None:
    """Only 20 or 22 characters are accepted, and the message gives the actual length."""
    with pytest.raises(InvalidLucidID, match=f"it has {len(value)} characters"):
        ids.validate_lucid_id(value)
    assert not ids.is_lucid_id(value)


def test_length_and_alphabet_problems_are_both_reported() -> None:
    """A value wrong in two ways names both problems, each bad character once."""
    with pytest.raises(InvalidLucidID) as caught:
        ids.validate_lucid_id("941fc29d-72be-456e-a020-bf3808eee434")
    message = str(caught.value)
    assert "it has 36 characters" in message
    assert "'1', '-', '0'" in message


@pytest.mark.parametrize("value", [None, 42, b"UNDTMBovdue9tFWfhamnDM", DOC_UUID, ["x"]])
def test_non_strings_are_refused(value: Any) -> None:
    """Non-str values raise InvalidLucidID naming the type; is_lucid_id just says False."""
    with pytest.raises(InvalidLucidID, match=f"must be a str, not {type(value).__name__}"):
        ids.validate_lucid_id(value)
    assert not ids.is_lucid_id(value)


def test_invalid_lucid_id_is_a_value_error() -> None:
    """InvalidLucidID is also a ValueError, so generic input validation catches it."""
    with pytest.raises(ValueError, match="not a LucidID"):
        ids.validate_lucid_id(" " + DOC_ID[1:])


# --- QR codes -------------------------------------------------------------------------------

QR_CODES: list[tuple[str, str, str]] = [
    ("https://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM", "item", DOC_ID),
    ("https://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM/", "item", DOC_ID),
    ("http://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM?src=label#top", "item", DOC_ID),
    ("https://dev-qr.lcdg.io/UNDTMBovdue9tFWfhamnDM", "item", DOC_ID),
    ("qr.lcdg.io/UNDTMBovdue9tFWfhamnDM", "item", DOC_ID),
    ("  UNDTMBovdue9tFWfhamnDM\n", "item", DOC_ID),
    (TWENTY, "item", TWENTY),
    ("https://qr.lcdg.io/case/1A4FF0300000029000012345", "case", "1A4FF0300000029000012345"),
    ("https://qr.lcdg.io/case/1A4FF0300000029000012345/", "case", "1A4FF0300000029000012345"),
    ("https://qr.lcdg.io/case/LDM%2F2021%2000042", "case", "LDM/2021 00042"),
    ("https://qr.lcdg.io/case/identifier-123", "case", "identifier-123"),
    ("https://dev-qr.lcdg.io/c/Khf8UxYKJFnCC7n4UkNUQu/", "case", "Khf8UxYKJFnCC7n4UkNUQu"),
    ("https://qr.lcdg.io/c/Khf8UxYKJFnCC7n4UkNUQu", "case", "Khf8UxYKJFnCC7n4UkNUQu"),
    (
        "https://qr.lucidgreen.io/collection/Khf8UxYKJFnCC7n4UkNUQu",
        "case",
        "Khf8UxYKJFnCC7n4UkNUQu",
    ),
    ("https://lcdg.io/collection/Khf8UxYKJFnCC7n4UkNUQu/", "case", "Khf8UxYKJFnCC7n4UkNUQu"),
    ("HTTPS://QR.LCDG.IO/CASE/1A4FF0300000029000012345", "case", "1A4FF0300000029000012345"),
]


@pytest.mark.parametrize(("text", "kind", "identifier"), QR_CODES)
def test_qr_forms(text: str, kind: str, identifier: str) -> None:
    """Every documented QR form (and a bare ID) yields its kind and decoded identifier."""
    assert ids.parse_qr(text) == ids.QRCode(kind=kind, identifier=identifier)  # type: ignore[arg-type]


BAD_QR_CODES: list[tuple[str, str]] = [
    ("https://qr.lcdg.io/UNDTMBovdue9tFWfhamnD0", "base57"),  # item IDs are validated
    ("https://qr.lcdg.io/not-a-lucid-id", "not a LucidID"),
    ("https://example.com/UNDTMBovdue9tFWfhamnDM", "lcdg.io or lucidgreen.io"),
    ("https://evil-lcdg.io/UNDTMBovdue9tFWfhamnDM", "lcdg.io or lucidgreen.io"),
    ("https://qr.lcdg.io.evil.com/UNDTMBovdue9tFWfhamnDM", "lcdg.io or lucidgreen.io"),
    ("ftp://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM", "http(s) URL"),
    ("https://qr.lcdg.io/", "expected /<LucidID>"),
    ("https://qr.lcdg.io/case/", "expected /<LucidID>"),
    ("https://qr.lcdg.io/case/%20/", "expected /<LucidID>"),
    ("https://qr.lcdg.io/case/a/b", "expected /<LucidID>"),
    ("https://qr.lcdg.io/items/UNDTMBovdue9tFWfhamnDM", "expected /<LucidID>"),
    ("", "empty"),
    ("   ", "empty"),
    ("hello", "not a LucidID"),
]


@pytest.mark.parametrize(("text", "reason"), BAD_QR_CODES)
def test_unknown_qr_codes_are_refused(text: str, reason: str) -> None:
    """Unknown hosts, shapes and malformed item IDs raise InvalidLucidID with the reason."""
    with pytest.raises(InvalidLucidID, match=reason.replace("(", r"\(").replace(")", r"\)")):
        ids.parse_qr(text)


def test_parse_qr_refuses_non_strings() -> None:
    """parse_qr names the type it was given when that is not a str."""
    with pytest.raises(InvalidLucidID, match="must be a str, not bytes"):
        ids.parse_qr(b"https://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM")  # type: ignore[arg-type]


def test_qr_code_is_frozen() -> None:
    """QRCode results are immutable and hashable values."""
    code = ids.parse_qr(DOC_ID)
    with pytest.raises(AttributeError):
        code.identifier = "other"  # type: ignore[misc]
    assert {code: 1}[ids.QRCode(kind="item", identifier=DOC_ID)] == 1


# --- uuid <-> shortuuid ------------------------------------------------------------------


def test_docs_example_round_trips() -> None:
    """The docs' example ID decodes to its UUID and encodes back to the same text."""
    assert ids.to_uuid(DOC_ID) == DOC_UUID
    assert ids.from_uuid(DOC_UUID) == DOC_ID
    assert ids.from_uuid(str(DOC_UUID)) == DOC_ID
    assert ids.from_uuid(DOC_UUID.hex) == DOC_ID


@pytest.mark.parametrize("value", [0, 1, 2**64, 2**128 - 1])
def test_extreme_uuids_round_trip_with_padding(value: int) -> None:
    """Small UUIDs are padded with leading '2's to 22 characters, like shortuuid does."""
    as_uuid = uuid.UUID(int=value)
    encoded = ids.from_uuid(as_uuid)
    assert len(encoded) == 22
    assert encoded == shortuuid.ShortUUID().encode(as_uuid)
    assert ids.to_uuid(encoded) == as_uuid
    if value == 0:
        assert encoded == "2" * 22


@settings(max_examples=200, deadline=None, database=None)
@given(value=st.uuids())
def test_any_uuid_round_trips(value: uuid.UUID) -> None:
    """from_uuid then to_uuid gives back any UUID, and matches shortuuid's own encoding."""
    encoded = ids.from_uuid(value)
    assert ids.is_lucid_id(encoded)
    assert encoded == shortuuid.encode(value)
    assert ids.to_uuid(encoded) == value


def test_twenty_character_ids_do_not_convert() -> None:
    """A 20-character LucidID is not a UUID encoding, so to_uuid refuses instead of guessing."""
    with pytest.raises(InvalidLucidID, match="only 22-character LucidIDs"):
        ids.to_uuid(TWENTY)


def test_too_large_ids_do_not_convert() -> None:
    """57**22 exceeds 2**128: a 22-character ID above the largest UUID is refused."""
    with pytest.raises(InvalidLucidID, match="too large for a UUID"):
        ids.to_uuid("z" * 22)


def test_to_uuid_validates_first() -> None:
    """to_uuid refuses a malformed LucidID with the validation message."""
    with pytest.raises(InvalidLucidID, match="base57"):
        ids.to_uuid("0" * 22)


@pytest.mark.parametrize(("value", "reason"), [("not-a-uuid", "is not a UUID"), (42, "not int")])
def test_from_uuid_refuses_non_uuids(value: Any, reason: str) -> None:
    """from_uuid raises InvalidLucidID for text that is not a UUID and for other types."""
    with pytest.raises(InvalidLucidID, match=reason):
        ids.from_uuid(value)
