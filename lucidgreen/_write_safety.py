"""The write-safety rules, in one place: which methods only read, and when a write's outcome
is in doubt.

On this API PUT and DELETE change state like POST does (inventory collections, assets,
``operations.request``), so the rules follow the API rather than HTTP's idempotency table:
only :data:`READS` are free of doubt. Every layer that must tell a read from a write (the
exchange, the pipeline, the aiohttp transport, the errors it builds) asks this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs

from ._retyping import copied, rebuilt
from ._unclear import as_unclear
from .errors import APIError, LucidGreenError, TransportError, WriteOutcomeUnknown
from .retry import Replay

if TYPE_CHECKING:
    from ._transport import Request

__all__ = [
    "READS",
    "answer_leaves_doubt",
    "changes_state",
    "final_error",
    "loss_leaves_doubt",
    "may_have_applied",
    "raised_before_sending",
    "status_leaves_doubt",
    "unsafe_on_a_fresh_connection",
]

READS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing on the server: their outcome is never in doubt."""

_REPEAT_ELSEWHERE: Final = frozenset({307, 308})
"""Redirects that ask for the same request at another address: the server did not act."""


def changes_state(request: Request) -> bool:
    """Whether ``request`` may change state on the server: every API write. The one
    unauthenticated POST, the token request, creates nothing a resend would duplicate."""
    return request.authenticated and request.method not in READS


def loss_leaves_doubt(request: Request, request_sent: bool) -> bool:
    """A request whose answer was lost (``request_sent``: some of it may have left): a write
    the server may have applied."""
    return request_sent and changes_state(request)


def answer_leaves_doubt(method: str, status: int) -> bool:
    """A write answered with ``status``: a 5xx may come after the server acted, and a 2xx
    or 3xx whose body was not read may have applied it; a 4xx says it was refused."""
    return method not in READS and not 400 <= status < 500


def status_leaves_doubt(request: Request, status: int) -> bool:
    """A write answered with an error ``status`` the server may have sent after acting: a
    5xx, or a redirect other than "send it again there" (a 303 is the answer to a processed
    POST)."""
    acted = status >= 500 or (300 <= status < 400 and status not in _REPEAT_ELSEWHERE)
    return acted and changes_state(request)


def may_have_applied(request: Request, error: LucidGreenError) -> bool:
    """Whether the server may have acted on ``request``, which ended with ``error``."""
    return error.outcome_unknown and changes_state(request)


def unsafe_on_a_fresh_connection(request: Request, replay: Replay) -> Request:
    """A write that will not be resent travels on a connection of its own: a pooled one the
    server closed while idle could make a request that never arrived look half-sent."""
    if replay is Replay.UNSAFE and request.method not in READS:
        return attrs.evolve(request, fresh_connection=True)
    return request


def final_error(error: LucidGreenError, request: Request) -> LucidGreenError:
    """The error an attempt ended with, once retrying stops: a write whose outcome is unclear
    (its answer lost, a 5xx, a refusal of a resend after an attempt that may have applied)
    is a :class:`WriteOutcomeUnknown` as well as its own type."""
    if not changes_state(request):
        return error
    if isinstance(error, TransportError) and error.request_sent:
        if isinstance(error, WriteOutcomeUnknown):
            return error
        lost = (
            f"{error} — the answer to this {request.method} was lost, so the server may "
            "have applied it; check before sending it again"
        )
        if type(error) is TransportError:
            return WriteOutcomeUnknown(lost)
        return as_unclear(rebuilt(type(error), (lost,), {**vars(error), "outcome_unknown": True}))
    return as_unclear(error)


def raised_before_sending(
    error: LucidGreenError, request: Request, *, sent: bool, in_doubt: bool
) -> LucidGreenError:
    """An error met before an attempt could leave (the token, the budget, the deadline), in
    the call's own terms: ``request_sent`` says whether any attempt of the call left, and a
    write an earlier attempt may have applied stays in doubt (``in_doubt``)."""
    if isinstance(error, TransportError) and error.request_sent != sent:
        error = copied(error, request_sent=sent)
    if not (in_doubt and changes_state(request)) or isinstance(error, WriteOutcomeUnknown):
        return error
    doubt: dict[str, bool] = {"outcome_unknown": True}
    if isinstance(error, APIError):
        doubt["prior_outcome_unknown"] = True
    return as_unclear(copied(error, **doubt))
