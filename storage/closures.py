"""Emergency closures (DESIGN §13): one staff action closes a day or a time range, office-wide
or at one site, even today and even with bookings.

In the same transaction every affected request (requested or confirmed, a multi-slot group as
one) becomes `closed` (never a no-show), its user is pushed the reason, the office phone, the
nearest free starts at the same site and a cancel button, and a `ClosureNotice` row records
who was told, for the follow-up page. Re-opening a range makes its slots bookable again; what
users already moved stays moved, and unanswered requests stay closed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking import ParseError, next_open_days, slot_starts, to_jst
from booking.availability import day_bounds
from booking.sites import ClosureRange, check_range, site_open
from dialogs.events import ClosedByOffice
from storage import bookings as bk
from storage.db import transaction
from storage.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Closure,
    ClosureNotice,
    LineUser,
    Office,
    Outbox,
    SiteRow,
)
from storage.staff_accounts import Actor
from storage.staff_ops import OpError, audit, reachable
from storage.unit_of_work import UnitOfWork, Work, publish

OPTIONS_SHOWN = 3  # nearest free starts offered per notice (buttons in one card)
NEAR = timedelta(days=7)  # the offered starts are looked for from a week before the closed day
NEAR_DAYS = 12  # open days searched from there
MAX_REASON = 200


@dataclass(frozen=True)
class ClosureRequest:
    """What staff asked to close: a day, optionally a time range, optionally one site."""

    day: date
    reason: str
    starts: time | None = None
    ends: time | None = None
    site_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ClosureResult:
    """The closure made, the requests it closed and the users told at once."""

    closure_id: uuid.UUID
    closed: int
    told: int


@dataclass(frozen=True)
class AffectedRow:
    """One closed request as the follow-up page shows it (masked name, never full data)."""

    notice: ClosureNotice
    booking: Booking
    slots: int
    user: LineUser
    sent_at: datetime | None
    moved_to: Booking | None


@dataclass(frozen=True)
class ClosureReport:
    """One closure and every request it closed, for staff to follow up."""

    closure: Closure
    site_name: str
    rows: list[AffectedRow]


def _groups(rows: list[Booking]) -> list[list[Booking]]:
    """Bookings as requests: consecutive slots of one group together, earliest first."""
    found: dict[uuid.UUID, list[Booking]] = {}
    for row in sorted(rows, key=lambda r: r.starts_at):
        found.setdefault(row.group_id or row.id, []).append(row)
    return list(found.values())


async def nearest_starts(*, session: AsyncSession, office: Office, now: datetime,
                         wanted: datetime, need: int, site_id: str | None) -> list[datetime]:
    """Free bookable starts at the site nearest to the closed time (days around its day, not
    the next days from today: a closure weeks ahead offers days near it)."""
    first = max(to_jst(now).date(), to_jst(wanted).date() - NEAR)
    days = next_open_days(first - timedelta(days=1), NEAR_DAYS)
    free = await bk.window(session=session, office=office, now=now, days=days)
    return sorted(free.nearest(wanted, need, site_id)[:OPTIONS_SHOWN])


class ClosureOps:
    """Staff closing and re-opening ranges; every method is one transaction with its audit."""

    def __init__(self, uow: UnitOfWork, office_id: uuid.UUID) -> None:
        self.uow = uow
        self.sessions = uow.sessions
        self.office_id = office_id
        self.written: list[uuid.UUID] = []  # outbox rows committed, for the caller to deliver

    async def close(self, actor: Actor, wanted: ClosureRequest, *,
                    now: datetime) -> ClosureResult:
        """Close the range; each affected user is told in the same commit."""
        reason = wanted.reason.strip()
        if len(reason) > MAX_REASON:
            raise OpError("bad_reason", 422)
        try:
            check_range(wanted.starts, wanted.ends)
        except ParseError as exc:
            raise OpError("bad_closure_range", 422, why=str(exc)) from exc
        async with self.uow.begin(self.written) as work:
            session = work.session
            office = await session.get(Office, self.office_id)
            assert office is not None
            site = await self._site(session, wanted.site_id)
            rng = ClosureRange(day=wanted.day, starts=wanted.starts, ends=wanted.ends,
                               site_id=str(site.id) if site else None, reason=reason)
            await self._check_something_to_close(session, office, rng, now)
            affected = await self._affected(session, rng, now)
            if affected and not reason:
                raise OpError("closure_needs_reason", 422, count=len(affected))
            row = Closure(office_id=self.office_id, day=wanted.day, starts=wanted.starts,
                          ends=wanted.ends, site_id=site.id if site else None, reason=reason,
                          created_at=now, created_by=actor.login)
            session.add(row)
            await session.flush()
            told = await self._close_requests(work, office, row, affected, now)
            audit(session, office_id=self.office_id, actor=actor.login, action="closure.add",
                  now=now, day=wanted.day.isoformat(),
                  **({"starts": wanted.starts.isoformat(timespec="minutes"),
                      "ends": wanted.ends.isoformat(timespec="minutes")}
                     if wanted.starts and wanted.ends else {}),
                  **({"site": str(site.id)} if site else {}),
                  **({"closed": len(affected), "told": told} if affected else {}))
            return ClosureResult(closure_id=row.id, closed=len(affected), told=told)

    async def reopen(self, actor: Actor, closure_id: uuid.UUID, *, now: datetime) -> Closure:
        """Make the range bookable again; closed requests stay closed, moves stay moved."""
        async with transaction(self.sessions) as session:
            row = await session.get(Closure, closure_id, with_for_update=True)
            if row is None or row.office_id != self.office_id:
                raise OpError("not_found", 404)
            if row.reopened_at is not None:
                raise OpError("already_reopened", 409)
            row.reopened_at, row.reopened_by = now, actor.login
            audit(session, office_id=self.office_id, actor=actor.login,
                  action="closure.reopen", now=now, closure=str(row.id),
                  day=row.day.isoformat())
            return row

    async def _site(self, session: AsyncSession, site_id: uuid.UUID | None) -> SiteRow | None:
        if site_id is None:
            return None
        site = await session.get(SiteRow, site_id)
        if site is None or site.office_id != self.office_id:
            raise OpError("not_found", 404)
        return site

    async def _check_something_to_close(self, session: AsyncSession, office: Office,
                                        rng: ClosureRange, now: datetime) -> None:
        """Refuse a range in the past, or one with no session that is open now to close."""
        today = to_jst(now).date()
        if rng.day < today or (rng.day == today and rng.ends is not None
                               and rng.ends <= to_jst(now).time()):
            raise OpError("past_range", 422)
        cal = await bk.load_calendar(session=session, office=office, now=now)
        if not slot_starts(rng.day, cal.closures):
            raise OpError("not_open_day", 409)
        places = [s for s in cal.places() if rng.office_wide or s.id == rng.site_id]
        if not any(rng.covers(start, site.id) and site_open(site, start, cal.ranges)
                   for start in slot_starts(rng.day, cal.closures) if start > now
                   for site in places):
            raise OpError("nothing_to_close", 409)

    async def _affected(self, session: AsyncSession, rng: ClosureRange,
                        now: datetime) -> list[list[Booking]]:
        """Active requests not yet over with a slot in the range (whole groups), locked."""
        first, last = day_bounds(rng.day)
        hit = (await session.scalars(select(Booking).where(
            Booking.office_id == self.office_id, Booking.status.in_(ACTIVE_STATUSES),
            Booking.starts_at >= first, Booking.starts_at < last, Booking.ends_at > now)
            .with_for_update())).all()
        hit = [b for b in hit if rng.covers(b.starts_at, str(b.site_id) if b.site_id else None)]
        groups = {b.group_id for b in hit if b.group_id is not None}
        rows = {b.id: b for b in hit}
        if groups:
            for row in (await session.scalars(select(Booking).where(
                    Booking.group_id.in_(groups), Booking.status.in_(ACTIVE_STATUSES))
                    .with_for_update())).all():
                rows[row.id] = row
        return _groups(list(rows.values()))

    async def _close_requests(self, work: Work, office: Office, closure: Closure,
                              affected: list[list[Booking]], now: datetime) -> int:
        """Close each request, then tell each user with the nearest free starts at its site."""
        session = work.session
        for rows in affected:
            for row in rows:
                row.status, row.closure_id = BookingStatus.CLOSED, closure.id
                row.updated_at, row.version = now, row.version + 1
        await session.flush()  # the closed slots and the new closure count from here on
        if not affected:
            return 0
        cal = await bk.load_calendar(session=session, office=office, now=now)
        names = {s.id: s.name for s in cal.places()}
        told = 0
        for rows in affected:
            head = rows[0]
            user = await session.get(LineUser, head.user_id)
            assert user is not None
            site_id = str(head.site_id) if head.site_id else None
            notice = ClosureNotice(office_id=self.office_id, closure_id=closure.id,
                                   booking_id=head.id, user_id=user.id, told_at=now)
            to = reachable(user)
            if to:
                options = await nearest_starts(session=session, office=office, now=now,
                                               wanted=head.starts_at, need=len(rows),
                                               site_id=site_id)
                before = len(work.outbox_ids)
                await publish(session, ClosedByOffice(
                    to=to, booking_id=str(head.id), starts_at=head.starts_at, slots=len(rows),
                    reason=closure.reason, site_name=names.get(site_id, ""),
                    office_phone=office.phone, options=tuple(options)),
                    office_id=self.office_id, now=now)
                notice.outbox_id = (work.outbox_ids[before] if len(work.outbox_ids) > before
                                    else None)
                told += 1
            session.add(notice)
            bk.audit(session, self.office_id, now, "booking.closed", head.id,
                     closure=str(closure.id), slots=len(rows))
        return told


async def month_closures(session: AsyncSession, office_id: uuid.UUID, first: date,
                         last: date) -> list[tuple[Closure, str, int]]:
    """Every closure of [first, last] (re-opened ones too), its site's name, requests closed."""
    rows = (await session.scalars(select(Closure).where(
        Closure.office_id == office_id, Closure.day >= first, Closure.day <= last)
        .order_by(Closure.day, Closure.starts, Closure.created_at))).all()
    counts: dict[uuid.UUID, int] = defaultdict(int)
    if rows:
        for closure_id in (await session.scalars(select(ClosureNotice.closure_id).where(
                ClosureNotice.closure_id.in_([r.id for r in rows])))).all():
            counts[closure_id] += 1
    names = {s.id: s.name for s in (await session.scalars(select(SiteRow).where(
        SiteRow.office_id == office_id))).all()}
    return [(r, names.get(r.site_id, "") if r.site_id else "", counts[r.id]) for r in rows]


