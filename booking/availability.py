"""Which session starts are free: the calendar staff set, the booths booked, pure arithmetic.

A start is free (DESIGN §13) when the office is open that day ∧ the site is open then (its
hours minus closures) ∧ a booth of that site is free ∧ office-wide staff capacity is left
(bookings at every site count). Storage reads the calendar and the booked booths once
(storage/bookings.py `window`); these rules answer every question the flows ask, without I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from booking.calendar import JST
from booking.capacity import CapacityLimit, capacity_at
from booking.deadlines import is_bookable
from booking.sites import ClosureRange, Site, site_open, whole_office_site
from booking.slots import SLOT_LENGTH, slot_starts, to_jst

Occupancy = dict[datetime, set[int]]  # booths in use per session start


@dataclass(frozen=True)
class Calendar:
    """The office's booking rules that staff can change.

    `closures` are the days shut for the whole office all day (they move request deadlines,
    like holidays); `ranges` are every closure in force, partial ones and single sites too.
    `booths` is the office's number of booths, the default staff capacity. With no `sites`
    the booths stand in one place keeping the office's hours (an office that described none).
    """

    closures: frozenset[date]
    cutoff: time
    booths: int
    sites: tuple[Site, ...] = ()
    ranges: tuple[ClosureRange, ...] = ()
    limits: tuple[CapacityLimit, ...] = ()

    def places(self) -> tuple[Site, ...]:
        """Every site, or the one implicit place of an office that described none."""
        return self.sites or (whole_office_site(self.booths),)

    def active_sites(self) -> list[Site]:
        """The sites users may book at, in the office's order."""
        return [site for site in self.places() if site.active]

    def site(self, site_id: str | None) -> Site | None:
        """The site with this id (None: the only active site, if there is exactly one)."""
        if site_id is None:
            active = self.active_sites()
            return active[0] if len(active) == 1 else None
        return next((site for site in self.places() if site.id == site_id), None)

    def site_of_booth(self, booth: int) -> Site | None:
        """The site a booth stands at."""
        return next((site for site in self.places() if booth in site.booths), None)

    def capacity(self, starts_at: datetime) -> int:
        """Sessions the staff can hold at once at `starts_at`, office-wide."""
        found = self._memo.get(("capacity", starts_at))
        if found is None:
            start = to_jst(starts_at)
            by_day, by_weekday = self._limits_by_day
            limits = (*by_day.get(start.date(), ()), *by_weekday.get(start.weekday(), ()),
                      *by_weekday.get(None, ()))
            found = self._memo[("capacity", starts_at)] = capacity_at(start, self.booths, limits)
        return found

    def open_booths(self, starts_at: datetime, site_id: str | None = None) -> tuple[int, ...]:
        """The booths of the sites open at `starts_at` (`site_id`, None: every active site),
        booked or not."""
        key = ("booths", starts_at, site_id)
        found = self._memo.get(key)
        if found is None:
            closures = self.ranges_on(to_jst(starts_at).date())
            found = self._memo[key] = tuple(
                booth for site in _sites_for(self, site_id)
                if site_open(site, starts_at, closures) for booth in site.booths)
        return found

    def starts_on(self, day: date) -> list[datetime]:
        """Every session start of `day`; none when the office is closed all day."""
        found = self._memo.get(("starts", day))
        if found is None:
            found = self._memo[("starts", day)] = slot_starts(day, self.closures)
        return found

    def ranges_on(self, day: date) -> tuple[ClosureRange, ...]:
        """The closures in force on `day` (JST), any site."""
        return self._ranges_by_day.get(day, ())

    # A calendar is read once and asked about every start of many days, in many steps (each
    # process keeps it: storage/office_cache.py): the closures and limits are looked up by day
    # instead of all being checked for each start, and each start's answers are kept.
    @cached_property
    def _memo(self) -> dict[tuple[object, ...], Any]:
        return {}

    @cached_property
    def _ranges_by_day(self) -> dict[date, tuple[ClosureRange, ...]]:
        by_day: defaultdict[date, list[ClosureRange]] = defaultdict(list)
        for closure in self.ranges:
            by_day[closure.day].append(closure)
        return {day: tuple(found) for day, found in by_day.items()}

    @cached_property
    def _limits_by_day(self) -> tuple[dict[date, list[CapacityLimit]],
                                      dict[int | None, list[CapacityLimit]]]:
        """Limits set for one day by that day; the others by weekday (None: every day).
        `CapacityLimit.applies` still decides, this only skips the ones that cannot."""
        by_day: defaultdict[date, list[CapacityLimit]] = defaultdict(list)
        by_weekday: defaultdict[int | None, list[CapacityLimit]] = defaultdict(list)
        for limit in self.limits:
            if limit.day is not None:
                by_day[limit.day].append(limit)
            else:
                by_weekday[limit.weekday].append(limit)
        return dict(by_day), dict(by_weekday)


