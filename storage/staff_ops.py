"""Staff actions on bookings: each one transaction with its audit row and the user's notice.

A decline or a move frees a slot: the day's waitlist is offered it in the same transaction,
exactly as a user's cancel does (storage.bookings.offer_freed). A no-show frees nothing useful:
the session has already started.

Optimistic locking: the console sends the `Booking.version` it showed; a different version in
the database means someone else acted first, and the action is refused (409, `stale`).
LINE taps send no version; they are made idempotent by the status check instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking import (
    format_slot,
    is_slot_start,
    slot_end,
    to_jst,
)
from booking.kinds import Attendant, Purpose
from booking.sites import Site
from dialogs.events import Confirmed, Declined, Event, MarkedNoShow, Moved
from storage.bookings import offer_freed
from storage.models import (
    ACTIVE_STATUSES,
    AuditLog,
    Booking,
    BookingStatus,
    LineUser,
    Office,
)
from storage.sites import booth_site, closed_days, load_sites, place_of
from storage.staff_accounts import Actor
from storage.unit_of_work import UnitOfWork, publish

S = BookingStatus
MAX_NOTE = 1000
MAX_REASON = 200
ATTENDANTS = tuple(Attendant)
PURPOSES = tuple(Purpose)


class OpError(Exception):
    """A refused staff action: a stable code, the HTTP status, and facts for the wording."""

    def __init__(self, code: str, http: int = 409, **facts: Any) -> None:
        super().__init__(code)
        self.code, self.http, self.facts = code, http, facts


@dataclass(frozen=True)
class Done:
    """What an action changed, for the page and the LINE answer."""

    booking_id: uuid.UUID
    slot: str


def audit(session: AsyncSession, *, office_id: uuid.UUID, actor: str, action: str, now: datetime,
          booking_id: uuid.UUID | None = None, **detail: Any) -> None:
    """One audit row; `detail` holds ids, statuses and counts, never personal data."""
    session.add(AuditLog(office_id=office_id, at=now, actor=actor[:100], action=action,
                         booking_id=booking_id, detail=detail))


def reachable(user: LineUser) -> str | None:
    """The user's LINE id when a push can still reach them (followed, not anonymised)."""
    if not user.line_user_id or not user.followed or user.anonymized_at is not None:
        return None
    return user.line_user_id


async def locked_booking(session: AsyncSession, office_id: uuid.UUID, booking_id: uuid.UUID,
                         version: int | None) -> Booking:
    """The booking, row-locked for the rest of the transaction, at the version the caller saw."""
    booking = (await session.scalars(select(Booking).where(
        Booking.id == booking_id, Booking.office_id == office_id).with_for_update())).first()
    if booking is None:
        raise OpError("not_found", 404)
    if version is not None and booking.version != version:
        raise OpError("stale", 409)
    return booking


async def group_of(session: AsyncSession, head: Booking,
                   statuses: tuple[str, ...]) -> list[Booking]:
    """The rows of the request `head` belongs to (consecutive slots booked together), in
    one of `statuses`, row-locked, earliest first: staff act on a request as a whole."""
    if head.group_id is None:
        return [head]
    rows = list((await session.scalars(select(Booking).where(
        Booking.office_id == head.office_id, Booking.group_id == head.group_id,
        Booking.status.in_(statuses)).order_by(Booking.starts_at).with_for_update())).all())
    return rows or [head]


def _handled(booking: Booking) -> OpError:
    return OpError("handled", 409, status=booking.status, by=booking.handled_by)


def _touch(booking: Booking, actor: Actor, now: datetime, status: str | None = None) -> None:
    if status is not None:
        booking.status = status
        booking.handled_by = actor.name
    booking.version += 1
    booking.updated_at = now


async def _office(session: AsyncSession, office_id: uuid.UUID) -> Office:
    office = await session.get(Office, office_id)
    assert office is not None
    return office


async def check_slot(session: AsyncSession, office: Office, starts_at: datetime, booth: int,
                     now: datetime) -> None:
    """A slot staff may put a booking in: a session start on an open day, ahead, a real booth."""
    day = to_jst(starts_at).date()
    closures = set((await session.scalars(closed_days(office.id, day, day))).all())
    if not is_slot_start(starts_at, closures) or not 1 <= booth <= office.booths:
        raise OpError("bad_slot", 422)
    if starts_at <= now:
        raise OpError("past", 409)


