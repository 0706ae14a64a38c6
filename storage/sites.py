"""Sites, closures and capacity limits as the booking rules see them (DESIGN §13).

Read side only: the rows become booking.sites / booking.capacity values, which the pure
rules in booking/availability.py answer every question about. Every query of "which days are
closed" goes through `closed_days`, so a partial, one-site or re-opened closure never shuts
the whole day (and never moves a request deadline).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.availability import Calendar
from booking.capacity import CapacityLimit
from booking.sites import ClosureRange, Hours, Site
from storage.models import BoothRow, CapacityLimitRow, Closure, Office, SiteHoursRow, SiteRow

HORIZON = timedelta(days=120)  # how far ahead closures count; users book days, not months


def in_force(office_id: uuid.UUID) -> Select[tuple[Closure]]:
    """The office's closures that have not been re-opened."""
    return select(Closure).where(Closure.office_id == office_id, Closure.reopened_at.is_(None))


def closed_days(office_id: uuid.UUID, first: date | None = None,
                last: date | None = None) -> Select[tuple[date]]:
    """Days closed all day for the whole office (in force), optionally within [first, last]."""
    query = select(Closure.day).where(
        Closure.office_id == office_id, Closure.reopened_at.is_(None),
        Closure.site_id.is_(None), Closure.starts.is_(None))
    if first is not None:
        query = query.where(Closure.day >= first)
    if last is not None:
        query = query.where(Closure.day <= last)
    return query.distinct()


def closure_range(row: Any) -> ClosureRange:
    """A closure row as the booking rules read it."""
    return ClosureRange(day=row.day, starts=row.starts, ends=row.ends,
                        site_id=str(row.site_id) if row.site_id else None, reason=row.reason)


_RANGE_COLUMNS = (Closure.day, Closure.starts, Closure.ends, Closure.site_id, Closure.reason)


async def load_closures(*, session: AsyncSession, office_id: uuid.UUID, first: date,
                        last: date) -> tuple[ClosureRange, ...]:
    """Every closure in force on [first, last], whole-day and partial, office-wide and per
    site: one query, for the calendar (`closed_all_day` says which shut the office)."""
    rows = (await session.execute(
        select(*_RANGE_COLUMNS).where(Closure.office_id == office_id,
                                      Closure.reopened_at.is_(None),
                                      Closure.day >= first, Closure.day <= last)
        .order_by(Closure.day, Closure.starts))).all()
    return tuple(closure_range(row) for row in rows)


def closed_all_day(ranges: Iterable[ClosureRange]) -> frozenset[date]:
    """The days of `ranges` closed all day for the whole office (as `closed_days` reads them):
    those move request deadlines, the partial and one-site ones do not."""
    return frozenset(r.day for r in ranges if r.site_id is None and r.starts is None)


async def site_rows(*, session: AsyncSession, office_id: uuid.UUID) -> list[SiteRow]:
    """The office's sites in its chosen order (active and not)."""
    return list((await session.scalars(select(SiteRow).where(SiteRow.office_id == office_id)
                                       .order_by(SiteRow.position, SiteRow.created_at))).all())


_SITE_COLUMNS = (SiteRow.id, SiteRow.name, SiteRow.address, SiteRow.map_url,
                 SiteRow.access_notes, SiteRow.active, SiteRow.code)


def _sites_booths_hours(office_id: uuid.UUID) -> Select[Any]:
    """Each site with each of its booths and each of its weekly hours (outer joins: a site
    may have neither): a few dozen rows for one office, in one round trip instead of three."""
    return (select(*_SITE_COLUMNS, BoothRow.number, SiteHoursRow.weekday, SiteHoursRow.opens,
                   SiteHoursRow.closes)
            .outerjoin(BoothRow, BoothRow.site_id == SiteRow.id)
            .outerjoin(SiteHoursRow, SiteHoursRow.site_id == SiteRow.id)
            .where(SiteRow.office_id == office_id)
            .order_by(SiteRow.position, SiteRow.created_at, SiteRow.id))


async def load_sites(*, session: AsyncSession, office_id: uuid.UUID) -> tuple[Site, ...]:
    """Every site with its booths and weekly hours; empty for an office that described none."""
    rows = (await session.execute(_sites_booths_hours(office_id))).all()
    order: dict[uuid.UUID, Any] = {}
    booths: dict[uuid.UUID, set[int]] = defaultdict(set)
    hours: dict[uuid.UUID, dict[int, Hours]] = defaultdict(dict)
    for row in rows:
        order.setdefault(row.id, row)
        if row.number is not None:
            booths[row.id].add(row.number)
        if row.weekday is not None:
            hours[row.id][row.weekday] = Hours(row.weekday, row.opens, row.closes)
    return tuple(Site(id=str(site), name=row.name, booths=tuple(sorted(booths[site])),
                      hours=tuple(hours[site][day] for day in sorted(hours[site])),
                      address=row.address, map_url=row.map_url,
                      access_notes=row.access_notes, active=row.active, code=row.code)
                 for site, row in order.items())


