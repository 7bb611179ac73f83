"""What the fake saw (``fake.requests``) and counted (``fake.stats``)."""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl

import attrs

__all__ = ["RecordedRequest", "RequestLog", "Stats"]


@attrs.define
class RecordedRequest:
    """One request as received, with every header (``Authorization`` included).

    ``path`` is the decoded path, ``raw_path`` the path as sent (``%2F`` kept). ``status``
    is filled in when the answer goes out, and stays None for dropped or stalled requests.
    ``time`` is on the fake's clock. ``fault`` names the injected fault, if any.
    """

    site: Literal["api", "cdn"]
    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    time: float
    remote: str | None
    status: int | None = None
    fault: str | None = None

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")

    def json(self) -> Any:
        """The request body parsed as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The request body parsed as ``application/x-www-form-urlencoded``."""
        return dict(parse_qsl(self.body.decode()))


class RequestLog:
    """Recorded requests, oldest first; a ring buffer when ``maxlen`` is set."""

    def __init__(self, maxlen: int | None = None) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=maxlen)

    def append(self, entry: RecordedRequest) -> None:
        """Record one request (the oldest is dropped past ``max_recorded``)."""
        self._entries.append(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(list(self._entries))

    def __getitem__(self, index: int) -> RecordedRequest:
        return self._entries[index]

    def __repr__(self) -> str:
        return f"<RequestLog {len(self)} requests>"

    def matching(
        self,
        path_prefix: str = "",
        *,
        method: str | None = None,
        site: Literal["api", "cdn"] | None = None,
    ) -> list[RecordedRequest]:
        """Requests whose decoded path starts with ``path_prefix`` (and method/site match)."""
        return [
            r
            for r in self._entries
            if r.path.startswith(path_prefix)
            and (method is None or r.method == method.upper())
            and (site is None or r.site == site)
        ]

    def clear(self) -> None:
        """Forget every recorded request."""
        self._entries.clear()


@attrs.define
class Stats:
    """Counters since start (or the last :meth:`reset`)."""

    requests: int = 0
    by_status: Counter[int] = attrs.field(factory=Counter)
    tokens_issued: int = 0
    #: 429s from the sliding-window limiter.
    throttled: int = 0
    #: Every 429 answered: limiter, spurious and scripted.
    rate_limited: int = 0
    #: Injected faults by kind: error, rate_limit, drop, stall, truncate, latency, script.
    faults: Counter[str] = attrs.field(factory=Counter)
    dropped: int = 0

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())

    def as_dict(self) -> dict[str, Any]:
        """The counters as plain JSON data: what ``GET /__fake__/summary`` answers.

        ``rate_limited`` splits the 429s into those of the fake's rate limiter and those
        injected (random ``rate_limit_rate`` and scripted ones).
        """
        return {
            "requests": self.requests,
            "by_status": {str(status): n for status, n in sorted(self.by_status.items())},
            "tokens_issued": self.tokens_issued,
            "rate_limited": {
                "total": self.rate_limited,
                "from_rate_limiter": self.throttled,
                "injected": self.rate_limited - self.throttled,
            },
            "faults": dict(sorted(self.faults.items())),
            "faults_injected": self.faults_injected,
            "dropped": self.dropped,
        }

    def reset(self) -> None:
        """Set every counter back to zero."""
        self.requests = self.tokens_issued = self.throttled = self.rate_limited = 0
        self.dropped = 0
        self.by_status.clear()
        self.faults.clear()
