"""`AvailabilityPort` in memory: open days and free slots from the `booking` rules, and holds.

Holds never expire here (Redis lets them lapse after `slot_hold_ms`); a test that needs a lapsed
hold releases it.
"""

from __future__ import annotations

from datetime import date, datetime

from booking import SLOT_LENGTH, bookable_days
from booking.availability import bookable_starts
from booking.sites import Site
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

    async def open_days(self, at: datetime, count: int, need: int = 1,
                        site_id: str | None = None) -> list[DayInfo]:
        cal = self.office.calendar()
        days = bookable_days(at, count, cal.closures, cal.cutoff)
        return [DayInfo(day=d, free=len(self.office.bookable_starts(d, at, need, site_id)),
                        open=bool(bookable_starts(d, cal, {}, at, need, site_id)))
                for d in days]

    async def free_slots(self, line_user_id: str, day: date, at: datetime,
                         need: int = 1, site_id: str | None = None) -> list[datetime]:
        starts = self.office.bookable_starts(day, at, need, site_id)
        return self.unheld(line_user_id, starts, need, site_id)

    async def nearest_free(self, line_user_id: str, wanted: datetime, at: datetime,
                           need: int = 1, count: int = 4,
                           site_id: str | None = None) -> list[datetime]:
        # the nearest, by time
        return sorted(self.nearest(line_user_id, wanted, at, need, site_id)[:count])

    def nearest(self, line_user_id: str, wanted: datetime, at: datetime,
                need: int = 1, site_id: str | None = None) -> list[datetime]:
        """Every free start of the next bookable days, not held by others, nearest first."""
        cal = self.office.calendar()
        days = bookable_days(at, SEARCH_DAYS, cal.closures, cal.cutoff)
        found = [s for d in days for s in self.office.bookable_starts(d, at, need, site_id)]
        ranked = sorted(found, key=lambda s: (abs(s - wanted), s))
        return self.unheld(line_user_id, ranked, need, site_id)

    def unheld(self, owner: str, starts: list[datetime], need: int,
               site_id: str | None = None) -> list[datetime]:
        """Drop starts whose every free booth is held by someone else."""
        return [s for s in starts
                if all(self.booths_for(owner, t, site_id) for t in run_of(s, need))]

    def booths_for(self, owner: str, starts_at: datetime,
                   site_id: str | None = None) -> list[int]:
        """Free booths at `starts_at` that `owner` may hold: theirs first, then unheld ones."""
        free = self.office.free_booths(starts_at, site_id)
        holds = self.office.holds
        mine = [b for b in free if holds.get((starts_at, b)) == owner]
        return mine + [b for b in free if (starts_at, b) not in holds]

    def claim(self, owner: str, starts: list[datetime],
              site_id: str | None = None) -> tuple[list[int], Site] | None:
        """Hold a booth per start for `owner`, all at one site (`site_id`, or the first active
        site with them all), or hold nothing and return None."""
        cal = self.office.calendar()
        sites = [cal.site(site_id)] if site_id is not None else cal.active_sites()
        for site in sites:
            if site is None:
                continue
            picked = [self.booths_for(owner, s, site.id) for s in starts]
            if all(picked):
                for start, booths in zip(starts, picked, strict=True):
                    self.office.holds[(start, booths[0])] = owner
                return [booths[0] for booths in picked], site
        return None

    async def hold(self, line_user_id: str, starts_at: datetime, slots: int = 1,
                   site_id: str | None = None) -> bool:
        return self.claim(line_user_id, run_of(starts_at, slots), site_id) is not None

    async def release(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> None:
        booths = {b for site in self.office.calendar().places() for b in site.booths}
        for start in run_of(starts_at, slots):
            for booth in booths:
                if self.office.holds.get((start, booth)) == line_user_id:
                    del self.office.holds[(start, booth)]
