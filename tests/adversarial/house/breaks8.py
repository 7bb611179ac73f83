"""The reasons of the red team's round-8 breaks, in one place (each test says ``xfail`` with
one of them, strict: a fix turns it into a failure that asks for the mark to go)."""

from __future__ import annotations

from typing import Final

import pytest

REASONS: Final = {
    "redirect": "BREAK: a presigned download redirected to another signed URL: the target's "
    "signature, echoed by its 403 page, is no secret of the request and shows",
    "encoded_query": "BREAK: a presigned query value is hidden decoded (parse_qsl) or as the "
    "whole query, never as sent: a percent-encoded X-Amz-Security-Token quoted by an S3 page "
    "(&amp;-escaped) shows",
    "json_escape": "BREAK: an echo is hidden only byte for byte: the token JSON-escaped "
    "(\\u0053...) passes into a 2xx record and an error's body",
    "form_encoded": "BREAK: a token endpoint echoing its form body shows the client secret "
    "percent-encoded (/, +, = escaped), not hidden",
    "header_name": "BREAK: header names are searched byte for byte and arrive lower-cased: a "
    "token echoed in one shows, in a 2xx's raw response and an error's headers alike",
    "duplicate_headers": "BREAK: hiding an echo rebuilds the headers as a dict: a header sent "
    "twice by a custom transport (CIMultiDict) keeps only its last value",
}


def breaks(name: str) -> pytest.MarkDecorator:
    """The strict xfail mark of the break ``name``."""
    return pytest.mark.xfail(strict=True, reason=REASONS[name])


REASONS.update(
    {
        "over_hidden": "BREAK: every presigned query value of 8+ characters is hidden, "
        "secret or not: an S3 page's X-Amz-Algorithm (AWS4-HMAC-SHA256) and X-Amz-Date "
        "become <hidden>, and so would a download's matching Content-Type",
        "early_tolerance": "BREAK: EARLY_TOLERANCE is absolute seconds: at the top rate "
        "(10**12 per 1 ms) a bucket owing a million tokens still hands one out at once",
    }
)
