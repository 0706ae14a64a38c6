"""When a request must be in and when it lapses: terms art. 5(1) and 5(4)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from booking.calendar import JST, next_open_day, previous_open_day
from booking.slots import end_of_office_day, is_slot_start, to_jst

# Default hour on the previous open day after which requests stop, so that staff still have
# the rest of that afternoon to phone the user and confirm (art. 5(1) 前日までに予約を確定).
DEFAULT_CUTOFF = time(15)

# Art. 5(4): ten minutes after the start without contact, the booking is deemed cancelled.
NO_SHOW_GRACE = timedelta(minutes=10)


def request_deadline(
    day: date, closures: Collection[date] = (), cutoff: time = DEFAULT_CUTOFF
) -> datetime:
    """Last moment (JST) a request for `day` is taken: the previous open day at `cutoff`."""
    # The cut-off is office time; a zone attached to it by a caller must not shift it.
    return datetime.combine(
        previous_open_day(day, closures), cutoff.replace(tzinfo=None), tzinfo=JST
    )


def request_expiry(day: date, closures: Collection[date] = ()) -> datetime:
    """When a still-unconfirmed request for `day` lapses: closing time of the previous open day."""
    return end_of_office_day(previous_open_day(day, closures))


def no_show_at(starts_at: datetime) -> datetime:
    """When a booked session with no contact counts as cancelled (art. 5(4))."""
    return starts_at + NO_SHOW_GRACE


def is_bookable(
    starts_at: datetime,
    now: datetime,
    closures: Collection[date] = (),
    cutoff: time = DEFAULT_CUTOFF,
) -> bool:
    """Whether a reserved booking may still be requested for the session at `starts_at`."""
    start = to_jst(starts_at)
    day = start.date()
    # No same-day reserved booking: same-day use goes through immediate use (art. 5-2).
    return (
        is_slot_start(start, closures)
        and day > to_jst(now).date()
        and now < request_deadline(day, closures, cutoff)
    )


def bookable_days(
    now: datetime,
    count: int,
    closures: Collection[date] = (),
    cutoff: time = DEFAULT_CUTOFF,
) -> list[date]:
    """The next `count` open days whose request deadline is still ahead of `now`."""
    days: list[date] = []
    day = to_jst(now).date()
    while len(days) < count:
        day = next_open_day(day, closures)
        if now < request_deadline(day, closures, cutoff):
            days.append(day)
    return days