async def closure_report(session: AsyncSession, office_id: uuid.UUID,
                         closure_id: uuid.UUID) -> ClosureReport | None:
    """The closure and who was told, when, and what they answered (for phoning the rest)."""
    closure = await session.get(Closure, closure_id)
    if closure is None or closure.office_id != office_id:
        return None
    site = await session.get(SiteRow, closure.site_id) if closure.site_id else None
    notices = (await session.scalars(select(ClosureNotice).where(
        ClosureNotice.closure_id == closure_id))).all()
    out: list[AffectedRow] = []
    for notice in notices:
        booking = await session.get(Booking, notice.booking_id)
        user = await session.get(LineUser, notice.user_id)
        assert booking is not None and user is not None
        slots = 1 if booking.group_id is None else len((await session.scalars(select(
            Booking.id).where(Booking.group_id == booking.group_id))).all())
        sent_at = (await session.scalar(select(Outbox.sent_at).where(
            Outbox.id == notice.outbox_id))) if notice.outbox_id else None
        moved_to = await session.get(Booking, notice.moved_to_id) if notice.moved_to_id else None
        out.append(AffectedRow(notice=notice, booking=booking, slots=slots, user=user,
                               sent_at=sent_at, moved_to=moved_to))
    out.sort(key=lambda r: (r.notice.answer is not None, r.booking.starts_at))
    return ClosureReport(closure=closure, site_name=site.name if site else "", rows=out)

