"""The package-UID export: its knobs, the presigned URLs and the CDN site that serves them.

The CDN is a second origin, like the S3/CloudFront host of a real presigned URL. It checks
the URL's signature and expiry, and refuses any request that also carries an
``Authorization`` header (403, S3-style XML): a client that forwards its bearer token to the
CDN is leaking it to another origin, and the fake makes that a visible failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import random
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import attrs

from .._state.state import FakeState
from .reply import Reply

__all__ = ["ExportSettings", "UrlSigner", "cdn_reply", "export_chunks"]

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# The version (4) and variant (RFC 4122) bits, as uuid.UUID(int=..., version=4) sets them.
_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)

_PLACEHOLDERS = {
    "png": ("image/png", bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )),
    "mp4": ("video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"),
    "pdf": ("application/pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
}  # fmt: skip


@attrs.define
class ExportSettings:
    """Knobs of ``GET /api/v1.2/package-uids-export/`` (``fake.export``), settable any time.

    Checked in this order: ``fake.state.dispensary_linked`` / ``enabled`` (428), a malformed
    or future ``export_date`` (400), ``failed`` (422), a date older than ``history_days`` or
    in ``missing_dates`` (404), ``pending_polls`` (202, counting down), else 200.
    """

    enabled: bool = True
    pending_polls: int = 0
    failed: bool = False
    history_days: int = 30
    missing_dates: set[date] = attrs.field(factory=set)
    #: Synthetic package UIDs appended after the real imports (0 for imports only).
    packages: int = 50
    cases_per_package: tuple[int, int] = (1, 3)
    lucid_ids_per_case: tuple[int, int] = (1, 6)
    #: "Today" for the future-date check; None means the real UTC date.
    today: date | None = None
    #: Lifetime (fake clock seconds) of a presigned URL.
    url_ttl: float = 3600.0

    def current_day(self) -> date:
        """The date the fake's latest package-UID export belongs to."""
        return self.today or datetime.now(UTC).date()


def export_chunks(
    seed: int, day: date, state: FakeState, settings: ExportSettings, chunk_size: int = 65536
) -> Callable[[], Iterator[bytes]]:
    """A re-startable generator of the export file's bytes, built without holding it whole.

    The real imports come first, then ``settings.packages`` synthetic packages, deterministic
    in the seed and the export's age in days: the latest export of a seed holds the same
    packages whatever today's date is (a documented sample output stays true), while the
    exports of two different days differ.
    """
    real = state.export_mapping()
    packages = settings.packages
    low_cases, high_cases = settings.cases_per_package
    low_ids, high_ids = settings.lucid_ids_per_case

    def generate() -> Iterator[bytes]:
        age = (latest_export_day(settings) - day).days
        rng = random.Random(f"{seed}:export:{age}")

        def uid() -> str:
            # shortuuid.encode of a version-4 UUID, inlined: the file may hold a million ids.
            n = (rng.getrandbits(128) & _V4_CLEAR) | _V4_SET
            digits = []
            for _ in range(22):
                n, r = divmod(n, 57)
                digits.append(_ALPHABET[r])
            return "".join(reversed(digits))

        def entries() -> Iterator[tuple[str, dict[str, list[str]]]]:
            yield from real.items()
            for _ in range(packages):
                tag = "1A40603000" + f"{rng.getrandbits(56):014X}"
                yield (
                    tag,
                    {
                        uid(): [uid() for _ in range(rng.randint(low_ids, high_ids))]
                        for _ in range(rng.randint(low_cases, high_cases))
                    },
                )

        buffer = bytearray(b"{")
        first = True
        for package_uid, cases in entries():
            if not first:
                buffer += b","
            first = False
            buffer += json.dumps(package_uid).encode() + b":" + json.dumps(cases).encode()
            if len(buffer) >= chunk_size:
                yield bytes(buffer)
                buffer.clear()
        buffer += b"}"
        yield bytes(buffer)

    return generate


