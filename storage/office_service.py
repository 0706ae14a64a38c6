"""The office's records as the dialogs see them (implements `dialogs.ports.OfficePort`)."""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking import bookable_days, is_bookable, mask_name, mask_number, mask_phone, to_jst
from dialogs.ports import (
    BookingInfo,
    Calendar,
    DayInfo,
    Draft,
    NowInfo,
    OfficeInfo,
    Outcome,
    TermsInfo,
    UserInfo,
)
from logs import hash_line_user
from storage import bookings as bk
from storage import forms
from storage.db import transaction
from storage.models import Consent, LineUser, Office, TermsVersionRow, WaitlistEntry
from storage.unit_of_work import UnitOfWork


async def find_user(session: AsyncSession, office_id: uuid.UUID, line_user_id: str) -> LineUser | None:
    """The user row for a LINE user, looked up by the hashed id."""
    return (await session.scalars(select(LineUser).where(
        LineUser.office_id == office_id,
        LineUser.line_user_hash == hash_line_user(line_user_id)))).first()


async def get_or_create_user(session: AsyncSession, office_id: uuid.UUID, line_user_id: str,
                             now: datetime) -> LineUser:
    """The user row, created on first need."""
    user = await find_user(session, office_id, line_user_id)
    if user is None:
        user = LineUser(office_id=office_id, line_user_id=line_user_id,
                        line_user_hash=hash_line_user(line_user_id), created_at=now)
        session.add(user)
        await session.flush()
    return user


async def current_terms_row(session: AsyncSession, office_id: uuid.UUID,
                            at: datetime) -> TermsVersionRow | None:
    """The newest terms version already in effect at `at`."""
    return (await session.scalars(
        select(TermsVersionRow)
        .where(TermsVersionRow.office_id == office_id, TermsVersionRow.effective_from <= at)
        .order_by(TermsVersionRow.effective_from.desc()).limit(1))).first()


def user_info(user: LineUser | None, office: Office | None = None,
              active_requests: int = 0) -> UserInfo:
    """Flags and masked data only: the chat never sees full personal data."""
    if user is None:
        return UserInfo(known=False)
    limit = office.no_show_limit if office else 2
    return UserInfo(
        known=True, consent_version=user.consent_version, consented_at=user.consented_at,
        role=user.role, blocked=user.blocked,
        refused_for_no_shows=user.no_show_count >= limit,
        has_profile=bool(user.name and user.phone),
        masked_name=mask_name(user.name) if user.name else None,
        masked_phone=mask_phone(user.phone) if user.phone else None,
        masked_number=mask_number(user.number) if user.number else None,
        active_requests=active_requests,
        max_active_requests=office.max_active_requests if office else 3,
    )


def hold_key(starts_at: datetime) -> str:
    """How a session start names its hold in Redis (JST wall clock, minute precision)."""
    return to_jst(starts_at).strftime("%Y%m%dT%H%M")


