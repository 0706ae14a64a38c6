"""Requests and the user's own bookings, immediate use (art. 5-2) and the waitlist (§8).

Implements `dialogs.ports.RequestsPort`. Each change is one unit of work: the rows and the
events they cause (staff alerts, waitlist offers) commit together; the outbox ids go to
`written` for the caller to deliver.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking import is_bookable
from booking.availability import slot_run
from dialogs.ports import BookingInfo, Draft, NowInfo, OfficeInfo, Outcome, Reason
from logs import hash_line_user
from storage import bookings as bk
from storage import forms
from storage.accounts import find_user
from storage.availability import AvailabilityService, hold_key
from storage.closures import nearest_starts
from storage.db import transaction
from storage.models import (
    Booking,
    BookingStatus,
    ClosureAnswer,
    ClosureNotice,
    LineUser,
    Office,
    WaitlistEntry,
)
from storage.office_cache import OfficeSnapshot
from storage.sites import load_sites
from storage.unit_of_work import UnitOfWork, Work


class RequestsService:
    """The requests of one office's users; bind one per event with `bound()`."""

    def __init__(self, uow: UnitOfWork, office_id: uuid.UUID, office: OfficeInfo,
                 availability: AvailabilityService, *, secret_key: str = "") -> None:
        self.uow = uow
        self.sessions = uow.sessions
        self.office_id = office_id
        self.office = office
        self.availability = availability
        self.reads = availability.reads  # read-only sessions (no BEGIN/ROLLBACK on PostgreSQL)
        self.holds = availability.holds
        self.secret_key = secret_key
        self.written: list[uuid.UUID] = []  # outbox rows committed, for the caller to deliver

    def bound(self, outbox: list[uuid.UUID],
              availability: AvailabilityService | None = None) -> RequestsService:
        """This service for one event: the pushes its commits queue are added to `outbox`;
        with `availability`, the step's own (AvailabilityService.for_step)."""
        one = copy.copy(self)
        one.written = outbox
        if availability is not None:
            one.availability = availability
        return one

    async def _office(self) -> Office:
        """The office row from the process cache (detached: read it, never change it). Read
        before a transaction opens, never inside one: a reload inside would wait for the
        transaction's own lock on SQLite."""
        return await self.availability.cache.office()

    async def request_booking(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome:
        outcome = await self._commit(line_user_id, draft, at)
        if outcome.reason == Reason.TAKEN and draft.starts_at is not None:
            alternatives = await self.availability.nearest_free(
                line_user_id, draft.starts_at, at, draft.slots, site_id=draft.site_id)
            return Outcome(ok=False, reason=Reason.TAKEN, alternatives=alternatives)
        return outcome

    async def _commit(self, line_user_id: str, draft: Draft, at: datetime, *,
                      immediate: bool = False, entry_id: uuid.UUID | None = None,
                      closed: uuid.UUID | None = None) -> Outcome:
        """One transaction: checks, booths, rows, staff alert; a lost race is tried once more."""
        assert draft.starts_at is not None
        starts = slot_run(draft.starts_at, draft.slots)
        owner = hash_line_user(line_user_id)
        snapshot = await self.availability.cache.current()  # before the transaction: see _office
        for _ in range(2):
            claimed: list[int] = []
            try:
                async with self.uow.begin(self.written) as work:
                    return await self._commit_in(work, snapshot, line_user_id, owner, draft, at,
                                                 claimed, immediate, entry_id, closed)
            except IntegrityError:
                continue  # another booth may still be free: read again once
            finally:
                await self._release_claimed(owner, starts, claimed)
        return Outcome(ok=False, reason=Reason.TAKEN)

    async def _commit_in(self, work: Work, snapshot: OfficeSnapshot, line_user_id: str,
                         owner: str, draft: Draft, at: datetime, claimed: list[int],
                         immediate: bool, entry_id: uuid.UUID | None,
                         closed: uuid.UUID | None) -> Outcome:
        session = work.session
        notice = None
        if closed is not None:  # a move after an emergency closure: answered once, locked
            notice = await session.get(ClosureNotice, closed, with_for_update=True)
            if notice is None or notice.answer is not None:
                return Outcome(ok=False, reason=Reason.ALREADY)
        office = snapshot.office
        user = await find_user(session, self.office_id, line_user_id)
        terms = snapshot.terms_at(at)
        reason = bk.refusal(user, office, terms.version if terms else None)
        if reason or user is None:
            return Outcome(ok=False, reason=reason)
        if (await bk.active_requests(session=session, user_id=user.id, now=at)
                >= office.max_active_requests):
            return Outcome(ok=False, reason=Reason.LIMIT)
        assert draft.starts_at is not None
        starts = slot_run(draft.starts_at, draft.slots)
        free = await bk.locked_window(session=session, office=office, now=at, starts=starts)
        if not immediate and not all(is_bookable(s, at, free.cal.closures, free.cal.cutoff)
                                     for s in starts):
            return Outcome(ok=False, reason=Reason.NOT_BOOKABLE)
        site = await self.availability.claim(owner, starts, free, claimed, draft.site_id)
        if site is None:
            return Outcome(ok=False, reason=Reason.TAKEN)
        rows = await bk.insert_request(session=session, office=office, user=user, draft=draft,
                                       booths=list(claimed), now=at, sites=free.cal.sites,
                                       immediate=immediate,
                                       site_id=site.id,
                                       console=f"{self.office.base_url.rstrip('/')}/staff/")
        if entry_id is not None:
            entry = await session.get(WaitlistEntry, entry_id)
            if entry is not None:
                entry.active = False
        if notice is not None:
            notice.answer, notice.answered_at = ClosureAnswer.MOVED, at
            notice.moved_to_id = rows[0].id
            bk.audit(session, self.office_id, at, "closure.moved", notice.booking_id,
                     to=str(rows[0].id))
        return Outcome(ok=True, bookings=[bk.info_of(rows, sites=free.cal.sites)],
                       events=tuple(work.events))

    async def _release_claimed(self, owner: str, starts: list[datetime],
                               claimed: list[int]) -> None:
        """After the commit (or its failure) the row, not the hold, protects the slot."""
        if self.holds is None:
            return
        for start, booth in zip(starts, claimed, strict=False):
            await self.holds.release(str(self.office_id), booth, hold_key(start), owner)

    def ics_url(self, booking_id: uuid.UUID) -> str | None:
        if not self.secret_key:
            return None
        return f"{self.office.base_url}/ics/{forms.ics_token(self.secret_key, booking_id)}"

    async def my_bookings(self, line_user_id: str, at: datetime) -> list[BookingInfo]:
        async with self.reads() as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is None:
                return []
            groups = await bk.upcoming(session=session, user_id=user.id, now=at)
            answered = await bk.answered_moves(session=session, ids=[g[0].id for g in groups])
            sites = await load_sites(session=session, office_id=self.office_id)
        return [bk.info_of(g, answered=g[0].id in answered, ics_url=self.ics_url(g[0].id),
                           sites=sites) for g in groups]

    async def booking(self, line_user_id: str, booking_id: str) -> BookingInfo | None:
        async with self.reads() as session:
            user = await find_user(session, self.office_id, line_user_id)
            rows = await bk.request_rows(session=session, user_id=user.id,
                                         booking_id=booking_id) if user else []
            if not rows:
                return None
            answered = await bk.answered_moves(session=session, ids=[rows[0].id])
            sites = await load_sites(session=session, office_id=self.office_id)
        return bk.info_of(rows, answered=bool(answered), ics_url=self.ics_url(rows[0].id),
                          sites=sites)

    async def _own_rows(self, session: AsyncSession, line_user_id: str,
                        booking_id: str) -> tuple[LineUser | None, list[Booking]]:
        """The user and their request's rows, locked for a change (none if not theirs)."""
        user = await find_user(session, self.office_id, line_user_id)
        if user is None:
            return None, []
        return user, await bk.request_rows(session=session, user_id=user.id,
                                           booking_id=booking_id, lock=True)

    async def cancel_booking(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        """Cancel the user's request; staff alerted and the waitlist offered, in one commit."""
        office = await self._office()
        async with self.uow.begin(self.written) as work:
            session = work.session
            user, rows = await self._own_rows(session, line_user_id, booking_id)
            rows = [r for r in rows if r.status in bk.ACTIVE]
            if user is None or not rows:
                return Outcome(ok=False, reason=Reason.NOT_FOUND)
            if rows[0].starts_at <= at:
                return Outcome(ok=False, reason=Reason.STARTED)
            answered = await bk.answered_moves(session=session, ids=[rows[0].id])
            refused_move = rows[0].moved_from_id is not None and not answered
            await bk.cancel_rows(session=session, office=office, user=user,
                                 rows=rows, now=at, refused_move=refused_move)
            sites = await load_sites(session=session, office_id=self.office_id)
            return Outcome(ok=True, bookings=[bk.info_of(rows, sites=sites)],
                           events=tuple(work.events))

    async def accept_move(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        """Accept the time the office moved a booking to, if it is still that proposal."""
        office = await self._office()
        async with self.uow.begin(self.written) as work:
            session = work.session
            user, rows = await self._own_rows(session, line_user_id, booking_id)
            head = rows[0] if rows else None
            if user is None or head is None or head.moved_from_id is None \
                    or head.status not in bk.ACTIVE or head.starts_at <= at:
                return Outcome(ok=False, reason=Reason.NOT_FOUND)
            sites = await load_sites(session=session, office_id=self.office_id)
            if await bk.answered_moves(session=session, ids=[rows[0].id]):
                return Outcome(ok=False, reason=Reason.ALREADY,
                               bookings=[bk.info_of(rows, answered=True, sites=sites)])
            await bk.accept_rows(session=session, office=office, user=user,
                                 rows=rows, now=at)
            info = bk.info_of(rows, answered=True, ics_url=self.ics_url(rows[0].id), sites=sites)
            return Outcome(ok=True, bookings=[info], events=tuple(work.events))

    async def immediate_status(self, line_user_id: str, at: datetime,
                               site_id: str | None = None) -> NowInfo:
        office = await self._office()
        cal = await self.availability.calendar(at)  # both before the session: see _office
        async with self.reads() as session:
            user = await find_user(session, self.office_id, line_user_id)
            reason, slot = await bk.immediate_state(session=session, office=office,
                                                    user_id=user.id if user else None, now=at,
                                                    site_id=site_id)
            if not reason:
                return NowInfo(available=True, slot=slot)
            free = await bk.window(session=session, office=office, now=at, cal=cal)
        nearest = await self.availability.unheld(
            line_user_id, free, free.nearest(at, site_id=site_id)[:8], 1, site_id)
        return NowInfo(available=False, reason=reason, slot=slot,
                       next_slot=min(nearest, default=None))

    async def request_immediate(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome:
        """Use a free booth now (art. 5-2), alerting staff to call the user at once."""
        status = await self.immediate_status(line_user_id, at, draft.site_id)
        if not status.available or status.slot is None:
            return Outcome(ok=False, reason=status.reason,
                           alternatives=[status.next_slot] if status.next_slot else [])
        draft = Draft(purpose=draft.purpose, starts_at=status.slot, job_number=draft.job_number,
                      applicants=draft.applicants, attendant=draft.attendant,
                      site_id=draft.site_id)
        outcome = await self._commit(line_user_id, draft, at, immediate=True)
        if outcome.reason == Reason.TAKEN:
            after = await self.immediate_status(line_user_id, at, draft.site_id)
            return Outcome(ok=False, reason=Reason.BUSY,
                           alternatives=[after.next_slot] if after.next_slot else [])
        return outcome

    async def join_waitlist(self, line_user_id: str, day: date, draft: Draft,
                            at: datetime) -> bool:
        office = await self._office()
        async with transaction(self.sessions) as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is None:
                return False
            await bk.join_waitlist(session=session, office=office,
                                   user=user, day=day, draft=draft, now=at)
            return True

    async def take_offer(self, line_user_id: str, entry_id: str, starts_at: datetime,
                         at: datetime) -> Outcome:
        """The first tap on a waitlist offer books the slot with the request it waited with."""
        try:
            key = uuid.UUID(entry_id)
        except ValueError:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        async with self.reads() as session:
            entry = await session.get(WaitlistEntry, key)
            user = await find_user(session, self.office_id, line_user_id)
        if entry is None or user is None or entry.user_id != user.id or not entry.active:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        draft = bk.waitlist_draft(entry, starts_at)
        outcome = await self._commit(line_user_id, draft, at, entry_id=key)
        if outcome.reason == Reason.TAKEN:
            free = await self.availability.free_slots(line_user_id, entry.day, at, draft.slots,
                                                      draft.site_id)
            return Outcome(ok=False, reason=Reason.TAKEN, alternatives=free[:4])
        return outcome

    async def _closed_notice(self, session: AsyncSession, line_user_id: str,
                             booking_id: str) -> tuple[ClosureNotice | None, list[Booking]]:
        """The closure notice of the user's closed request and its rows (none if not theirs)."""
        user, rows = await self._own_rows(session, line_user_id, booking_id)
        if user is None or not rows or rows[0].status != BookingStatus.CLOSED:
            return None, []
        notice = (await session.scalars(select(ClosureNotice).where(
            ClosureNotice.booking_id == rows[0].id))).first()
        return notice, rows if notice is not None else []

    async def move_closed(self, line_user_id: str, booking_id: str, starts_at: datetime,
                          at: datetime) -> Outcome:
        """Request `starts_at` at the same site for a request the office closed (whole group)."""
        async with self.sessions() as session:
            notice, rows = await self._closed_notice(session, line_user_id, booking_id)
        if notice is None:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        if notice.answer is not None:
            return Outcome(ok=False, reason=Reason.ALREADY)
        head = rows[0]
        draft = Draft(purpose=head.purpose, starts_at=starts_at, slots=len(rows),
                      job_number=head.job_number, applicants=head.applicants,
                      attendant=head.attendant,
                      site_id=str(head.site_id) if head.site_id else None)
        outcome = await self._commit(line_user_id, draft, at, closed=notice.id)
        if outcome.reason == Reason.TAKEN:
            async with self.sessions() as session:
                free = await nearest_starts(session=session, office=await self._office(),
                                            now=at, wanted=starts_at, need=len(rows),
                                            site_id=draft.site_id)
            return Outcome(ok=False, reason=Reason.TAKEN, alternatives=free)
        return outcome

    async def cancel_closed(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        """The user does not want another time: recorded, so staff need not phone them."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            notice, rows = await self._closed_notice(session, line_user_id, booking_id)
            if notice is None:
                return Outcome(ok=False, reason=Reason.NOT_FOUND)
            notice = await session.get(ClosureNotice, notice.id, with_for_update=True)
            assert notice is not None
            if notice.answer is not None:
                return Outcome(ok=False, reason=Reason.ALREADY)
            notice.answer, notice.answered_at = ClosureAnswer.CANCELLED, at
            bk.audit(session, self.office_id, at, "closure.cancelled", notice.booking_id)
            return Outcome(ok=True, bookings=[bk.info_of(rows)], events=tuple(work.events))
