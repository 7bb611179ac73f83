"""LucidIDs: validation, QR-code parsing, and conversion to and from :class:`uuid.UUID`.

A LucidID (and every other ``uuid`` the APIs send) is a shortuuid: a UUID written in
base57, the alphabet of Python's ``shortuuid`` package, which leaves out the look-alikes
``0``, ``1``, ``I``, ``O`` and ``l``. A UUID takes 22 characters; one LucidGreen page says
LucidIDs have 20, so both lengths are accepted.

>>> from lucidgreen import ids
>>> ids.is_lucid_id("UNDTMBovdue9tFWfhamnDM")
True
>>> ids.parse_qr("https://qr.lcdg.io/case/1A4FF0300000029000012345")
QRCode(kind='case', identifier='1A4FF0300000029000012345')
>>> ids.from_uuid(ids.to_uuid("UNDTMBovdue9tFWfhamnDM"))
'UNDTMBovdue9tFWfhamnDM'
"""

from __future__ import annotations

import re
import uuid
from typing import Literal
from urllib.parse import unquote, urlsplit

import attrs
import shortuuid

from lucidgreen.errors import InvalidLucidID

__all__ = [
    "ALPHABET",
    "LUCID_ID_LENGTHS",
    "QRCode",
    "from_uuid",
    "is_lucid_id",
    "parse_qr",
    "to_uuid",
    "validate_lucid_id",
]

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
"""The base57 alphabet of LucidIDs (``shortuuid``'s default)."""

LUCID_ID_LENGTHS = (22, 20)
"""Accepted lengths: 22 is a UUID's encoding and what the API sends; 20 is in one doc page."""

_UUID_LENGTH = 22
_LUCID_ID = re.compile(r"[2-9A-HJ-NP-Za-km-z]{20}(?:[2-9A-HJ-NP-Za-km-z]{2})?")
_ALPHABET_SET = frozenset(ALPHABET)
_SHORTUUID = shortuuid.ShortUUID(alphabet=ALPHABET)
_QR_DOMAINS = ("lcdg.io", "lucidgreen.io")
_CASE_PREFIXES = frozenset({"case", "c", "collection"})


def validate_lucid_id(value: str) -> str:
    """Return ``value`` if it is a LucidID; raise :class:`InvalidLucidID` saying why not.

    >>> validate_lucid_id("UNDTMBovdue9tFWfhamnDM")
    'UNDTMBovdue9tFWfhamnDM'
    >>> validate_lucid_id("UNDTMBovdue9tFWfhamnD0")
    Traceback (most recent call last):
    ...
    lucidgreen.errors.InvalidLucidID: 'UNDTMBovdue9tFWfhamnD0' is not a LucidID: it has characters outside the base57 alphabet: '0' (LucidIDs never contain 0, 1, I, O or l)
    """  # noqa: E501
    if not isinstance(value, str):
        raise InvalidLucidID(
            f"a LucidID must be a str, not {type(value).__name__}", value=repr(value)
        )
    if _LUCID_ID.fullmatch(value):
        return value
    problems = []
    if len(value) not in LUCID_ID_LENGTHS:
        problems.append(f"it has {len(value)} characters, a LucidID has 22 (or 20)")
    bad = "".join(dict.fromkeys(char for char in value if char not in _ALPHABET_SET))
    if bad:
        shown = ", ".join(repr(char) for char in bad)
        problems.append(
            f"it has characters outside the base57 alphabet: {shown}"
            " (LucidIDs never contain 0, 1, I, O or l)"
        )
    raise InvalidLucidID(f"{value!r:.80} is not a LucidID: {'; '.join(problems)}", value=value)


def is_lucid_id(value: object) -> bool:
    """Whether ``value`` is a str of 20 or 22 base57 characters.

    >>> is_lucid_id("UNDTMBovdue9tFWfhamnDM"), is_lucid_id("not-an-id"), is_lucid_id(42)
    (True, False, False)
    """
    return isinstance(value, str) and _LUCID_ID.fullmatch(value) is not None


@attrs.frozen
class QRCode:
    """What a LucidGreen QR code points at.

    ``kind`` is ``"item"`` for one product's LucidID (a validated LucidID) or ``"case"``
    for a CaseID or collection, whose ``identifier`` may be any string (a Metrc tag, a
    manifest ID): look it up with the collections or case endpoints.
    """

    kind: Literal["item", "case"]
    identifier: str


