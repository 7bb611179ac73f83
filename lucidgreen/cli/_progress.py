"""A small progress bar for the command line, drawn on stderr (standard library only).

On a terminal it redraws one line in place (``\\r``), at most ten times a second. Anywhere
else (a pipe, a CI log, a file) it prints a plain line every few seconds and a last one when
it closes, so logs stay readable.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TextIO

__all__ = ["Progress"]

_BAR_WIDTH = 24


def _format_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


class Progress:
    """Items done out of a total that may be unknown at first (``total=None``) or grow.

    ``status`` is free text shown after the figures (requests, retries, ...). ``enabled``
    False makes every method a no-op. ``tty`` overrides the stream's ``isatty()``;
    ``interval`` is the minimum time between redraws (0.1 s on a terminal, 2 s otherwise).
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        done: int = 0,
        stream: TextIO | None = None,
        enabled: bool = True,
        tty: bool | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.done = done
        self.status = ""
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = enabled
        if tty is None:
            isatty = getattr(self._stream, "isatty", None)
            tty = bool(isatty and isatty())
        self._tty = tty
        self._interval = interval if interval is not None else (0.1 if tty else 2.0)
        self._clock = clock
        self._started = clock()
        self._drawn_at: float | None = None
        self._drawn_width = 0
        self._last_line = ""
        self._closed = False
        self._start_done = done

    # -- updates ------------------------------------------------------------------------------

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._maybe_draw()

    def add_total(self, count: int) -> None:
        """Grow the total (a new list's ``count`` became known)."""
        self.total = (self.total or 0) + count
        self._maybe_draw()

    def set_status(self, text: str) -> None:
        self.status = text
        self._maybe_draw()

    @property
    def enabled(self) -> bool:
        return self._enabled

    def start(self) -> None:
        """On a terminal, draw the line now (before the first item): the command is alive."""
        if self._enabled and self._tty and not self._closed and self._drawn_at is None:
            self._draw(final=False)

    def notice(self, text: str) -> None:
        """Show ``text`` as the status at once, whatever the interval (a wait is starting)."""
        self.status = text
        if self._enabled and not self._closed:
            self._draw(final=False)

    def close(self) -> None:
        """Draw the final state and end the line. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._enabled:
            self._draw(final=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- drawing ------------------------------------------------------------------------------

    def render(self) -> str:
        """The line as it would be drawn now."""
        elapsed = self._clock() - self._started
        parts = [self.label]
        if self.total:
            share = min(1.0, self.done / self.total)
            if self._tty:
                filled = round(share * _BAR_WIDTH)
                parts.append("[" + "#" * filled + "-" * (_BAR_WIDTH - filled) + "]")
            parts.append(f"{self.done}/{self.total} ({share:.0%})")
        else:
            parts.append(f"{self.done}")
        rate = (self.done - self._start_done) / elapsed if elapsed > 0 else 0.0
        parts.append(f"{_format_seconds(elapsed)} {rate:.1f}/s")
        if self.status:
            parts.append(self.status)
        return " ".join(parts)

    def _maybe_draw(self) -> None:
        if not self._enabled or self._closed:
            return
        now = self._clock()
        if self._drawn_at is None:
            # Plain output waits one interval before its first line: short runs stay quiet.
            if not self._tty and now - self._started < self._interval:
                return
        elif now - self._drawn_at < self._interval:
            return
        self._draw(final=False)

    def _draw(self, *, final: bool) -> None:
        self._drawn_at = self._clock()
        line = self.render()
        if self._tty:
            columns = shutil.get_terminal_size((100, 24)).columns
            line = line[: max(10, columns - 1)]
            padding = " " * max(0, self._drawn_width - len(line))
            self._drawn_width = len(line)
            self._stream.write("\r" + line + padding + ("\n" if final else ""))
        elif line != self._last_line:  # a closing line identical to the last one is noise
            self._stream.write(line + "\n")
        self._last_line = line
        self._stream.flush()
