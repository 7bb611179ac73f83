"""An HTTP date with any zone offset, up to the calendar's last second, is read as the
instant it names, and never raises (a hostile ``Retry-After`` or ``Date`` cannot crash a call).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lucidgreen._envelopes import http_date

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _imf(when: datetime, offset_minutes: int) -> str:
    """``when`` (naive, local to the zone) as an RFC 5322 date with a ``+HHMM`` zone."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year} "
        f"{when:%H:%M:%S} {sign}{hours:02d}{minutes:02d}"
    )


@given(
    when=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    offset_minutes=st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
)
def test_any_date_and_zone_is_the_instant_it_names(when: datetime, offset_minutes: int) -> None:
    when = when.replace(microsecond=0)
    expected = (when - timedelta(minutes=offset_minutes)).replace(tzinfo=UTC)
    assert http_date(_imf(when, offset_minutes)) == expected.timestamp()


def test_the_last_second_of_the_calendar_west_of_greenwich_is_past_year_9999_in_utc() -> None:
    """Its instant has no UTC ``datetime`` (year 10000), yet it is a finite Unix time."""
    last = http_date("Fri, 31 Dec 9999 23:59:59 -2359")
    assert last == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp() + 23 * 3600 + 59 * 60


def test_a_date_without_a_zone_is_gmt() -> None:
    assert (
        http_date("Sun Nov  6 08:49:37 1994")
        == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC).timestamp()
    )
