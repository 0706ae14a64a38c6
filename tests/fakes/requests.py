"""`RequestsPort` in memory: the same checks, in the same order, as storage/requests.py.

Every change records its domain events in `office.events` (the outbox, unworded); `bound(outbox)`
adds an id per event to the caller's list, as storage adds its outbox rows' ids.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime

from booking import current_slot_start, is_bookable
from dialogs.events import Event, MoveAccepted, RequestCancelled, RequestCreated, SlotFreed
from dialogs.ports import BookingInfo, Draft, NowInfo, Outcome, Reason
from dialogs.ports import refusal as refusal_rule
from tests.fakes.availability import MemoryAvailability, run_of
from tests.fakes.office import MemoryEntry, MemoryOffice, MemoryRequest, MemoryUser


def refusal(user: MemoryUser | None, office: MemoryOffice, terms_version: str | None) -> Reason:
    """Why this user may not request now: the ports' one rule over the memory records."""
    if user is None:
        return Reason.CONSENT
    return refusal_rule(consented=terms_version is not None
                        and user.consent_version == terms_version,
                        blocked=user.blocked, no_shows=user.no_show_count,
                        no_show_limit=office.no_show_limit,
                        has_profile=bool(user.name and user.phone))


def info_of(request: MemoryRequest, office: MemoryOffice | None = None) -> BookingInfo:
    """The user's view of one request (no .ics links in memory), with its site."""
    return BookingInfo(
        id=request.id, starts_at=request.starts[0], ends_at=request.ends_at,
        status=request.status, purpose=request.purpose, slots=len(request.starts),
        immediate=request.immediate, attendant=request.attendant,
        job_number=request.job_number, applicants=request.applicants, moved=request.moved,
        awaiting_answer=request.moved and not request.move_accepted and request.active,
        site=office.site(request.site_id) if office and office.sites else None)