def capacity_limit(row: CapacityLimitRow) -> CapacityLimit:
    """A limit row as the booking rules read it."""
    return CapacityLimit(starts=row.starts, ends=row.ends, capacity=row.capacity, day=row.day,
                         weekday=row.weekday, reason=row.reason)


async def load_limits(*, session: AsyncSession, office_id: uuid.UUID,
                      first: date) -> tuple[CapacityLimit, ...]:
    """Weekly limits and one-off limits from `first` on."""
    rows = await session.scalars(select(CapacityLimitRow).where(
        CapacityLimitRow.office_id == office_id,
        (CapacityLimitRow.day.is_(None)) | (CapacityLimitRow.day >= first))
        .order_by(CapacityLimitRow.created_at))
    return tuple(capacity_limit(row) for row in rows)


def place_of(sites: tuple[Site, ...], site_id: str | None) -> Site | None:
    """The site a booking stands at; a booking without one stands at the office's only site."""
    if site_id is None:
        return sites[0] if len(sites) == 1 else None
    return next((site for site in sites if site.id == site_id), None)


def site_uuid(site_id: str | None) -> uuid.UUID | None:
    """A pure site id as stored (None stays None: the office's implicit single place)."""
    return uuid.UUID(site_id) if site_id else None


async def add_site(session: AsyncSession, *, office_id: uuid.UUID, name: str, booths: Iterable[int],
             hours: Iterable[Hours], address: str = "", map_url: str = "",
             access_notes: str = "", position: int = 0, active: bool = True) -> SiteRow:
    """A new site with its booths and weekly hours (the caller checked them; no commit)."""
    row = SiteRow(office_id=office_id, name=name, address=address, map_url=map_url,
                  access_notes=access_notes, position=position, active=active)
    session.add(row)
    await session.flush()  # no ORM relationship orders the inserts: the site goes first
    session.add_all([BoothRow(office_id=office_id, number=number, site_id=row.id)
                     for number in booths])
    session.add_all([SiteHoursRow(site_id=row.id, weekday=kept.weekday, opens=kept.opens,
                                  closes=kept.closes) for kept in hours])
    return row


async def set_office_booths(session: AsyncSession, *, office_id: uuid.UUID, count: int) -> bool:
    """The office settings' booth count, for an office with one site: that site gets booths
    1..count. False with several sites, where booths are set per site."""
    sites = await site_rows(session=session, office_id=office_id)
    if not sites:
        return True
    if len(sites) > 1:
        return False
    await session.execute(delete(BoothRow).where(BoothRow.office_id == office_id,
                                                 BoothRow.number > count))
    have = set((await session.scalars(select(BoothRow.number).where(
        BoothRow.office_id == office_id))).all())
    session.add_all([BoothRow(office_id=office_id, number=number, site_id=sites[0].id)
                     for number in range(1, count + 1) if number not in have])
    return True


async def booth_site(session: AsyncSession, office_id: uuid.UUID,
                     booth: int) -> uuid.UUID | None:
    """The site a booth stands at (None for an office that described no site)."""
    return await session.scalar(select(BoothRow.site_id).where(
        BoothRow.office_id == office_id, BoothRow.number == booth))


def calendar_of(office: Office, today: date, *, sites: tuple[Site, ...],
                ranges: tuple[ClosureRange, ...], limits: tuple[CapacityLimit, ...]) -> Calendar:
    """The booking calendar of `today` (JST) from the rows as read: closures in force from
    `today` to HORIZON ahead, the cut-off hour, the sites and their booths, the weekly limits
    and the one-off ones from `today` on. `ranges` and `limits` may reach wider."""
    ahead = tuple(r for r in ranges if today <= r.day <= today + HORIZON)
    return Calendar(
        closures=closed_all_day(ahead),
        cutoff=time(office.cutoff_hour),
        booths=sum(len(site.booths) for site in sites) if sites else office.booths,
        sites=sites, ranges=ahead,
        limits=tuple(limit for limit in limits if limit.day is None or limit.day >= today))