class OfficeService:
    """Each method is one transaction; the session factory and office id are injected.

    `holds` (Redis SlotHolds) keep a slot for a user while they confirm; without them (a
    storage-only test) the unique index alone decides, as it always does in the end.
    """

    def __init__(self, uow: UnitOfWork, office_id: uuid.UUID,
                 office: OfficeInfo, *, holds: Any = None, secret_key: str = "",
                 hold_ms: int = 5 * 60 * 1000, form_minutes: int = 15,
                 liff_id: str = "") -> None:
        self.uow = uow
        self.sessions = uow.sessions
        self.written: list[uuid.UUID] = []  # outbox rows committed, for the caller to deliver
        self.office_id = office_id
        self.office = office
        self.holds = holds
        self.secret_key = secret_key
        self.hold_ms = hold_ms
        self.form_minutes = form_minutes
        self.liff_id = liff_id

    def bound(self, outbox: list[uuid.UUID]) -> OfficeService:
        """This service for one event: the pushes its commits queue are added to `outbox`."""
        one = copy.copy(self)
        one.written = outbox
        return one

    async def _office(self, session: AsyncSession) -> Office:
        office = await session.get(Office, self.office_id)
        assert office is not None
        return office

    async def user(self, line_user_id: str, at: datetime | None = None) -> UserInfo:
        async with self.sessions() as session:
            user = await find_user(session, self.office_id, line_user_id)
            office = await session.get(Office, self.office_id)
            active = 0
            if user is not None and at is not None:
                active = await bk.active_requests(session=session, user_id=user.id, now=at)
            return user_info(user, office, active)

    async def terms(self, at: datetime) -> TermsInfo | None:
        async with self.sessions() as session:
            row = await current_terms_row(session, self.office_id, at)
        if row is None:
            return None
        return TermsInfo(version=row.version, effective_from=row.effective_from,
                         summary=row.summary, changes=row.changes,
                         url=f"{self.office.base_url}/terms/{row.version}")

    async def record_consent(self, line_user_id: str, version: str, at: datetime) -> None:
        async with transaction(self.sessions) as session:
            user = await get_or_create_user(session, self.office_id, line_user_id, at)
            if user.consent_version == version:
                # Already on record: a repeated step (its conversation state was lost after
                # this commit, tests/faults) must not write a second consent.
                return
            user.consent_version, user.consented_at, user.followed = version, at, True
            session.add(Consent(office_id=self.office_id, user_id=user.id,
                                terms_version=version, consented_at=at))

    async def mark_unfollowed(self, line_user_id: str) -> None:
        async with transaction(self.sessions) as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is not None:
                user.followed = False

    # --- profile ------------------------------------------------------------------------

    async def set_role(self, line_user_id: str, role: str, at: datetime) -> None:
        async with transaction(self.sessions) as session:
            user = await get_or_create_user(session, self.office_id, line_user_id, at)
            user.role = role

    async def form_link(self, line_user_id: str, at: datetime, *,
                        unregistered: bool = False) -> str | None:
        """A fresh single-use link to the profile form, or None while the user is locked out."""
        async with transaction(self.sessions) as session:
            user = await get_or_create_user(session, self.office_id, line_user_id, at)
            if await forms.user_locked_out(session=session, user_id=user.id, now=at):
                return None
            token = await forms.issue(session=session, office_id=self.office_id,
                                      user_id=user.id, now=at, minutes=self.form_minutes)
        query = urlencode({"t": token, **({"u": "1"} if unregistered else {})})
        if self.liff_id:  # opened inside LINE as a LIFF app; the token still binds the user
            return f"https://liff.line.me/{self.liff_id}?{query}"
        return f"{self.office.base_url}/form/profile?{query}"

    # --- availability and holds ---------------------------------------------------------

    async def _window(self, at: datetime, days: list[date] | None = None) -> bk.Window:
        async with self.sessions() as session:
            return await bk.window(session=session, office=await self._office(session), now=at,
                                   days=days)

    async def calendar(self, at: datetime) -> Calendar:
        async with self.sessions() as session:
            return await bk.load_calendar(session=session, office=await self._office(session),
                                          now=at)

    async def open_days(self, at: datetime, count: int, need: int = 1) -> list[DayInfo]:
        async with self.sessions() as session:
            office = await self._office(session)
            cal = await bk.load_calendar(session=session, office=office, now=at)
            days = bookable_days(at, count, cal.closures, cal.cutoff)
            free = await bk.window(session=session, office=office, now=at, days=days)
        return free.day_infos(need)

    async def free_slots(self, line_user_id: str, day: date, at: datetime,
                         need: int = 1) -> list[datetime]:
        free = await self._window(at, [day])
        return await self._unheld(line_user_id, free, free.starts(day, need), need)

    async def nearest_free(self, line_user_id: str, wanted: datetime, at: datetime,
                           need: int = 1, count: int = 4) -> list[datetime]:
        free = await self._window(at)
        candidates = free.nearest(wanted, need)[: count * 3]
        found = await self._unheld(line_user_id, free, candidates, need)
        return sorted(found[:count])

    async def _unheld(self, line_user_id: str, free: bk.Window, starts: list[datetime],
                      need: int) -> list[datetime]:
        """Drop starts whose every free booth is held by someone else who is confirming.

        Holds are read first and the bookings again after: a winner lets go of its hold only
        once its row is committed, so a slot cannot slip through between the two reads.
        """
        if self.holds is None or not starts:
            return starts
        owner = hash_line_user(line_user_id)
        runs = sorted({t for s in starts for t in bk.slot_run(s, need)})
        keys = [(t, b) for t in runs for b in range(1, free.cal.booths + 1)]
        # One key at a time: a fan-out per request would drain the shared Redis pool under load.
        holders = [await self.holds.holder(str(self.office_id), b, hold_key(t)) for t, b in keys]
        fresh = await self._window(free.now, free.days)
        open_ = {t for (t, b), holder in zip(keys, holders, strict=True)
                 if holder in (None, owner) and b in bk.free_booths(fresh.cal, fresh.used, t)}
        return [s for s in starts if all(t in open_ for t in bk.slot_run(s, need))]

    async def hold(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> bool:
        """Keep the slot(s) for this user while they confirm; False when someone was faster."""
        free = await self._window(starts_at, [to_jst(starts_at).date()])
        return await self._claim(hash_line_user(line_user_id), bk.slot_run(starts_at, slots),
                                 free, [])

    async def release(self, line_user_id: str, starts_at: datetime, slots: int = 1) -> None:
        """Let go of any hold this user has on the slot(s) (token-checked, so others' stay)."""
        if self.holds is None:
            return
        async with self.sessions() as session:
            booths = (await self._office(session)).booths
        owner = hash_line_user(line_user_id)
        for start in bk.slot_run(starts_at, slots):
            for booth in range(1, booths + 1):
                await self.holds.release(str(self.office_id), booth, hold_key(start), owner)

    async def _claim(self, owner: str, starts: list[datetime], free: bk.Window,
                     claimed: list[int]) -> bool:
        """Pick and hold a free booth per start, preferring one this owner already holds."""
        for start in starts:
            booths = bk.free_booths(free.cal, free.used, start)
            if not booths:
                return False
            if self.holds is None:
                claimed.append(booths[0])
                continue
            office, key = str(self.office_id), hold_key(start)
            holders = [await self.holds.holder(office, b, key) for b in booths]
            mine = [b for b, h in zip(booths, holders, strict=True) if h == owner]
            for booth in mine + [b for b in booths if b not in mine]:
                if await self.holds.hold(office, booth, key, owner, self.hold_ms):
                    claimed.append(booth)
                    break
            else:
                return False
        return True

    # --- requests -----------------------------------------------------------------------

    async def request_booking(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome:
        outcome = await self._commit(line_user_id, draft, at)
        if outcome.reason == "taken" and draft.starts_at is not None:
            alternatives = await self.nearest_free(line_user_id, draft.starts_at, at, draft.slots)
            return Outcome(ok=False, reason="taken", alternatives=alternatives)
        return outcome

    async def _commit(self, line_user_id: str, draft: Draft, at: datetime, *,
                      immediate: bool = False, entry_id: uuid.UUID | None = None) -> Outcome:
        """One transaction: checks, booths, rows, staff alert; a lost race is tried once more."""
        assert draft.starts_at is not None
        starts = bk.slot_run(draft.starts_at, draft.slots)
        owner = hash_line_user(line_user_id)
        for _ in range(2):
            claimed: list[int] = []
            try:
                async with self.uow.begin(self.written) as work:
                    return await self._commit_in(work.session, line_user_id, owner, draft, at,
                                                 claimed, immediate, entry_id)
            except IntegrityError:
                continue  # another booth may still be free: read again once
            finally:
                await self._release_claimed(owner, starts, claimed)
        return Outcome(ok=False, reason="taken")

    async def _commit_in(self, session: AsyncSession, line_user_id: str, owner: str,
                         draft: Draft, at: datetime, claimed: list[int], immediate: bool,
                         entry_id: uuid.UUID | None) -> Outcome:
        office = await self._office(session)
        user = await find_user(session, self.office_id, line_user_id)
        terms = await current_terms_row(session, self.office_id, at)
        reason = bk.refusal(user, office, terms.version if terms else None)
        if reason or user is None:
            return Outcome(ok=False, reason=reason)
        if await bk.active_requests(session=session, user_id=user.id, now=at) >= office.max_active_requests:
            return Outcome(ok=False, reason="limit")
        assert draft.starts_at is not None
        starts = bk.slot_run(draft.starts_at, draft.slots)
        free = await bk.window(session=session, office=office, now=at,
                               days=[to_jst(draft.starts_at).date()])
        if not immediate and not all(is_bookable(s, at, free.cal.closures, free.cal.cutoff)
                                     for s in starts):
            return Outcome(ok=False, reason="not_bookable")
        if not await self._claim(owner, starts, free, claimed):
            return Outcome(ok=False, reason="taken")
        rows = await bk.insert_request(session=session, office=office, user=user, draft=draft,
                                       booths=list(claimed), now=at, immediate=immediate)
        if entry_id is not None:
            entry = await session.get(WaitlistEntry, entry_id)
            if entry is not None:
                entry.active = False
        return Outcome(ok=True, bookings=[bk.info_of(rows)])

    async def _release_claimed(self, owner: str, starts: list[datetime],
                               claimed: list[int]) -> None:
        """After the commit (or its failure) the row, not the hold, protects the slot."""
        if self.holds is None:
            return
        for start, booth in zip(starts, claimed, strict=False):
            await self.holds.release(str(self.office_id), booth, hold_key(start), owner)

    # --- the user's own bookings --------------------------------------------------------

    def ics_url(self, booking_id: uuid.UUID) -> str | None:
        if not self.secret_key:
            return None
        return f"{self.office.base_url}/ics/{forms.ics_token(self.secret_key, booking_id)}"

    async def my_bookings(self, line_user_id: str, at: datetime) -> list[BookingInfo]:
        async with self.sessions() as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is None:
                return []
            groups = await bk.upcoming(session=session, user_id=user.id, now=at)
            answered = await bk.answered_moves(session=session, ids=[g[0].id for g in groups])
        return [bk.info_of(g, answered=g[0].id in answered, ics_url=self.ics_url(g[0].id))
                for g in groups]

    async def booking(self, line_user_id: str, booking_id: str) -> BookingInfo | None:
        async with self.sessions() as session:
            user = await find_user(session, self.office_id, line_user_id)
            rows = await bk.request_rows(session=session, user_id=user.id,
                                         booking_id=booking_id) if user else []
            if not rows:
                return None
            answered = await bk.answered_moves(session=session, ids=[rows[0].id])
        return bk.info_of(rows, answered=bool(answered), ics_url=self.ics_url(rows[0].id))

    async def cancel_booking(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        """Cancel the user's request; staff alerted and the waitlist offered, in one commit."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            user = await find_user(session, self.office_id, line_user_id)
            rows = await bk.request_rows(session=session, user_id=user.id,
                                         booking_id=booking_id, lock=True) if user else []
            rows = [r for r in rows if r.status in bk.ACTIVE]
            if user is None or not rows:
                return Outcome(ok=False, reason="not_found")
            if rows[0].starts_at <= at:
                return Outcome(ok=False, reason="started")
            answered = await bk.answered_moves(session=session, ids=[rows[0].id])
            refused_move = rows[0].moved_from_id is not None and not answered
            await bk.cancel_rows(session=session, office=await self._office(session), user=user,
                                 rows=rows, now=at, refused_move=refused_move)
            return Outcome(ok=True, bookings=[bk.info_of(rows)])

    async def accept_move(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        """Accept the time the office moved a booking to, if it is still that proposal."""
        async with self.uow.begin(self.written) as work:
            session = work.session
            user = await find_user(session, self.office_id, line_user_id)
            rows = await bk.request_rows(session=session, user_id=user.id,
                                         booking_id=booking_id, lock=True) if user else []
            head = rows[0] if rows else None
            if user is None or head is None or head.moved_from_id is None \
                    or head.status not in bk.ACTIVE or head.starts_at <= at:
                return Outcome(ok=False, reason="not_found")
            if await bk.answered_moves(session=session, ids=[rows[0].id]):
                return Outcome(ok=False, reason="already", bookings=[bk.info_of(rows, answered=True)])
            await bk.accept_rows(session=session, office=await self._office(session), user=user,
                                 rows=rows, now=at)
            return Outcome(ok=True, bookings=[bk.info_of(rows, answered=True,
                                                         ics_url=self.ics_url(rows[0].id))])

    # --- immediate use and the waitlist -------------------------------------------------

    async def immediate_status(self, line_user_id: str, at: datetime) -> NowInfo:
        async with self.sessions() as session:
            office = await self._office(session)
            user = await find_user(session, self.office_id, line_user_id)
            reason, slot = await bk.immediate_state(session=session, office=office,
                                                    user_id=user.id if user else None, now=at)
            if not reason:
                return NowInfo(available=True, slot=slot)
            free = await bk.window(session=session, office=office, now=at)
        nearest = await self._unheld(line_user_id, free, free.nearest(at)[:8], 1)
        return NowInfo(available=False, reason=reason, slot=slot, next_slot=min(nearest, default=None))

    async def request_immediate(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome:
        """Use a free booth now (art. 5-2), alerting staff to call the user at once."""
        status = await self.immediate_status(line_user_id, at)
        if not status.available or status.slot is None:
            return Outcome(ok=False, reason=status.reason,
                           alternatives=[status.next_slot] if status.next_slot else [])
        draft = Draft(purpose=draft.purpose, starts_at=status.slot, job_number=draft.job_number,
                      applicants=draft.applicants, attendant=draft.attendant)
        outcome = await self._commit(line_user_id, draft, at, immediate=True)
        if outcome.reason == "taken":
            after = await self.immediate_status(line_user_id, at)
            return Outcome(ok=False, reason="busy",
                           alternatives=[after.next_slot] if after.next_slot else [])
        return outcome

    async def join_waitlist(self, line_user_id: str, day: date, draft: Draft,
                            at: datetime) -> bool:
        async with transaction(self.sessions) as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is None:
                return False
            await bk.join_waitlist(session=session, office=await self._office(session),
                                   user=user, day=day, draft=draft, now=at)
            return True

    async def take_offer(self, line_user_id: str, entry_id: str, starts_at: datetime,
                         at: datetime) -> Outcome:
        """The first tap on a waitlist offer books the slot with the request it waited with."""
        try:
            key = uuid.UUID(entry_id)
        except ValueError:
            return Outcome(ok=False, reason="not_found")
        async with self.sessions() as session:
            entry = await session.get(WaitlistEntry, key)
            user = await find_user(session, self.office_id, line_user_id)
        if entry is None or user is None or entry.user_id != user.id or not entry.active:
            return Outcome(ok=False, reason="not_found")
        draft = bk.waitlist_draft(entry, starts_at)
        outcome = await self._commit(line_user_id, draft, at, entry_id=key)
        if outcome.reason == "taken":
            free = await self.free_slots(line_user_id, entry.day, at, draft.slots)
            return Outcome(ok=False, reason="taken", alternatives=free[:4])
        return outcome