class MemoryRequests:
    """The requests of a `MemoryOffice`'s users; bind one per event with `bound()`."""

    def __init__(self, office: MemoryOffice, availability: MemoryAvailability) -> None:
        self.office = office
        self.availability = availability
        self.written: list[uuid.UUID] = []

    def bound(self, outbox: list[uuid.UUID]) -> MemoryRequests:
        """This port for one event: an id per event its changes record is added to `outbox`."""
        one = copy.copy(self)
        one.written = outbox
        return one

    def record(self, event: Event) -> None:
        self.office.events.append(event)
        self.written.append(uuid.uuid4())

    async def request_booking(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome:
        outcome = self.commit(line_user_id, draft, at)
        if outcome.reason == Reason.TAKEN and draft.starts_at is not None:
            alternatives = await self.availability.nearest_free(
                line_user_id, draft.starts_at, at, draft.slots, site_id=draft.site_id)
            return Outcome(ok=False, reason=Reason.TAKEN, alternatives=alternatives)
        return outcome

    def commit(self, line_user_id: str, draft: Draft, at: datetime, *, immediate: bool = False,
               entry_id: str | None = None) -> Outcome:
        """Checks, booths, the request and its staff alert; no await, so it is atomic."""
        office = self.office
        user = office.users.get(line_user_id)
        terms = office.current_terms(at)
        reason = refusal(user, office, terms.version if terms else None)
        if reason or user is None:
            return Outcome(ok=False, reason=reason)
        if office.active_requests(line_user_id, at) >= office.max_active_requests:
            return Outcome(ok=False, reason=Reason.LIMIT)
        assert draft.starts_at is not None
        starts = run_of(draft.starts_at, draft.slots)
        cal = office.calendar()
        if not immediate and not all(is_bookable(s, at, cal.closures, cal.cutoff) for s in starts):
            return Outcome(ok=False, reason=Reason.NOT_BOOKABLE)
        claimed = self.availability.claim(line_user_id, starts, draft.site_id)
        if claimed is None:
            return Outcome(ok=False, reason=Reason.TAKEN)
        booths, site = claimed
        for start, booth in zip(starts, booths, strict=True):
            office.holds.pop((start, booth), None)  # the request, not the hold, keeps it now
        request = MemoryRequest(
            user=line_user_id, starts=starts, booths=booths, purpose=draft.purpose,
            job_number=draft.job_number, applicants=draft.applicants,
            attendant=draft.attendant, immediate=immediate, created_at=at, site_id=site.id)
        office.requests.append(request)
        if site.id is not None:
            user.usual_site_id = site.id
        self.record(RequestCreated(office.facts(request), immediate=immediate))
        for entry in office.waitlist:
            if entry.id == entry_id:
                entry.active = False
        return Outcome(ok=True, bookings=[info_of(request, self.office)])

    async def my_bookings(self, line_user_id: str, at: datetime) -> list[BookingInfo]:
        mine = [r for r in self.office.requests
                if r.user == line_user_id and r.active and r.ends_at > at]
        return [info_of(r, self.office) for r in sorted(mine, key=lambda r: r.starts[0])]

    async def booking(self, line_user_id: str, booking_id: str) -> BookingInfo | None:
        request = self.office.request_of(line_user_id, booking_id)
        return info_of(request, self.office) if request else None

    async def cancel_booking(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        request = self.office.request_of(line_user_id, booking_id)
        if request is None or not request.active:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        if request.starts[0] <= at:
            return Outcome(ok=False, reason=Reason.STARTED)
        refused_move = request.moved and not request.move_accepted
        request.status = "cancelled"
        request.version += 1
        self.record(RequestCancelled(self.office.facts(request), refused_move=refused_move))
        self.offer_freed(self.office.day_of(request.starts[0]), at)
        return Outcome(ok=True, bookings=[info_of(request, self.office)])

    def offer_freed(self, day: date, at: datetime) -> None:
        """An offer to everyone waiting for `day` whose request now fits; the first tap wins."""
        waiting = sorted((e for e in self.office.waitlist if e.day == day and e.active),
                         key=lambda e: e.created_at)
        for entry in waiting:
            starts = self.office.bookable_starts(day, at, entry.need, entry.site_id)
            user = self.office.users.get(entry.user)
            if not starts or user is None or not user.followed:
                continue
            self.record(SlotFreed(to=entry.user, entry_id=entry.id, starts=tuple(starts),
                                  need=entry.need))
            entry.notified_at = at

    async def accept_move(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        request = self.office.request_of(line_user_id, booking_id)
        if request is None or not request.moved or not request.active \
                or request.starts[0] <= at:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        if request.move_accepted:
            return Outcome(ok=False, reason=Reason.ALREADY,
                           bookings=[info_of(request, self.office)])
        request.move_accepted = True
        request.status = "confirmed"
        request.version += 1
        self.record(MoveAccepted(self.office.facts(request)))
        return Outcome(ok=True, bookings=[info_of(request, self.office)])

    async def immediate_status(self, line_user_id: str, at: datetime,
                               site_id: str | None = None) -> NowInfo:
        reason, slot = self.immediate_state(line_user_id, at, site_id)
        if not reason:
            return NowInfo(available=True, slot=slot)
        nearest = self.availability.nearest(line_user_id, at, at, site_id=site_id)
        return NowInfo(
            available=False, reason=reason, slot=slot, next_slot=min(nearest, default=None)
        )

    def immediate_state(self, line_user_id: str, at: datetime,
                        site_id: str | None = None) -> tuple[Reason, datetime | None]:
        """Whether a booth is free for immediate use now (art. 5-2), and the current slot."""
        start = current_slot_start(at, self.office.closures)
        if start is None:
            return Reason.CLOSED, None
        if not self.office.immediate_use_enabled:
            return Reason.DISABLED, start
        if any(r.user == line_user_id and r.active and start in r.starts
               for r in self.office.requests):
            return Reason.ALREADY, start
        if not self.office.free_booths(start, site_id):
            return Reason.BUSY, start
        return Reason.NONE, start

    async def request_immediate(self, line_user_id: str, draft: Draft, at: datetime) -> Outcome:
        status = await self.immediate_status(line_user_id, at, draft.site_id)
        if not status.available or status.slot is None:
            return Outcome(ok=False, reason=status.reason,
                           alternatives=[status.next_slot] if status.next_slot else [])
        now_draft = Draft(purpose=draft.purpose, starts_at=status.slot,
                          job_number=draft.job_number, applicants=draft.applicants,
                          attendant=draft.attendant, site_id=draft.site_id)
        outcome = self.commit(line_user_id, now_draft, at, immediate=True)
        if outcome.reason == Reason.TAKEN:
            after = await self.immediate_status(line_user_id, at, draft.site_id)
            return Outcome(ok=False, reason=Reason.BUSY,
                           alternatives=[after.next_slot] if after.next_slot else [])
        return outcome

    async def join_waitlist(self, line_user_id: str, day: date, draft: Draft,
                            at: datetime) -> bool:
        if line_user_id not in self.office.users:
            return False
        entry = next((e for e in self.office.waitlist if e.user == line_user_id
                      and e.day == day and e.site_id == draft.site_id and e.active), None)
        if entry is None:
            entry = MemoryEntry(user=line_user_id, day=day, created_at=at, site_id=draft.site_id)
            self.office.waitlist.append(entry)
        entry.purpose, entry.job_number = draft.purpose, draft.job_number
        entry.applicants, entry.attendant = draft.applicants, draft.attendant
        return True

    async def take_offer(self, line_user_id: str, entry_id: str, starts_at: datetime,
                         at: datetime) -> Outcome:
        entry = next((e for e in self.office.waitlist if e.id == entry_id), None)
        if entry is None or entry.user != line_user_id or not entry.active:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        draft = Draft(purpose=entry.purpose or "job_consultation", starts_at=starts_at,
                      slots=entry.need, job_number=entry.job_number,
                      applicants=entry.applicants, attendant=entry.attendant or "none",
                      site_id=entry.site_id)
        outcome = self.commit(line_user_id, draft, at, entry_id=entry.id)
        if outcome.reason == Reason.TAKEN:
            free = await self.availability.free_slots(line_user_id, entry.day, at, draft.slots,
                                                      entry.site_id)
            return Outcome(ok=False, reason=Reason.TAKEN, alternatives=free[:4])
        return outcome
