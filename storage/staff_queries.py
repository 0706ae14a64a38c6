"""Read models for the console pages: the day board, the queue, a booking, users, free slots."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking import booth_numbers, request_expiry, slot_starts, to_jst
from booking.availability import Window, free_booths
from booking.sites import Site
from storage.bookings import window
from storage.models import (
    ACTIVE_STATUSES,
    AuditLog,
    Booking,
    BookingStatus,
    Closure,
    LineUser,
    Office,
    Outbox,
    OutboxStatus,
    StaffAccount,
    TermsVersionRow,
)
from storage.sites import in_force, load_sites, site_uuid
from storage.staff_office import day_range


@dataclass
class Board:
    """One day: booths × 30-minute slots; each cell holds the active booking, if any."""

    day: date
    booths: list[int]
    starts: list[datetime]
    cells: dict[tuple[int, datetime], Booking] = field(default_factory=dict)
    others: list[Booking] = field(default_factory=list)
    users: dict[uuid.UUID, LineUser] = field(default_factory=dict)
    closed: bool = False
    sites: tuple[Site, ...] = ()  # every site, for the filter and the column headers
    site_id: str | None = None  # the site shown (None: all)

    def site_of(self, booth: int) -> Site | None:
        """The site a booth stands at, for the column header."""
        return next((site for site in self.sites if booth in site.booths), None)


async def office_row(session: AsyncSession, office_id: uuid.UUID) -> Office:
    office = await session.get(Office, office_id)
    assert office is not None
    return office


async def closure_days(session: AsyncSession, office_id: uuid.UUID, first: date,
                       last: date) -> dict[date, str]:
    """Closed days (office closures, not legal holidays) in [first, last] with their reasons."""
    rows = (await session.scalars(in_force(office_id).where(
        Closure.day >= first, Closure.day <= last, Closure.site_id.is_(None),
        Closure.starts.is_(None)).order_by(Closure.day))).all()
    return {row.day: row.reason for row in rows}


async def users_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, LineUser]:
    if not ids:
        return {}
    rows = (await session.scalars(select(LineUser).where(LineUser.id.in_(ids)))).all()
    return {row.id: row for row in rows}


async def day_board(session: AsyncSession, office_id: uuid.UUID, day: date,
                    site_id: str | None = None) -> Board:
    """The day's grid (the booths of `site_id`, or all) and the bookings of the day that are no
    longer active."""
    office = await office_row(session, office_id)
    closures = await closure_days(session, office_id, day, day)
    starts = slot_starts(day)
    sites = await load_sites(session=session, office_id=office_id)
    shown = [site for site in sites if site_id in (None, site.id)]
    booths = (sorted(b for site in shown for b in site.booths) if sites
              else booth_numbers(office.booths))
    board = Board(day=day, booths=booths, starts=starts, closed=not starts or day in closures,
                  sites=sites, site_id=site_id)
    first, last = day_range(day, day)
    rows = (await session.scalars(select(Booking).where(
        Booking.office_id == office_id, Booking.starts_at >= first, Booking.starts_at < last)
        .order_by(Booking.starts_at, Booking.booth))).all()
    for row in rows:
        if row.booth not in booths:
            continue  # another site's
        if row.status in ACTIVE_STATUSES:
            board.cells[(row.booth, to_jst(row.starts_at))] = row
        else:
            board.others.append(row)
    board.users = await users_by_id(session, {row.user_id for row in rows})
    return board


async def queue(session: AsyncSession, office_id: uuid.UUID, now: datetime,
                site_id: str | None = None) -> list[tuple[Booking, LineUser, datetime]]:
    """Requests awaiting an answer (at `site_id`, or all), soonest first, with the moment they
    must be confirmed by."""
    query = (select(Booking, LineUser).join(LineUser, LineUser.id == Booking.user_id)
             .where(Booking.office_id == office_id, Booking.status == BookingStatus.REQUESTED,
                    Booking.starts_at > now)
             .order_by(Booking.starts_at, Booking.booth))
    if site_id:
        query = query.where(Booking.site_id == site_uuid(site_id))
    rows = (await session.execute(query)).all()
    out = []
    for booking, user in rows:
        day = to_jst(booking.starts_at).date()
        closures = await closure_days(session, office_id, day - timedelta(days=31), day)
        # Staff must answer before the request lapses: closing time of the previous open day.
        deadline = booking.starts_at if booking.immediate else request_expiry(day, closures.keys())
        out.append((booking, user, deadline))
    return out


async def booking_detail(session: AsyncSession, office_id: uuid.UUID, booking_id: uuid.UUID
                         ) -> tuple[Booking, LineUser, list[Booking], list[AuditLog]] | None:
    """The booking, its user, the bookings it was moved from / to, and its audit trail."""
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.office_id != office_id:
        return None
    user = await session.get(LineUser, booking.user_id)
    assert user is not None
    chain: list[Booking] = []
    previous = booking.moved_from_id
    while previous is not None and len(chain) < 20:
        row = await session.get(Booking, previous)
        if row is None:
            break
        chain.append(row)
        previous = row.moved_from_id
    later = (await session.scalars(select(Booking).where(
        Booking.moved_from_id == booking.id))).all()
    ids = [booking.id, *(row.id for row in chain)]
    trail = (await session.scalars(select(AuditLog).where(AuditLog.booking_id.in_(ids))
                                   .order_by(AuditLog.at))).all()
    return booking, user, [*later, *chain], list(trail)


async def free_slots(session: AsyncSession, office_id: uuid.UUID, day: date,
                     now: datetime) -> list[tuple[datetime, int]]:
    """(start, booth) of every slot of `day` still free and ahead of `now`, by the booking
    rules (booking/availability.py): the booth's site keeps hours then and no closure covers
    it, the booth is unbooked, and staff capacity is left."""
    office = await office_row(session, office_id)
    return slots_of(await window(session=session, office=office, now=now, days=[day]), day, now)


def slots_of(free: Window, day: date, now: datetime) -> list[tuple[datetime, int]]:
    """`free_slots` of a window already read."""
    return [(start, booth) for start in free.cal.starts_on(day) if start > now
            for booth in sorted(free_booths(free.cal, free.used, start))]


async def user_list(session: AsyncSession, office_id: uuid.UUID, *, blocked_only: bool = False,
                    limit: int = 200) -> list[tuple[LineUser, int]]:
    """Users with how many bookings each has, newest first."""
    counts = (select(Booking.user_id, func.count().label("n")).group_by(Booking.user_id)
              .subquery())
    query = (select(LineUser, func.coalesce(counts.c.n, 0))
             .outerjoin(counts, counts.c.user_id == LineUser.id)
             .where(LineUser.office_id == office_id)
             .order_by(LineUser.created_at.desc()).limit(limit))
    if blocked_only:
        query = query.where(LineUser.blocked.is_(True))
    return [(user, int(n)) for user, n in (await session.execute(query)).all()]


async def user_bookings(session: AsyncSession, user_id: uuid.UUID) -> list[Booking]:
    return list((await session.scalars(select(Booking).where(Booking.user_id == user_id)
                                       .order_by(Booking.starts_at.desc()).limit(50))).all())


async def terms_versions(session: AsyncSession, office_id: uuid.UUID) -> list[TermsVersionRow]:
    return list((await session.scalars(select(TermsVersionRow).where(
        TermsVersionRow.office_id == office_id)
        .order_by(TermsVersionRow.effective_from.desc()))).all())


async def accounts(session: AsyncSession, office_id: uuid.UUID) -> list[StaffAccount]:
    return list((await session.scalars(select(StaffAccount).where(
        StaffAccount.office_id == office_id).order_by(StaffAccount.login))).all())


async def pushes_this_month(session: AsyncSession, office_id: uuid.UUID, now: datetime) -> int:
    """Pushes sent since the 1st of this month (JST): LINE counts them against the quota."""
    local = to_jst(now)
    first, _ = day_range(local.date().replace(day=1), local.date())
    return int(await session.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.office_id == office_id, Outbox.status == OutboxStatus.SENT,
        Outbox.sent_at >= first)) or 0)


async def recent_audit(session: AsyncSession, office_id: uuid.UUID,
                       limit: int = 200) -> list[AuditLog]:
    return list((await session.scalars(select(AuditLog).where(AuditLog.office_id == office_id)
                                       .order_by(AuditLog.at.desc()).limit(limit))).all())


async def sites_by_id(session: AsyncSession, office_id: uuid.UUID) -> dict[str, Site]:
    """The office's sites by id, to name a booking's place on the console's pages."""
    return {site.id: site for site in await load_sites(session=session, office_id=office_id)
            if site.id}