@dataclass(frozen=True)
class DayInfo:
    """One open day and how many session starts are still free on it (for the day carousel).
    `open` is False when the site holds no session that day at all (its weekly hours, a
    closure, no staff): nothing to wait for, unlike a day that is full."""

    day: date
    free: int
    open: bool = True


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight JST."""
    start = datetime.combine(day, time(0), tzinfo=JST)
    return start, start + timedelta(days=1)


def slot_run(starts_at: datetime, slots: int) -> list[datetime]:
    """The consecutive session starts of one request."""
    return [starts_at + SLOT_LENGTH * k for k in range(max(slots, 1))]


def _sites_for(cal: Calendar, site_id: str | None) -> list[Site]:
    if site_id is None:
        return cal.active_sites()
    site = cal.site(site_id)
    return [site] if site is not None else []


def free_booths(cal: Calendar, used: Occupancy, starts_at: datetime,
                site_id: str | None = None) -> list[int]:
    """Booths free at `starts_at` at site `site_id` (None: any active site): the site open
    then, the booth unbooked, and staff capacity left office-wide. The day itself is the
    caller's to check (slot_starts, current_slot_start)."""
    taken = used.get(starts_at, ())
    if len(taken) >= cal.capacity(starts_at):
        return []
    return [booth for booth in cal.open_booths(starts_at, site_id) if booth not in taken]


def free_starts(day: date, cal: Calendar, used: Occupancy, need: int = 1,
                site_id: str | None = None) -> list[datetime]:
    """Starts on `day` with `need` consecutive sessions each having a free booth at one site."""
    sites = _sites_for(cal, site_id)
    found: set[datetime] = set()
    for site in sites:
        free = {s for s in cal.starts_on(day) if free_booths(cal, used, s, site.id)}
        found |= {s for s in free if all(t in free for t in slot_run(s, need))}
    return sorted(found)


def bookable_starts(day: date, cal: Calendar, used: Occupancy, now: datetime,
                    need: int = 1, site_id: str | None = None) -> list[datetime]:
    """Free starts that may still be requested (tomorrow or later, before the cut-off)."""
    return [s for s in free_starts(day, cal, used, need, site_id)
            if is_bookable(s, now, cal.closures, cal.cutoff)]


@dataclass(frozen=True)
class Window:
    """The calendar and the booked booths over some days, read once and asked many questions."""

    cal: Calendar
    used: Occupancy
    days: list[date]
    now: datetime

    def starts(self, day: date, need: int = 1, site_id: str | None = None) -> list[datetime]:
        """Bookable free starts on `day` (at site `site_id`, None: at any active site)."""
        return bookable_starts(day, self.cal, self.used, self.now, need, site_id)

    def day_infos(self, need: int = 1, site_id: str | None = None) -> list[DayInfo]:
        """Each day of the window and how many starts are free on it."""
        return [DayInfo(day=d, free=len(self.starts(d, need, site_id)),
                        open=bool(bookable_starts(d, self.cal, {}, self.now, need, site_id)))
                for d in self.days]

    def nearest(self, wanted: datetime, need: int = 1,
                site_id: str | None = None) -> list[datetime]:
        """Every bookable free start in the window, nearest to `wanted` first."""
        found = [s for d in self.days for s in self.starts(d, need, site_id)]
        return sorted(found, key=lambda s: (abs(s - wanted), s))


