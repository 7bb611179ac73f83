"""The reasons of the red team's round-8 breaks, in one place (each test says ``xfail`` with
one of them, strict: a fix turns it into a failure that asks for the mark to go)."""

from __future__ import annotations

from typing import Final

import pytest

REASONS: Final = {
    "async_observer": "BREAK: an async observer callback returns a coroutine never awaited; "
    "nothing is logged (only call_started is checked for async)",
}


def breaks(name: str) -> pytest.MarkDecorator:
    """The strict xfail mark of the break ``name``."""
    return pytest.mark.xfail(strict=True, reason=REASONS[name])


REASONS.update(
    {
        "padded_token": "BREAK: a credential with surrounding spaces or a tab is neither "
        "stripped nor refused (blank-as-unset strips, a value is sent as is): the server sees "
        "'Bearer  tok' and answers 401, where a trailing newline gets a clear error",
        "instrumented_headers": "BREAK: attempt_started's answer is checked to be a Request, "
        "not that its headers can be sent: a header value with CR/LF (or no str) from "
        "telemetry fails the call with the transport's bare ValueError/TypeError",
        "early_tolerance": "BREAK: EARLY_TOLERANCE is absolute seconds: at the top rate "
        "(10**12 per 1 ms) a bucket owing a million tokens still hands one out at once",
    }
)
