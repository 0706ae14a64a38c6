"""Which session starts are free: the calendar staff set, the booths booked, pure arithmetic.

Storage reads the closures and the booked booths once (storage/bookings.py `window`); these
rules answer every question the flows ask about them, without I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from booking.calendar import JST
from booking.deadlines import is_bookable
from booking.slots import SLOT_LENGTH, slot_starts

Occupancy = dict[datetime, set[int]]  # booths in use per session start


@dataclass(frozen=True)
class Calendar:
    """The office's booking rules that staff can change: closures, cut-off hour, booths."""

    closures: frozenset[date]
    cutoff: time
    booths: int


@dataclass(frozen=True)
class DayInfo:
    """One open day and how many session starts are still free on it (for the day carousel)."""

    day: date
    free: int


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight JST."""
    start = datetime.combine(day, time(0), tzinfo=JST)
    return start, start + timedelta(days=1)


def slot_run(starts_at: datetime, slots: int) -> list[datetime]:
    """The consecutive session starts of one request."""
    return [starts_at + SLOT_LENGTH * k for k in range(max(slots, 1))]


def free_booths(cal: Calendar, used: Occupancy, starts_at: datetime) -> list[int]:
    """Booths nobody has booked at `starts_at`."""
    taken = used.get(starts_at, set())
    return [booth for booth in range(1, cal.booths + 1) if booth not in taken]


def free_starts(day: date, cal: Calendar, used: Occupancy, need: int = 1) -> list[datetime]:
    """Starts on `day` with `need` consecutive sessions each having a free booth."""
    free = {s for s in slot_starts(day, cal.closures) if free_booths(cal, used, s)}
    return sorted(s for s in free if all(t in free for t in slot_run(s, need)))


def bookable_starts(day: date, cal: Calendar, used: Occupancy, now: datetime,
                    need: int = 1) -> list[datetime]:
    """Free starts that may still be requested (tomorrow or later, before the cut-off)."""
    return [s for s in free_starts(day, cal, used, need)
            if is_bookable(s, now, cal.closures, cal.cutoff)]


@dataclass(frozen=True)
class Window:
    """The calendar and the booked booths over some days, read once and asked many questions."""

    cal: Calendar
    used: Occupancy
    days: list[date]
    now: datetime

    def starts(self, day: date, need: int = 1) -> list[datetime]:
        """Bookable free starts on `day`."""
        return bookable_starts(day, self.cal, self.used, self.now, need)

    def day_infos(self, need: int = 1) -> list[DayInfo]:
        """Each day of the window and how many starts are free on it."""
        return [DayInfo(day=d, free=len(self.starts(d, need))) for d in self.days]

    def nearest(self, wanted: datetime, need: int = 1) -> list[datetime]:
        """Every bookable free start in the window, nearest to `wanted` first."""
        found = [s for d in self.days for s in self.starts(d, need)]
        return sorted(found, key=lambda s: (abs(s - wanted), s))


