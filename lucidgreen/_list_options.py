"""The keyword options of every list method, declared once (``products.list(limit=10)``).

A list method takes them as ``**options: Unpack[ListOptions]``: type checkers see each
keyword and its type, the options are documented here once, and the method forwards them
untouched to :meth:`Api.pager <lucidgreen._api.Api.pager>`, which gives them their
defaults. Python does not check a keyword against a ``TypedDict`` at run time, so
:func:`checked` refuses an unknown one as an explicit signature would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from ._pager import OnBadRecord

__all__ = ["ListOptions", "OnePageListOptions", "checked"]


class OnePageListOptions(TypedDict, total=False):
    """The options of a list the API answers with one bare array (``source.brands.list``).

    Every key is optional and keyword-only: ``source.brands.list(limit=5)``.
    """

    limit: int | None
    """Stop after this many records, fetching no further page (default: all of them)."""

    extra_query: Mapping[str, object] | None
    """More query parameters, sent on every page (checked before anything is sent)."""

    on_bad_record: OnBadRecord
    """A record that does not decode is reported in ``page.skipped`` and never costs the
    good ones; ``"raise"`` (default) then ends the walk with :class:`~lucidgreen.BadRecords`
    after its page's good items, ``"skip"`` logs a warning and goes on."""


class ListOptions(OnePageListOptions, total=False):
    """The options of a paginated list (``source.products.list(limit=10, prefetch=4)``).

    Every key is optional and keyword-only: ``limit``, ``extra_query`` and ``on_bad_record``
    as in :class:`OnePageListOptions`, and the two below for walking pages. See
    :class:`~lucidgreen.AsyncPager` for how the walk uses them.
    """

    prefetch: int
    """Fetch up to this many pages at once, through the shared rate limiter (default 0: one
    page at a time); pages are still yielded in order."""

    resume_from: str | None
    """A page's ``cursor``: continue with what comes after it, in this process or another."""


def checked(options: Mapping[str, object], accepted: type[OnePageListOptions], method: str) -> None:
    """Refuse a keyword ``accepted`` does not declare, with the ``TypeError`` Python gives."""
    declared = accepted.__annotations__  # every key, its bases' too (a TypedDict merges them)
    unknown = sorted(key for key in options if key not in declared)
    if unknown:
        takes = ", ".join(sorted(declared))
        raise TypeError(
            f"{method}() got an unexpected keyword argument {unknown[0]!r} (it takes {takes})"
        )