class StaffOps:
    """Staff actions on bookings; every method is one transaction."""

    def __init__(self, uow: UnitOfWork, office_id: uuid.UUID, *,
                 written: list[uuid.UUID] | None = None) -> None:
        self.uow = uow
        self.sessions = uow.sessions
        self.office_id = office_id
        # Outbox rows committed by this object's actions, for the caller to deliver.
        self.written: list[uuid.UUID] = [] if written is None else written

    async def confirm(self, actor: Actor, booking_id: uuid.UUID, *, now: datetime,
                      version: int | None = None) -> Done:
        """requested → confirmed; the user gets the confirmation with the art. 11 rules."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            booking = await locked_booking(session, self.office_id, booking_id, version)
            if booking.status != S.REQUESTED:
                raise _handled(booking)
            if booking.starts_at <= now:
                raise OpError("past", 409)
            for row in await group_of(session, booking, (S.REQUESTED,)):
                _touch(row, actor, now, S.CONFIRMED)
                row.confirmed_at = now
            await self._tell(session, booking, "confirmed", now)
            audit(session, office_id=self.office_id, actor=actor.login, action="booking.confirm",
                  now=now, booking_id=booking.id, version=booking.version)
            return Done(booking.id, format_slot(booking.starts_at))

    async def move(self, actor: Actor, booking_id: uuid.UUID, *, now: datetime,
                   starts_at: datetime, booth: int, version: int | None = None) -> Done:
        """Old row → `moved`, a new confirmed row at the new slot; the user accepts or cancels."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            office = await _office(session, self.office_id)
            old = await locked_booking(session, self.office_id, booking_id, version)
            if old.status not in ACTIVE_STATUSES:
                raise _handled(old)
            olds = await group_of(session, old, tuple(ACTIVE_STATUSES))
            # The whole request moves: each slot keeps its place in the run.
            starts = [starts_at + (row.starts_at - olds[0].starts_at) for row in olds]
            for start in starts:
                await check_slot(session, office, start, booth, now)
            if olds[0].starts_at == starts_at and all(r.booth == booth for r in olds):
                raise OpError("same_slot", 422)
            for row in olds:
                _touch(row, actor, now, S.MOVED)
            await session.flush()  # free the old slots before the new rows claim them
            group = uuid.uuid4() if len(olds) > 1 else None
            site_id = await booth_site(session, self.office_id, booth)
            news = [Booking(
                office_id=self.office_id, user_id=row.user_id, booth=booth,
                site_id=site_id, starts_at=start,
                ends_at=slot_end(start), status=S.CONFIRMED, purpose=row.purpose,
                job_number=row.job_number, applicants=row.applicants, attendant=row.attendant,
                immediate=False, group_id=group, moved_from_id=row.id, note=row.note,
                handled_by=actor.name, created_at=now, updated_at=now, confirmed_at=now)
                for row, start in zip(olds, starts, strict=True)]
            session.add_all(news)
            new, old = news[0], olds[0]
            try:
                await session.flush()
            except IntegrityError as exc:
                raise OpError("taken", 409) from exc
            user = await session.get(LineUser, old.user_id)
            assert user is not None
            to = reachable(user)
            if to:
                sites = await load_sites(session=session, office_id=self.office_id)
                await publish(session, Moved(to=to, booking_id=str(new.id),
                                             old_slot=format_slot(old.starts_at),
                                             new_slot=format_slot(starts_at),
                                             office_phone=office.phone,
                                             site=place_of(sites, _site_id(new)),
                                             old_starts_at=old.starts_at,
                                             new_starts_at=starts_at),
                              office_id=self.office_id, now=now)
            # After the new row is in: a move within the day must not offer the new slot.
            await offer_freed(session=session, office=office, day=to_jst(old.starts_at).date(),
                              now=now)
            audit(session, office_id=self.office_id, actor=actor.login, action="booking.move",
                  now=now, booking_id=old.id, new_booking_id=str(new.id), booth=booth,
                  starts_at=starts_at.isoformat())
            return Done(new.id, format_slot(starts_at))

    async def decline(self, actor: Actor, booking_id: uuid.UUID, *, now: datetime, reason: str,
                      version: int | None = None, only_requested: bool = False) -> Done:
        """The office declines (a request, or from the console a confirmed booking too)."""
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise OpError("bad_reason", 422)
        async with self.uow.begin(self.written) as work:
            session = work.session
            booking = await locked_booking(session, self.office_id, booking_id, version)
            allowed = (S.REQUESTED,) if only_requested else ACTIVE_STATUSES
            if booking.status not in allowed:
                raise _handled(booking)
            for row in await group_of(session, booking, tuple(allowed)):
                _touch(row, actor, now, S.DECLINED)
                row.decline_reason = reason
            await self._tell(session, booking, "declined", now)
            await session.flush()  # the freed slot must read as free to the waitlist
            await offer_freed(session=session, office=await _office(session, self.office_id),
                              day=to_jst(booking.starts_at).date(), now=now)
            audit(session, office_id=self.office_id, actor=actor.login, action="booking.decline",
                  now=now, booking_id=booking.id)
            return Done(booking.id, format_slot(booking.starts_at))

    async def no_show(self, actor: Actor, booking_id: uuid.UUID, *, now: datetime,
                      version: int | None = None) -> Done:
        """A confirmed booking nobody came to: counted against the user (art. 5(4))."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            booking = await locked_booking(session, self.office_id, booking_id, version)
            if booking.status != S.CONFIRMED or booking.checked_in_at is not None:
                raise _handled(booking)
            if now < booking.starts_at:
                raise OpError("not_started", 409)
            _touch(booking, actor, now, S.NO_SHOW)
            user = await session.get(LineUser, booking.user_id)
            assert user is not None
            user.no_show_count += 1
            await self._tell(session, booking, "no_show", now)
            audit(session, office_id=self.office_id, actor=actor.login, action="booking.no_show",
                  now=now, booking_id=booking.id, no_show_count=user.no_show_count)
            return Done(booking.id, format_slot(booking.starts_at))

    async def check_in(self, actor: Actor, booking_id: uuid.UUID, *, now: datetime,
                       version: int | None = None) -> Done:
        """The user arrived in the booth (so the no-show sweep leaves the booking alone)."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            booking = await locked_booking(session, self.office_id, booking_id, version)
            if booking.status != S.CONFIRMED or booking.checked_in_at is not None:
                raise _handled(booking)
            _touch(booking, actor, now)
            booking.checked_in_at, booking.handled_by = now, actor.name
            audit(session, office_id=self.office_id, actor=actor.login,
                  action="booking.check_in", now=now, booking_id=booking.id)
            return Done(booking.id, format_slot(booking.starts_at))

    async def note(self, actor: Actor, booking_id: uuid.UUID, *, now: datetime, note: str,
                   version: int | None = None) -> Done:
        """A staff-only note on the booking (never sent to the user)."""
        if len(note) > MAX_NOTE:
            raise OpError("bad_note", 422)
        async with self.uow.begin(self.written) as work:
            session = work.session
            booking = await locked_booking(session, self.office_id, booking_id, version)
            _touch(booking, actor, now)
            booking.note = note.strip() or None
            audit(session, office_id=self.office_id, actor=actor.login, action="booking.note",
                  now=now, booking_id=booking.id, length=len(note.strip()))
            return Done(booking.id, format_slot(booking.starts_at))

    async def book_for(self, actor: Actor, user_id: uuid.UUID, *, now: datetime,
                       starts_at: datetime, booth: int, purpose: str,
                       attendant: str = "none", note: str = "") -> Done:
        """A booking made by staff during a session (art. 5(2)): confirmed at once."""
        if purpose not in PURPOSES or attendant not in ATTENDANTS or len(note) > MAX_NOTE:
            raise OpError("bad_input", 422)
        async with self.uow.begin(self.written) as work:
            session = work.session
            office = await _office(session, self.office_id)
            user = await session.get(LineUser, user_id)
            if user is None or user.office_id != self.office_id:
                raise OpError("not_found", 404)
            if user.blocked:
                raise OpError("blocked", 409)
            await check_slot(session, office, starts_at, booth, now)
            booking = Booking(office_id=self.office_id, user_id=user.id, booth=booth,
                              site_id=await booth_site(session, self.office_id, booth),
                              starts_at=starts_at, ends_at=slot_end(starts_at),
                              status=S.CONFIRMED, purpose=purpose, attendant=attendant,
                              note=note.strip() or None, handled_by=actor.name, created_at=now,
                              updated_at=now, confirmed_at=now)
            session.add(booking)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise OpError("taken", 409) from exc
            user.last_booking_at = now
            await self._tell(session, booking, "confirmed", now)
            audit(session, office_id=self.office_id, actor=actor.login, action="booking.book_for",
                  now=now, booking_id=booking.id, booth=booth)
            return Done(booking.id, format_slot(starts_at))

    async def _tell(self, session: AsyncSession, booking: Booking, kind: str,
                    now: datetime) -> None:
        office = await _office(session, self.office_id)
        user = await session.get(LineUser, booking.user_id)
        assert user is not None
        to = reachable(user)
        if to:
            sites = await load_sites(session=session, office_id=self.office_id)
            await publish(session, user_notice(kind, to, booking, office.phone,
                                               place_of(sites, _site_id(booking))),
                          office_id=self.office_id, now=now)


def _site_id(booking: Booking) -> str | None:
    return str(booking.site_id) if booking.site_id else None


def user_notice(kind: str, to: str, booking: Booking, office_phone: str,
                site: Site | None = None) -> Event:
    """What the user is told of a staff change of `booking` (with the place to go)."""
    slot, booking_id = format_slot(booking.starts_at), str(booking.id)
    if kind == "confirmed":
        return Confirmed(to=to, booking_id=booking_id, slot=slot, purpose=booking.purpose,
                         attendant=booking.attendant, office_phone=office_phone, site=site,
                         starts_at=booking.starts_at)
    if kind == "declined":
        return Declined(to=to, booking_id=booking_id, slot=slot,
                        reason=booking.decline_reason or "", office_phone=office_phone,
                        starts_at=booking.starts_at)
    return MarkedNoShow(to=to, booking_id=booking_id, slot=slot, office_phone=office_phone,
                        starts_at=booking.starts_at)
