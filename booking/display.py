"""Dates and slots written the way the terms and the office write them: 12月3日(木) 10:00〜10:30."""

from __future__ import annotations

from datetime import date, datetime, time

from booking.messages import WEEKDAYS_JA
from booking.slots import slot_end, to_jst


def format_date_ja(day: date, *, with_year: bool = False) -> str:
    """A date with its weekday ("12月3日(木)"), as art. 5(2)③ asks users to give it."""
    text = f"{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"
    return f"{day.year}年{text}" if with_year else text


def format_time(clock: time) -> str:
    """A clock time as "9:00" / "14:30"."""
    return f"{clock.hour}:{clock.minute:02d}"


def format_slot(starts_at: datetime, *, with_year: bool = False) -> str:
    """A session in JST, for confirming the resolved slot back ("12月3日(木) 10:00〜10:30")."""
    start = to_jst(starts_at)
    end = to_jst(slot_end(starts_at))
    day = format_date_ja(start.date(), with_year=with_year)
    return f"{day} {format_time(start.time())}〜{format_time(end.time())}"
