"""`AvailabilityPort` in memory: open days and free slots from the `booking` rules, and holds.

Holds never expire here (Redis lets them lapse after `slot_hold_ms`); a test that needs a lapsed
hold releases it.
"""

from __future__ import annotations

from datetime import date, datetime

from booking import SLOT_LENGTH, bookable_days
from dialogs.ports import Calendar, DayInfo
from tests.fakes.office import MemoryOffice

SEARCH_DAYS = 10  # open days searched for the nearest free slot (storage/bookings.py)


def run_of(starts_at: datetime, slots: int) -> list[datetime]:
    """The consecutive session starts of one request."""
    return [starts_at + SLOT_LENGTH * k for k in range(max(slots, 1))]


class MemoryAvailability:
    """The slots of a `MemoryOffice`, as `storage.availability.AvailabilityService` offers them."""

    def __init__(self, office: MemoryOffice) -> None:
        self.office = office

    async def calendar(self, at: datetime) -> Calendar:
        return self.office.calendar()

    async def open_days(self, at: datetime, count: int, need: int = 1) -> list[DayInfo]:
        cal = self.office.calendar()
        days = bookable_days(at, count, cal.closures, cal.cutoff)
        return [DayInfo(day=d, free=len(self.office.bookable_starts(d, at, need))) for d in days]

    async def free_slots(self, line_user_id: str, day: date, at: datetime,
                         need: int = 1) -> list[datetime]:
        starts = self.office.bookable_starts(day, at, need)
        return self.unheld(line_user_id, starts, need)

    async def nearest_free(self, line_user_id: str, wanted: datetime, at: datetime,
                           need: int = 1, count: int = 4) -> list[datetime]:
        return sorted(self.nearest(line_user_id, wanted, at, need)[:count])  # the nearest, by time

    def nearest(self, line_user_id: str, wanted: datetime, at: datetime,
                need: int = 1) -> list[datetime]:
        """Every free start of the next bookable days, not held by others, nearest first."""
        cal = self.office.calendar()
        days = bookable_days(at, SEARCH_DAYS, cal.closures, cal.cutoff)
        found = [s for d in days for s in self.office.bookable_starts(d, at, need)]
        ranked = sorted(found, key=lambda s: (abs(s - wanted), s))
        return self.unheld(line_user_id, ranked, need)

    def unheld(self, owner: str, starts: list[datetime], need: int) -> list[datetime]:
        """Drop starts whose every free booth is held by someone else."""
        return [s for s in starts if all(self.booths_for(owner, t) for t in run_of(s, need))]

    def booths_for(self, owner: str, starts_at: datetime) -> list[int]:
        """Free booths at `starts_at` that `owner` may hold: theirs first, then unheld ones."""
        free = self.office.free_booths(starts_at)
        holds = self.office.holds
        mine = [b for b in free if holds.get((starts_at, b)) == owner]
        return mine + [b for b in free if (starts_at, b) not in holds]

    def claim(self, owner: str, starts: list[datetime]) -> list[int] | None:
        """Hold a booth per start for `owner`, or hold nothing and return None."""
        picked = [self.booths_for(owner, s) for s in starts]
        if not all(picked):
            return None
        for start, booths in zip(starts, picked, strict=True):
            self.office.holds[(start, booths[0])] = owner
        return [booths[0] for booths in picked]

    async def hold(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> bool:
        return self.claim(line_user_id, run_of(starts_at, slots)) is not None

    async def release(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> None:
        for start in run_of(starts_at, slots):
            for booth in range(1, self.office.booths + 1):
                if self.office.holds.get((start, booth)) == line_user_id:
                    del self.office.holds[(start, booth)]
