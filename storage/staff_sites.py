"""Admins describe the office's sites and lower staff capacity (DESIGN §13); every change
audited, every refusal an OpError with the facts the console words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import ParseError, format_slot, to_jst
from booking.capacity import CapacityLimit, over_capacity
from booking.sites import check_hours, check_range
from storage.db import transaction
from storage.models import (
    ACTIVE_STATUSES,
    Booking,
    BoothRow,
    CapacityLimitRow,
    Office,
    SiteHoursRow,
    SiteRow,
)
from storage.sites import load_limits
from storage.staff_accounts import Actor
from storage.staff_ops import OpError, audit

MAX_BOOTH = 20


@dataclass(frozen=True)
class SiteForm:
    """A site as the console's form gives it; `hours` maps weekday → (opens, closes)."""

    name: str
    address: str
    map_url: str
    access_notes: str
    booths: tuple[int, ...]
    hours: dict[int, tuple[time, time]]
    active: bool = True
    position: int = 0


def _check(form: SiteForm) -> None:
    """Refuse a form the office cannot run: each reason in the staff's words."""
    if not form.name.strip() or len(form.name) > 100 or len(form.address) > 200 \
            or len(form.access_notes) > 1000 or len(form.map_url) > 500:
        raise OpError("bad_input", 422)
    if form.map_url and not form.map_url.startswith(("https://", "http://")):
        raise OpError("bad_map_url", 422)
    if not form.booths or any(not 1 <= b <= MAX_BOOTH for b in form.booths):
        raise OpError("bad_booths", 422, max=MAX_BOOTH)
    for weekday, (opens, closes) in form.hours.items():
        if not 0 <= weekday <= 6:
            raise OpError("bad_input", 422)
        try:
            check_hours(opens, closes)
        except ParseError as bad:
            raise OpError("bad_hours", 422, reason=bad.message) from None


async def _future_bookings(session: AsyncSession, office_id: uuid.UUID, now: datetime,
                           *conditions: object) -> list[Booking]:
    return list((await session.scalars(select(Booking).where(
        Booking.office_id == office_id, Booking.status.in_(ACTIVE_STATUSES),
        Booking.ends_at > now, *conditions).order_by(Booking.starts_at))).all())


