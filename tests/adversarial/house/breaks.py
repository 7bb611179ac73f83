"""The breaks these attacks found, one reason each: ``@breaks(key)`` marks a test a strict
xfail whose reason starts with ``BREAK:`` (a fix turns it into a failure: remove the mark)."""

from __future__ import annotations

import pytest

__all__ = ["breaks"]

REASONS: dict[str, str] = {
    "a_raising_observer_loses_no_response": (
        "an observer that raises in attempt_ended/call_ended replaces the call's "
        "result: a write the server applied comes back as the instrumentation's RuntimeError "
        "(no response, not WriteOutcomeUnknown); a tracing bug turns successes into failures"
    ),
    "a_raising_call_started_breaks_no_call": (
        "a raising call_started fails every call before sending (the "
        "instrumentation's RuntimeError is what the caller gets)"
    ),
    "attempt_started_answering_no_request_is_a_clear_type_error": (
        "attempt_started returning None (or any non-Request) fails deep in the "
        "exchange with AttributeError(\"'NoneType' object has no attribute 'with_headers'\"), "
        "naming neither the instrumentation nor the protocol, and spends the rate-limit permit "
        "for a request never sent"
    ),
    "an_async_instrumentation_is_refused_by_instrument": (
        "instrument() accepts an instrumentation whose call_started is async "
        "(runtime_checkable only checks the name); the first call then fails with "
        "AttributeError on a coroutine (and a 'never awaited' warning) instead of instrument() "
        "refusing it"
    ),
    "otel_uninstrument_leaves_someone_elses_instrumentation": (
        "lucidgreen.otel.uninstrument(client) calls client.instrument(None), so it "
        "also detaches a custom instrumentation attached after otel (one it never attached)"
    ),
    "an_ill_typed_answer_is_a_typed_error_keeping_doubt": (
        "the exchange trusts whatever send() returns: None, a dict, a str status, "
        "None/list headers, a str/None/memoryview body or a non-str header give AttributeError/"
        "TypeError from deep inside (e.g. \"'NoneType' object has no attribute 'status'\"), and "
        "a write that went out loses outcome_unknown; Response(True, ...) is 'HTTP True'. Response "
        "validates nothing and Exchange.send does not check isinstance(response, Response)"
    ),
    "a_transport_bug_after_a_write_keeps_the_doubt": (
        "a transport raising a plain Exception other than TimeoutError/OSError "
        "(ValueError, RuntimeError, KeyError) reaches the caller as is: after a write the "
        "caller's `except WriteOutcomeUnknown` misses it though the request may have gone out"
    ),
}


def breaks(key: str, raises: type[BaseException] | None = None) -> pytest.MarkDecorator:
    """The strict xfail of the break ``key`` (its reason: ``BREAK: ...``)."""
    return pytest.mark.xfail(strict=True, raises=raises, reason=f"BREAK: {REASONS[key]}")
