"""Fault injection knobs (``fake.faults``), all settable while the fake runs.

Where they apply:

* **API routes** (``/api/...``): every knob below.
* **``/o/token/``**: only the ``token_*`` knobs and scripts, so a test can break data calls
  without breaking authentication (or the reverse).
* **CDN site**: only scripts (``faults.script("/exports/", [...])``).

Random knobs draw from their own ``random.Random`` seeded from the fake's seed, in a fixed
order (error, 429, drop, stall, truncate), so the same request sequence meets the same faults.
Injected answers are produced before routing, authentication and rate limiting, and do not
count against the rate limit (like a proxy answering in front of the application).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from ._app.reply import Reply
from ._middleware.throttle import throttle_detail

__all__ = ["DropMode", "Faults", "Injection", "ScriptStep", "TruncateMode"]

DropMode = Literal["before", "after"]
TruncateMode = Literal["content_length", "cut_json"]
SpecialStep = Literal["pass", "drop", "drop_after_apply", "stall", "truncate"]

#: One scripted answer: ``(status, body)``, ``(status, body, headers)`` or a special step:
#: ``"pass"`` (let the real handler answer), ``"drop"`` (close the connection unanswered),
#: ``"drop_after_apply"`` (run the real handler, then close unanswered), ``"stall"`` (never
#: answer until the client gives up or the fake closes), ``"truncate"`` (real answer, cut).
ScriptStep: TypeAlias = tuple[int, Any] | tuple[int, Any, Mapping[str, str]] | SpecialStep

_PROXY_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Time-out"}  # fmt: skip


@attrs.frozen
class Injection:
    """What the fault layer decided for one request. ``reply`` is set for canned answers."""

    kind: Literal["reply", "pass", "drop", "drop_after_apply", "stall", "truncate"]
    reply: Reply | None = None
    source: str = ""


@attrs.define
class _Script:
    prefix: str
    method: str | None
    steps: deque[ScriptStep]


def _default_statuses() -> tuple[int, ...]:
    return (500, 502, 503, 504)


@attrs.define
class Faults:
    """Mutable fault knobs. Rates are probabilities in ``[0, 1]`` per matching request."""

    seed: int = 0
    #: Fraction of API requests answered with a 5xx drawn from ``error_statuses``.
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = attrs.field(factory=_default_statuses)
    #: Fraction of the injected 502/503 answers that carry an nginx HTML page (else empty).
    html_error_rate: float = 0.5
    #: Fraction of API requests answered with a spurious 429.
    rate_limit_rate: float = 0.0
    #: ``Retry-After`` (seconds) of a spurious 429.
    spurious_retry_after: int = 1
    #: Fraction of API requests whose connection is closed without an answer.
    drop_rate: float = 0.0
    #: ``"before"``: drop before handling (nothing happens). ``"after"``: handle the request
    #: (a write is applied), then drop the answer.
    drop_mode: DropMode = "before"
    #: Fraction of API requests that never get an answer (until the fake closes).
    stall_rate: float = 0.0
    #: Fraction of API requests whose real answer is sent truncated.
    truncate_rate: float = 0.0
    #: ``"content_length"``: declare the full length, send half, close (a payload error).
    #: ``"cut_json"``: send half the body with a matching Content-Length (invalid JSON).
    truncate_mode: TruncateMode = "content_length"
    #: Seconds added to every API request, and per path prefix (longest prefix wins).
    latency: float = 0.0
    path_latency: dict[str, float] = attrs.field(factory=dict)
    #: Restrict the random knobs to these path prefixes / methods (empty: all API requests).
    paths: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    #: Replaces ``Retry-After`` on every 429 (real, spurious); e.g. ``31536000`` (a year).
    retry_after: int | str | None = None
    #: Origin (``"http://host:port"``) put into every ``next``/``previous`` link.
    next_host: str | None = None
    #: Added to ``count`` on every page after the first, as if rows appeared mid-walk.
    count_drift: int = 0
    #: Path prefixes whose validation errors become legacy ``403 {"status": "invalid
    #: payload", "reason": {...}}`` instead of 400.
    legacy_403_paths: set[str] = attrs.field(factory=set)
    #: ``/o/token/`` only: 5xx rate, drop rate (connection closed unanswered), latency.
    token_error_rate: float = 0.0
    token_drop_rate: float = 0.0
    token_latency: float = 0.0
    _scripts: list[_Script] = attrs.field(factory=list, init=False, repr=False)
    _rng: random.Random = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}:faults")

    # -- scripting ----------------------------------------------------------------------------

    def script(
        self, path_prefix: str, steps: Iterable[ScriptStep], *, method: str | None = None
    ) -> None:
        """Answer the next requests whose path starts with ``path_prefix`` with ``steps``.

        Each matching request consumes one step; once the steps run out, requests are
        handled normally again. Scripts bypass authentication and rate limiting::

            fake.faults.script("/api/v1.5/products/", [(429, {"detail": "..."},
                               {"Retry-After": "2"})])   # one 429, then the real 200
        """
        self._scripts.append(_Script(path_prefix, method.upper() if method else None, deque(steps)))

    def pending(self, path_prefix: str | None = None) -> int:
        """Scripted steps not consumed yet (for one prefix, or all)."""
        return sum(
            len(s.steps) for s in self._scripts if path_prefix is None or s.prefix == path_prefix
        )

    def clear_scripts(self) -> None:
        """Forget every scripted step not consumed yet."""
        self._scripts.clear()

    def reset(self) -> None:
        """Every knob back to its default and every script dropped (the RNG keeps going)."""
        rng, seed = self._rng, self.seed
        defaults = Faults(seed=seed)
        for field in attrs.fields(Faults):
            if field.init:
                setattr(self, field.name, getattr(defaults, field.name))
        self._scripts.clear()
        self._rng = rng

    # -- decisions (used by the server) -------------------------------------------------------

    def take_script(self, method: str, path: str) -> Injection | None:
        """The next scripted step for a request, if a script matches it (consumed)."""
        for script in self._scripts:
            if script.steps and path.startswith(script.prefix):
                if script.method is not None and script.method != method:
                    continue
                step = script.steps.popleft()
                if isinstance(step, str):
                    return Injection(kind=step, source="script")
                status, body, *rest = step
                headers = rest[0] if rest else None
                return Injection("reply", Reply.scripted(status, body, headers), "script")
        return None

    def latency_for(self, path: str, *, token: bool) -> float:
        """Seconds to delay the answer to a request on ``path``."""
        if token:
            return self.token_latency
        matches = [prefix for prefix in self.path_latency if path.startswith(prefix)]
        extra = self.path_latency[max(matches, key=len)] if matches else 0.0
        return self.latency + extra

    def _hit(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    def _server_error(self, status: int | None = None) -> Reply:
        status = status if status is not None else self._rng.choice(self.error_statuses)
        if status in (502, 503) and self._hit(self.html_error_rate):
            reason = _REASONS.get(status, "Error")
            return Reply.text(status, _PROXY_PAGE.format(status=status, reason=reason), "text/html")
        return Reply.empty(status)

    def draw(self, method: str, path: str, *, token: bool) -> Injection | None:
        """Roll the random knobs for one request (in a fixed order: the seed fixes each roll)."""
        if token:
            return self._draw_token()
        if not self._targets(method, path):
            return None
        if self._hit(self.error_rate):
            return Injection("reply", self._server_error(), "error")
        if self._hit(self.rate_limit_rate):
            wait = self.spurious_retry_after
            header = str(wait if self.retry_after is None else self.retry_after)
            reply = Reply.json(429, {"detail": throttle_detail(wait)}, {"Retry-After": header})
            return Injection("reply", reply, "rate_limit")
        return self._draw_connection()

    def _draw_token(self) -> Injection | None:
        if self._hit(self.token_error_rate):
            return Injection("reply", self._server_error(), "error")
        if self._hit(self.token_drop_rate):
            return Injection("drop", source="drop")
        return None

    def _targets(self, method: str, path: str) -> bool:
        """Whether the random faults apply to this request (``paths`` / ``methods`` knobs)."""
        if self.paths and not any(path.startswith(p) for p in self.paths):
            return False
        return not self.methods or method in {m.upper() for m in self.methods}

    def _draw_connection(self) -> Injection | None:
        """The faults of the connection rather than the answer: drop, stall, truncate."""
        if self._hit(self.drop_rate):
            kind: Literal["drop", "drop_after_apply"] = (
                "drop" if self.drop_mode == "before" else "drop_after_apply"
            )
            return Injection(kind, source="drop")
        if self._hit(self.stall_rate):
            return Injection("stall", source="stall")
        if self._hit(self.truncate_rate):
            return Injection("truncate", source="truncate")
        return None