class SiteOps:
    """Sites and capacity limits of one office; each method is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 office_id: uuid.UUID) -> None:
        self.sessions, self.office_id = sessions, office_id

    async def save_site(self, actor: Actor, site_id: uuid.UUID | None, form: SiteForm, *,
                        now: datetime) -> uuid.UUID:
        """Create (`site_id` None) or change a site with its booths and weekly hours."""
        _check(form)
        async with transaction(self.sessions) as session:
            row = await self._site(session, site_id) if site_id else SiteRow(
                office_id=self.office_id, name=form.name.strip(), created_at=now)
            if site_id is None:
                session.add(row)
                await session.flush()
            await self._check_booths(session, row.id, form, now)
            changed = sorted(k for k in ("name", "address", "map_url", "access_notes",
                                         "active", "position")
                             if getattr(row, k) != getattr(form, k))
            row.name, row.address, row.map_url = form.name.strip(), form.address, form.map_url
            row.access_notes, row.active, row.position = (form.access_notes, form.active,
                                                          form.position)
            await session.execute(delete(SiteHoursRow).where(SiteHoursRow.site_id == row.id))
            await session.execute(delete(BoothRow).where(BoothRow.site_id == row.id))
            await session.flush()
            session.add_all([SiteHoursRow(site_id=row.id, weekday=day, opens=opens,
                                          closes=closes)
                             for day, (opens, closes) in sorted(form.hours.items())])
            session.add_all([BoothRow(office_id=self.office_id, number=b, site_id=row.id)
                             for b in sorted(set(form.booths))])
            await session.flush()
            office = await session.get(Office, self.office_id)
            assert office is not None
            office.booths = await session.scalar(select(func.count()).select_from(BoothRow)
                                                 .where(BoothRow.office_id == self.office_id))
            audit(session, office_id=self.office_id, actor=actor.login, now=now,
                  action="site.create" if site_id is None else "site.update",
                  site=str(row.id), changed=changed, booths=sorted(set(form.booths)),
                  hours={str(d): f"{o:%H:%M}-{c:%H:%M}" for d, (o, c) in form.hours.items()})
            return row.id

    async def _site(self, session: AsyncSession, site_id: uuid.UUID) -> SiteRow:
        row = await session.get(SiteRow, site_id)
        if row is None or row.office_id != self.office_id:
            raise OpError("not_found", 404)
        return row

    async def _check_booths(self, session: AsyncSession, site_id: uuid.UUID, form: SiteForm,
                            now: datetime) -> None:
        """A booth stands at one site; one with bookings ahead stays where it is."""
        taken = (await session.scalars(select(BoothRow.number).where(
            BoothRow.office_id == self.office_id, BoothRow.site_id != site_id,
            BoothRow.number.in_(form.booths)))).all()
        if taken:
            raise OpError("booth_elsewhere", 409, booths="、".join(map(str, sorted(taken))))
        had = set((await session.scalars(select(BoothRow.number).where(
            BoothRow.site_id == site_id))).all())
        leaving = had - set(form.booths) if form.active else had
        if leaving and (booked := await _future_bookings(
                session, self.office_id, now, Booking.booth.in_(leaving))):
            raise OpError("site_has_bookings", 409, count=len(booked),
                          first=format_slot(booked[0].starts_at))

    async def add_limit(self, actor: Actor, *, starts: time, ends: time, capacity: int,
                        day: date | None, weekday: int | None, reason: str,
                        now: datetime) -> uuid.UUID:
        """Lower the capacity for a range; refused while more bookings stand in it."""
        try:
            check_range(starts, ends)
        except ParseError as bad:
            raise OpError("bad_hours", 422, reason=bad.message) from None
        if (day is None) == (weekday is None) or len(reason) > 200 or capacity < 0 or (
                weekday is not None and not 0 <= weekday <= 4):
            raise OpError("bad_limit", 422)
        if day is not None and day < to_jst(now).date():
            raise OpError("past_day", 422)
        limit = CapacityLimit(starts=starts, ends=ends, capacity=capacity, day=day,
                              weekday=weekday, reason=reason.strip())
        async with transaction(self.sessions) as session:
            office = await session.get(Office, self.office_id)
            assert office is not None
            booked = await _future_bookings(session, self.office_id, now)
            others = await load_limits(session=session, office_id=self.office_id,
                                       first=to_jst(now).date())
            over = over_capacity(limit, [(b.starts_at, str(b.id)) for b in booked],
                                 booths=office.booths, others=others)
            if over:
                lines = "、".join(f"{format_slot(o.starts_at)}（{len(o.booking_ids)}件：予約 "
                                 + "・".join(i[:8] for i in o.booking_ids) + "）"
                                 for o in over[:10])
                raise OpError("over_capacity", 409, capacity=capacity, slots=lines)
            row = CapacityLimitRow(office_id=self.office_id, day=day, weekday=weekday,
                                   starts=starts, ends=ends, capacity=capacity,
                                   reason=limit.reason, created_at=now, created_by=actor.login)
            session.add(row)
            await session.flush()
            audit(session, office_id=self.office_id, actor=actor.login, now=now,
                  action="capacity.add", limit=str(row.id), capacity=capacity,
                  day=day.isoformat() if day else None, weekday=weekday,
                  range=f"{starts:%H:%M}-{ends:%H:%M}")
            return row.id

    async def remove_limit(self, actor: Actor, limit_id: uuid.UUID, *, now: datetime) -> None:
        """Staff are back: the full capacity returns for that range."""
        async with transaction(self.sessions) as session:
            row = await session.get(CapacityLimitRow, limit_id)
            if row is None or row.office_id != self.office_id:
                raise OpError("not_found", 404)
            audit(session, office_id=self.office_id, actor=actor.login, now=now,
                  action="capacity.remove", limit=str(row.id),
                  range=f"{row.starts:%H:%M}-{row.ends:%H:%M}")
            await session.delete(row)


async def limit_rows(session: AsyncSession, office_id: uuid.UUID,
                     today: date) -> list[CapacityLimitRow]:
    """Weekly limits and one-off limits from today on, for the console."""
    return list((await session.scalars(select(CapacityLimitRow).where(
        CapacityLimitRow.office_id == office_id,
        CapacityLimitRow.day.is_(None) | (CapacityLimitRow.day >= today))
        .order_by(CapacityLimitRow.day, CapacityLimitRow.weekday,
                  CapacityLimitRow.starts))).all())
