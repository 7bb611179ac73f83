"""The stderr progress bar: in-place redraws on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

import io

from lucidgreen.cli._progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_output_prints_a_line_per_interval_and_a_final_one():
    """Off a terminal: nothing within the first interval, then one line per interval, then 100 %."""
    clock, stream = Clock(), io.StringIO()
    progress = Progress("export", total=40, stream=stream, clock=clock)
    progress.advance(5)
    assert stream.getvalue() == ""  # short runs stay quiet
    clock.now += 2.0
    progress.advance(5)
    clock.now += 1.0
    progress.advance(10)  # within the interval: not drawn
    clock.now += 1.0
    progress.advance(10)
    clock.now += 0.5
    progress.advance(10)  # within the interval: only the closing line shows it
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "export 10/40 (25%) 0:02 5.0/s",
        "export 30/40 (75%) 0:04 7.5/s",
        "export 40/40 (100%) 0:04 8.9/s",
    ]
    assert "\r" not in stream.getvalue()


def test_terminal_output_redraws_in_place_and_ends_the_line():
    """On a terminal each redraw starts with a carriage return; closing ends the line once."""
    clock, stream = Clock(), Terminal()
    progress = Progress("sync", stream=stream, clock=clock)
    progress.add_total(10)  # drawn at once: a terminal shows the bar from the start
    clock.now += 0.5
    progress.set_status("| 3 requests")  # drawn: 0.5 s since the last draw
    progress.advance(10)  # within 0.1 s of the last draw: not drawn yet
    progress.close()  # drawn
    progress.close()
    out = stream.getvalue()
    assert out.count("\r") == 3
    assert out.endswith("\n")
    assert out.count("\n") == 1
    assert "[" + "#" * 24 + "]" in out
    assert "10/10 (100%)" in out
    assert "| 3 requests" in out


def test_a_shorter_redraw_blanks_the_rest_of_the_previous_line():
    """When the line gets shorter, padding overwrites the longer line's tail."""
    clock, stream = Clock(), Terminal()
    progress = Progress("sync", stream=stream, clock=clock, total=5)
    progress.set_status("| a long status message")
    first = stream.getvalue()
    clock.now += 1.0
    progress.set_status("")
    second = stream.getvalue()[len(first) :]
    assert len(second) == len(first)
    assert second.rstrip().endswith("/s")


def test_plain_closing_line_is_not_repeated():
    """Closing right after a periodic line with nothing new prints no duplicate line."""
    clock, stream = Clock(), io.StringIO()
    progress = Progress("export", total=4, stream=stream, clock=clock)
    clock.now += 2.0
    progress.advance(4)
    progress.close()
    assert stream.getvalue().splitlines() == ["export 4/4 (100%) 0:02 2.0/s"]


def test_unknown_total_shows_a_count():
    """Without a total the line shows the count done, and no percentage."""
    clock, stream = Clock(), io.StringIO()
    with Progress("export package-uids", stream=stream, clock=clock) as progress:
        clock.now += 4.0
        progress.advance(8)
    assert stream.getvalue().splitlines()[-1] == "export package-uids 8 0:04 2.0/s"


def test_resumed_progress_rates_only_this_runs_items():
    """A resumed export starts at the lines already written; the rate counts only new ones."""
    clock, stream = Clock(), io.StringIO()
    progress = Progress("export", total=100, done=60, stream=stream, clock=clock)
    clock.now += 4.0
    progress.advance(20)
    progress.close()
    assert stream.getvalue().splitlines()[-1] == "export 80/100 (80%) 0:04 5.0/s"


def test_disabled_progress_writes_nothing():
    """``enabled=False`` (``--no-progress``) keeps stderr silent."""
    clock, stream = Clock(), Terminal()
    progress = Progress("sync", total=3, stream=stream, clock=clock, enabled=False)
    clock.now += 5
    progress.advance(3)
    progress.close()
    assert stream.getvalue() == ""