def parse_qr(text: str) -> QRCode:
    """Read the text of a scanned LucidGreen QR code.

    Accepted forms, on ``lcdg.io`` or ``lucidgreen.io`` and their subdomains (``qr.lcdg.io``,
    ``dev-qr.lcdg.io``), with or without a trailing slash, query or fragment:

    - ``https://qr.lcdg.io/<LucidID>`` and a bare LucidID: an item;
    - ``https://qr.lcdg.io/case/<identifier>``, ``…/c/<identifier>/`` and
      ``…/collection/<identifier>``: a case; the identifier is percent-decoded.

    Anything else raises :class:`InvalidLucidID`.

    >>> parse_qr("https://dev-qr.lcdg.io/c/Khf8UxYKJFnCC7n4UkNUQu/")
    QRCode(kind='case', identifier='Khf8UxYKJFnCC7n4UkNUQu')
    >>> parse_qr("https://qr.lcdg.io/UNDTMBovdue9tFWfhamnDM")
    QRCode(kind='item', identifier='UNDTMBovdue9tFWfhamnDM')
    """
    if not isinstance(text, str):
        raise InvalidLucidID(
            f"QR code text must be a str, not {type(text).__name__}", value=repr(text)
        )
    raw = text.strip()
    if not raw:
        raise InvalidLucidID("QR code text is empty", value=text)
    if "/" not in raw:
        return QRCode(kind="item", identifier=validate_lucid_id(raw))

    # Some scanners drop the scheme: "qr.lcdg.io/<id>".
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not _is_lucidgreen_host(host):
        raise InvalidLucidID(
            f"{text!r:.120} is not a LucidGreen QR code: expected an http(s) URL on "
            "lcdg.io or lucidgreen.io",
            value=text,
        )

    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) == 1 and segments[0].lower() not in _CASE_PREFIXES:
        return QRCode(kind="item", identifier=validate_lucid_id(unquote(segments[0])))
    if len(segments) == 2 and segments[0].lower() in _CASE_PREFIXES:
        identifier = unquote(segments[1]).strip()
        if identifier:
            return QRCode(kind="case", identifier=identifier)
    raise InvalidLucidID(
        f"{text!r:.120} is not a LucidGreen QR code: expected /<LucidID>, /case/<identifier>, "
        "/c/<identifier> or /collection/<identifier>",
        value=text,
    )


def _is_lucidgreen_host(host: str) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in _QR_DOMAINS)


def to_uuid(lucid_id: str) -> uuid.UUID:
    """The UUID a 22-character LucidID encodes (``shortuuid`` decoding).

    20-character LucidIDs are refused: no UUID encodes to 20 characters (``shortuuid`` pads
    to 22), so such an ID was not made from a UUID and any conversion would be a guess.

    >>> to_uuid("UNDTMBovdue9tFWfhamnDM")
    UUID('941fc29d-72be-456e-a020-bf3808eee434')
    """
    validate_lucid_id(lucid_id)
    if len(lucid_id) != _UUID_LENGTH:
        raise InvalidLucidID(
            f"{lucid_id!r} has {len(lucid_id)} characters; only 22-character LucidIDs are "
            "UUID encodings and can be converted",
            value=lucid_id,
        )
    try:
        decoded: uuid.UUID = _SHORTUUID.decode(lucid_id)
    except ValueError:
        # 57**22 > 2**128: some 22-character strings are too large to be a UUID.
        raise InvalidLucidID(
            f"{lucid_id!r} is not a LucidID: its value is too large for a UUID",
            value=lucid_id,
        ) from None
    return decoded


def from_uuid(value: uuid.UUID | str) -> str:
    """The 22-character LucidID (shortuuid) of a UUID, given as a UUID or its text.

    >>> from_uuid("941fc29d-72be-456e-a020-bf3808eee434")
    'UNDTMBovdue9tFWfhamnDM'
    """
    if isinstance(value, uuid.UUID):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            raise InvalidLucidID(f"{value!r:.80} is not a UUID", value=value) from None
    else:
        raise InvalidLucidID(
            f"expected a uuid.UUID or its text, not {type(value).__name__}", value=repr(value)
        )
    return str(_SHORTUUID.encode(parsed))
