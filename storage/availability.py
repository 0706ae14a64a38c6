"""Open days, free slots and the short Redis holds that keep a slot while a user confirms.

Implements `dialogs.ports.AvailabilityPort`. The holds only spare users a lost race; the
partial unique index on (office, booth, starts_at) is what makes double booking impossible.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import bookable_days, to_jst
from booking.availability import Calendar, DayInfo, Window, free_booths, slot_run
from booking.sites import Site
from logs import hash_line_user
from storage import bookings as bk
from storage.db import read
from storage.models import Office
from storage.office_cache import OfficeCache
from storage.sites import HORIZON


def hold_key(starts_at: datetime) -> str:
    """How a session start names its hold in Redis (JST wall clock, minute precision)."""
    return to_jst(starts_at).strftime("%Y%m%dT%H%M")


def all_booths(cal: Calendar) -> list[int]:
    """Every booth number of the office, at every site."""
    return sorted({booth for site in cal.places() for booth in site.booths})


class AvailabilityService:
    """`holds` (Redis SlotHolds) keep a slot for a user while they confirm; without them (a
    storage-only test) the unique index alone decides, as it always does in the end."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], office_id: uuid.UUID, *,
                 holds: Any = None, hold_ms: int = 5 * 60 * 1000,
                 reads: async_sessionmaker[AsyncSession] | None = None,
                 cache: OfficeCache | None = None) -> None:
        self.sessions = sessions
        self.reads = reads or sessions  # storage.db.make_read_sessionmaker: no BEGIN/ROLLBACK
        self.office_id = office_id
        self.holds = holds
        self.hold_ms = hold_ms
        self.cache = cache or OfficeCache(self.reads, office_id, version=None)
        self._calendars: dict[datetime, Calendar] | None = None  # see for_step

    def for_step(self) -> AvailabilityService:
        """This service for one dialog step: its calendar is read once, however many of the
        step's questions need it (several reads of six queries each were half of a booking
        step's CPU: bench/RESULTS.md). A step is one moment, so one reading is its truth;
        the next step reads again and sees what staff changed meanwhile."""
        step = copy.copy(self)
        step._calendars = {}
        return step

    def _covering(self, at: datetime) -> Calendar | None:
        """A calendar this step has read whose reach covers `at`'s day, else None. It says of
        that day what a reading at `at` would: the same sites, and the closures and limits
        of every day from its own (earlier) one on."""
        day = to_jst(at).date()
        for when, cal in (self._calendars or {}).items():
            first = to_jst(when).date()
            if first <= day <= first + HORIZON:
                return cal
        return None

    async def _office(self) -> Office:
        return await self.cache.office()

    async def window(self, at: datetime, days: list[date] | None = None,
                     cal: Calendar | None = None) -> Window:
        """Free booths of `days` (default: the next bookable ones): one query, the bookings;
        the calendar comes from the office cache (or is given)."""
        office = await self._office()
        cal = cal or await self.calendar(at)
        return await read(self.reads, lambda session: bk.window(
            session=session, office=office, now=at, days=days, cal=cal))

    async def calendar(self, at: datetime) -> Calendar:
        """Closures, sites and their hours, capacity limits: from the office cache (read again
        when staff changed any of them), kept once per `at` in a step's service (`for_step`)."""
        if self._calendars is not None and at in self._calendars:
            return self._calendars[at]
        cal = (await self.cache.current()).calendar(at)
        if self._calendars is not None:
            self._calendars[at] = cal
        return cal

    async def open_days(self, at: datetime, count: int, need: int = 1,
                        site_id: str | None = None) -> list[DayInfo]:
        cal = await self.calendar(at)
        days = bookable_days(at, count, cal.closures, cal.cutoff)
        return (await self.window(at, days, cal=cal)).day_infos(need, site_id)

    async def free_slots(self, line_user_id: str, day: date, at: datetime,
                         need: int = 1, site_id: str | None = None) -> list[datetime]:
        free = await self.window(at, [day])
        return await self.unheld(line_user_id, free, free.starts(day, need, site_id), need,
                                 site_id)

    async def nearest_free(self, line_user_id: str, wanted: datetime, at: datetime,
                           need: int = 1, count: int = 4,
                           site_id: str | None = None) -> list[datetime]:
        free = await self.window(at)
        candidates = free.nearest(wanted, need, site_id)[: count * 3]
        found = await self.unheld(line_user_id, free, candidates, need, site_id)
        return sorted(found[:count])

    async def unheld(self, line_user_id: str, free: Window, starts: list[datetime],
                     need: int, site_id: str | None = None) -> list[datetime]:
        """Drop starts whose every free booth is held by someone else who is confirming.

        Holds are read first and the bookings again after: a winner lets go of its hold only
        once its row is committed, so a slot cannot slip through between the two reads.
        """
        if self.holds is None or not starts:
            return starts
        owner = hash_line_user(line_user_id)
        runs = sorted({t for s in starts for t in slot_run(s, need)})
        keys = [(t, b) for t in runs for b in all_booths(free.cal)]
        # One MGET: a round trip per key was most of the day step's time (bench/RESULTS.md).
        holders = await self.holds.holders(str(self.office_id),
                                           [(b, hold_key(t)) for t, b in keys])
        fresh = await self.window(free.now, free.days, cal=free.cal)
        open_ = {t for (t, b), holder in zip(keys, holders, strict=True)
                 if holder in (None, owner)
                 and b in free_booths(fresh.cal, fresh.used, t, site_id)}
        return [s for s in starts if all(t in open_ for t in slot_run(s, need))]

    async def hold(self, line_user_id: str, starts_at: datetime, slots: int = 1,
                   site_id: str | None = None) -> bool:
        """Keep the slot(s) for this user while they confirm; False when someone was faster."""
        free = await self.window(starts_at, [to_jst(starts_at).date()],
                                 cal=self._covering(starts_at))
        owner, starts, claimed = hash_line_user(line_user_id), slot_run(starts_at, slots), []
        if await self.claim(owner, starts, free, claimed, site_id):
            return True
        # A later slot of the run was taken: let go of the earlier ones at once, or they stay
        # hidden from everyone until the hold expires.
        if self.holds is not None:
            for start, booth in zip(starts, claimed, strict=False):
                await self.holds.release(str(self.office_id), booth, hold_key(start), owner)
        return False

    async def release(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> None:
        """Let go of any hold this user has on the slot(s) (token-checked, so others' stay)."""
        if self.holds is None:
            return
        booths = all_booths(self._covering(starts_at) or await self.calendar(starts_at))
        owner = hash_line_user(line_user_id)
        for start in slot_run(starts_at, slots):
            for booth in booths:
                await self.holds.release(str(self.office_id), booth, hold_key(start), owner)

    async def claim(self, owner: str, starts: list[datetime], free: Window,
                    claimed: list[int], site_id: str | None = None) -> Site | None:
        """Pick and hold a free booth per start, all at one site (`site_id`, or the first
        active site with a booth free at every start), preferring booths this owner holds.
        The site, or None when no site has them all."""
        sites = [free.cal.site(site_id)] if site_id is not None else free.cal.active_sites()
        site = next((site for site in sites if site is not None and all(
            free_booths(free.cal, free.used, start, site.id) for start in starts)), None)
        if site is None or not await self._claim_at(owner, starts, free, claimed, site.id):
            return None
        return site

    async def _claim_at(self, owner: str, starts: list[datetime], free: Window,
                        claimed: list[int], site_id: str | None) -> bool:
        for start in starts:
            booths = free_booths(free.cal, free.used, start, site_id)
            if not booths:
                return False
            if self.holds is None:
                claimed.append(booths[0])
                continue
            office, key = str(self.office_id), hold_key(start)
            holders = await self.holds.holders(office, [(b, key) for b in booths])
            mine = [b for b, h in zip(booths, holders, strict=True) if h == owner]
            for booth in mine + [b for b in booths if b not in mine]:
                if await self.holds.hold(office, booth, key, owner, self.hold_ms):
                    claimed.append(booth)
                    break
            else:
                return False
        return True
