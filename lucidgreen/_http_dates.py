"""HTTP dates and ``Retry-After``: when the server says to come back, as seconds."""

from __future__ import annotations

import email.utils
import math
from datetime import UTC

__all__ = ["http_date", "parse_retry_after"]


def http_date(value: str | None) -> float | None:
    """An HTTP date (IMF-fixdate, RFC 850 or asctime) as a Unix time; None if it is not one.

    A date without a zone is GMT: HTTP dates are GMT by definition (asctime has no zone).
    """
    if not value or not value.strip():
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # An aware datetime's timestamp is plain arithmetic (no C time functions): it cannot fail.
    return when.timestamp()


def parse_retry_after(value: str | None, *, now: float, date: str | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: delta-seconds, or an HTTP date.

    An HTTP date is read against the answer's own ``date`` header when it has a usable one:
    both are the server's clock, so a server running minutes ahead or behind asks for the
    wait it means. Without one, against ``now`` (the local Unix time).
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        when = http_date(value)
        if when is None:
            return None
        server_now = http_date(date)
        return max(0.0, when - (now if server_now is None else server_now))
    return None if math.isnan(seconds) else max(0.0, seconds)