@attrs.define
class UrlSigner:
    """Issues and checks S3-style presigned URLs for the CDN site."""

    clock: Callable[[], float]
    secret: bytes
    _issued: dict[str, tuple[float, float]] = attrs.field(factory=dict, init=False)

    def _signature(self, path: str, amz_date: str, expires: str) -> str:
        message = f"GET\n{path}\n{amz_date}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def sign(self, base_url: str, path: str, ttl: float) -> str:
        amz_date = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        expires = str(max(1, math.ceil(ttl)))
        signature = self._signature(path, amz_date, expires)
        self._issued[signature] = (self.clock(), ttl)
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Credential": f"AKIAFAKELUCIDGREEN/{amz_date[:8]}/us-east-1/s3/aws4_request",
                "X-Amz-Date": amz_date,
                "X-Amz-Expires": expires,
                "X-Amz-SignedHeaders": "host",
                "X-Amz-Signature": signature,
            }
        )
        return f"{base_url}{path}?{query}"

    def check(self, path: str, query: Mapping[str, str]) -> Reply | None:
        """None when the URL is valid and unexpired, else the S3-style refusal."""
        signature = query.get("X-Amz-Signature", "")
        expected = self._signature(
            path, query.get("X-Amz-Date", ""), query.get("X-Amz-Expires", "")
        )
        issued = self._issued.get(signature)
        if not signature or not hmac.compare_digest(signature, expected) or issued is None:
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        at, ttl = issued
        if self.clock() > at + ttl:
            return s3_error(403, "AccessDenied", "Request has expired")
        return None


def s3_error(status: int, code: str, message: str) -> Reply:
    request_id = uuid.uuid4().hex[:16].upper()
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>fake-lucidgreen-cdn</HostId></Error>"
    )
    return Reply.text(status, xml, "application/xml")


_EXPORT_PATH = re.compile(r"^/exports/([^/]+)/package-uids-(\d{4}-\d{2}-\d{2})\.json$")


def export_path(dispensary_uuid: str, day: date) -> str:
    return f"/exports/{dispensary_uuid}/package-uids-{day.isoformat()}.json"


def cdn_reply(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    signer: UrlSigner,
    state: FakeState,
    settings: ExportSettings,
    seed: int,
) -> Reply:
    """Answer one CDN request: a presigned export file, or a media placeholder."""
    if method not in ("GET", "HEAD"):
        return s3_error(405, "MethodNotAllowed", "The specified method is not allowed.")
    if "Authorization" in headers:
        # What S3 does with a presigned URL plus an Authorization header: refuse both.
        return s3_error(
            403,
            "AccessDenied",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified",
        )
    if path.startswith("/media/"):
        return _media(path, state)
    match = _EXPORT_PATH.match(path)
    if match is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    refusal = signer.check(path, query)
    if refusal is not None:
        return refusal
    day = date.fromisoformat(match.group(2))
    # The length is left unknown here: the server measures it off the event loop.
    return Reply(
        200,
        headers={"Content-Type": "application/json", "ETag": f'"{seed:x}{day:%Y%m%d}"'},
        chunks=export_chunks(seed, day, state, settings),
    )


def _media(path: str, state: FakeState) -> Reply:
    ext = path.rsplit(".", 1)[-1]
    if path.startswith("/media/assets/"):
        asset_uuid = path.rsplit("/", 1)[-1].split(".", 1)[0]
        for assets in state.assets.values():
            asset = assets.get(asset_uuid)
            if asset is not None and asset.data is not None:
                return Reply(200, asset.data, {"Content-Type": "application/octet-stream"})
    mime, data = _PLACEHOLDERS.get(ext, ("application/octet-stream", b"\x00"))
    return Reply(200, data, {"Content-Type": mime})


def latest_export_day(settings: ExportSettings) -> date:
    """The most recent export: yesterday's (today's may not have run yet)."""
    return settings.current_day() - timedelta(days=1)
