"""Office hours and 30-minute sessions: terms art. 5(1) (9:00–17:00, at most 30 minutes)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from booking.calendar import JST, is_open_day

SLOT_MINUTES = 30
SLOT_LENGTH = timedelta(minutes=SLOT_MINUTES)
OFFICE_OPEN = time(9)
OFFICE_CLOSE = time(17)

_OPEN_MINUTE = OFFICE_OPEN.hour * 60 + OFFICE_OPEN.minute
_CLOSE_MINUTE = OFFICE_CLOSE.hour * 60 + OFFICE_CLOSE.minute
# 9:00, 9:30 … 16:30: the last session must end by closing time.
SLOT_TIMES: tuple[time, ...] = tuple(
    time(minute // 60, minute % 60)
    for minute in range(_OPEN_MINUTE, _CLOSE_MINUTE - SLOT_MINUTES + 1, SLOT_MINUTES)
)


def to_jst(moment: datetime) -> datetime:
    """The same instant on the JST clock; naive datetimes are refused, their zone is unknowable."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(JST)


def slot_starts(day: date, closures: Collection[date] = ()) -> list[datetime]:
    """JST-aware start of every session on `day`; empty when the office is closed that day."""
    if not is_open_day(day, closures):
        return []
    return [datetime.combine(day, start, tzinfo=JST) for start in SLOT_TIMES]


def slot_end(starts_at: datetime) -> datetime:
    """When a session that starts at `starts_at` must be over."""
    return starts_at + SLOT_LENGTH


def is_slot_start(moment: datetime, closures: Collection[date] = ()) -> bool:
    """Whether `moment` is exactly the start of a session on an open day."""
    local = to_jst(moment)
    return is_open_day(local.date(), closures) and local.time() in SLOT_TIMES


def start_of_office_day(day: date) -> datetime:
    """Opening time (9:00 JST) on `day`."""
    return datetime.combine(day, OFFICE_OPEN, tzinfo=JST)


def end_of_office_day(day: date) -> datetime:
    """Closing time (17:00 JST) on `day`: unconfirmed requests due that day expire then."""
    return datetime.combine(day, OFFICE_CLOSE, tzinfo=JST)


def is_within_office_hours(moment: datetime, closures: Collection[date] = ()) -> bool:
    """Whether the office is open at `moment` (an open day, 9:00 <= t < 17:00 JST)."""
    local = to_jst(moment)
    clock = local.time()
    return is_open_day(local.date(), closures) and OFFICE_OPEN <= clock < OFFICE_CLOSE


def current_slot_start(moment: datetime, closures: Collection[date] = ()) -> datetime | None:
    """Start of the session containing `moment`, for immediate use (art. 5-2); None when closed."""
    if not is_within_office_hours(moment, closures):
        return None
    local = to_jst(moment)
    minute = local.hour * 60 + local.minute
    # Floor to the slot grid, which is anchored at opening time.
    start = _OPEN_MINUTE + (minute - _OPEN_MINUTE) // SLOT_MINUTES * SLOT_MINUTES
    return datetime.combine(local.date(), time(start // 60, start % 60), tzinfo=JST)
