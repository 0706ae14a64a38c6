"""`StaffPort` in memory: storage/staff_line.py over storage/staff_ops.py, check for check.

Staff accounts live in `office.staff`; confirm, decline and move change the office's requests
and record the events storage records (`Confirmed`, `Declined`, `Moved`, and `SlotFreed` for the
waitlist when a decline or a move frees a slot), in the same order. Wrong link codes are counted
per LINE user in fixed windows, as storage's Redis `RateLimiter` counts them.

One difference is built in: a request of consecutive slots is one `MemoryRequest`, so a staff
action takes all of its slots, while storage acts on the one booking row whose id it is given.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from booking import (
    SLOT_LENGTH,
    booth_numbers,
    format_date_ja,
    format_slot,
    format_time,
    is_slot_start,
    slot_starts,
    to_jst,
)
from dialogs.events import Confirmed, Declined, Event, Moved
from dialogs.ports import MoveOptions, SlotOption, StaffMember, StaffOutcome
from tests.fakes.availability import MemoryAvailability
from tests.fakes.office import ACTIVE, MemoryOffice, MemoryRequest
from tests.fakes.requests import MemoryRequests

LINK_TRIES = 5  # storage/staff_line.py: wrong codes per LINE user per window
LINK_WINDOW = 15 * 60
LINK_CODE_TTL = timedelta(minutes=10)  # storage/staff_accounts.py
MAX_REASON = 200  # storage/staff_ops.py


@dataclass
class MemoryStaff:
    """A staff account as the console leaves it (storage.models.StaffAccount, no password)."""

    login: str
    name: str
    role: str = "staff"
    active: bool = True
    line_user_id: str | None = None
    link_code: str | None = None
    link_code_expires_at: datetime | None = None

    def member(self) -> StaffMember:
        return StaffMember(login=self.login, name=self.name, role=self.role)


class Refused(Exception):
    """storage.staff_ops.OpError: a stable code and the facts for the wording."""

    def __init__(self, code: str, *, by: str | None = None, status: str | None = None) -> None:
        super().__init__(code)
        self.outcome = StaffOutcome(ok=False, code=code, by=by, status=status)


def _handled(request: MemoryRequest) -> Refused:
    return Refused("handled", by=request.handled_by, status=request.status)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass
class _LinkTries:
    """Wrong link codes per (LINE user, window): storage keeps them in Redis."""

    counts: dict[tuple[str, int], int] = field(default_factory=dict)

    def key(self, line_user_id: str, now: datetime) -> tuple[str, int]:
        return line_user_id, int(now.timestamp()) // LINK_WINDOW


class MemoryStaffPort:
    """The staff side of a `MemoryOffice`; bind one per event with `bound()`."""

    def __init__(self, office: MemoryOffice) -> None:
        self.office = office
        self.requests = MemoryRequests(office, MemoryAvailability(office))
        self.tries = _LinkTries()
        self.written: list[uuid.UUID] = []

    def bound(self, outbox: list[uuid.UUID]) -> MemoryStaffPort:
        """This port for one event: an id per event its actions record is added to `outbox`."""
        one = copy.copy(self)
        one.written = outbox
        one.requests = self.requests.bound(outbox)
        return one

    # --- seeding, as the console would have left things ----------------------------------------

    def add_account(self, login: str, name: str, *, role: str = "staff",
                    line_user_id: str | None = None, active: bool = True) -> MemoryStaff:
        """An account (logins are unique); linked to `line_user_id` when given."""
        if any(a.login == login for a in self.office.staff):
            raise ValueError(f"login {login!r} is taken")
        account = MemoryStaff(login=login, name=name, role=role, active=active,
                              line_user_id=line_user_id)
        self.office.staff.append(account)
        return account

    def new_link_code(self, login: str, now: datetime) -> str:
        """A fresh six-digit code for the account, valid for ten minutes (the console shows it)."""
        account = next(a for a in self.office.staff if a.login == login)
        live = {a.link_code for a in self.office.staff
                if a.link_code and a.link_code_expires_at and a.link_code_expires_at > now}
        while (code := f"{secrets.randbelow(1_000_000):06d}") in live:
            pass
        account.link_code, account.link_code_expires_at = code, now + LINK_CODE_TTL
        return code

    # --- StaffPort ---------------------------------------------------------------------------

    def account(self, line_user_id: str) -> MemoryStaff | None:
        """The linked, active account behind this LINE user."""
        return next((a for a in self.office.staff
                     if a.active and a.line_user_id == line_user_id), None)

    def console_url(self, booking_id: str) -> str:
        return f"{self.office.info.base_url.rstrip('/')}/staff/bookings/{booking_id}"

    async def member(self, line_user_id: str) -> StaffMember | None:
        account = self.account(line_user_id)
        return account.member() if account else None

    async def link(self, line_user_id: str, code: str,
                   now: datetime) -> StaffMember | Literal["wrong", "limited"]:
        key = self.tries.key(line_user_id, now)
        if self.tries.counts.get(key, 0) >= LINK_TRIES:
            return "limited"
        account = next((a for a in self.office.staff
                        if a.active and a.link_code == code and a.link_code_expires_at
                        and a.link_code_expires_at > now), None)
        if account is None:
            self.tries.counts[key] = self.tries.counts.get(key, 0) + 1
            return "wrong"
        for other in self.office.staff:
            if other is not account and other.line_user_id == line_user_id:
                other.line_user_id = None  # one LINE account alerts for one staff member only
        account.line_user_id, account.link_code, account.link_code_expires_at = (
            line_user_id, None, None)
        return account.member()

    def find(self, booking_id: str) -> MemoryRequest | None:
        return next((r for r in self.office.requests if r.id == booking_id), None)

    async def peek(self, booking_id: str) -> StaffOutcome:
        request = self.find(booking_id)
        if request is None:
            return StaffOutcome(ok=False, code="not_found")
        if request.status != "requested":
            return _handled(request).outcome
        return StaffOutcome(ok=True, slot=format_slot(request.starts[0]))

    def act(self, line_user_id: str, booking_id: str) -> tuple[MemoryStaff, MemoryRequest]:
        """The actor and the request, or Refused (not_staff, not_found) as storage checks them."""
        actor = self.account(line_user_id)
        if actor is None:
            raise Refused("not_staff")
        request = self.find(booking_id) if _is_uuid(booking_id) else None
        if request is None:
            raise Refused("not_found")
        return actor, request

    async def confirm(self, line_user_id: str, booking_id: str, now: datetime) -> StaffOutcome:
        try:
            actor, request = self.act(line_user_id, booking_id)
            if request.status != "requested":
                raise _handled(request)
            if request.starts[0] <= now:
                raise Refused("past")
        except Refused as refused:
            return refused.outcome
        self.touch(request, actor, "confirmed")
        self.tell(request, Confirmed(
            to=request.user, booking_id=request.id, slot=format_slot(request.starts[0]),
            purpose=request.purpose, attendant=request.attendant,
            office_phone=self.office.info.phone))
        return StaffOutcome(ok=True, slot=format_slot(request.starts[0]))

    async def decline(self, line_user_id: str, booking_id: str, reason: str,
                      now: datetime) -> StaffOutcome:
        reason = reason.strip()
        try:
            if self.account(line_user_id) is not None and _is_uuid(booking_id) \
                    and (not reason or len(reason) > MAX_REASON):
                raise Refused("bad_reason")  # storage checks the reason before the booking
            actor, request = self.act(line_user_id, booking_id)
            if request.status != "requested":  # only requests: LINE declines nothing else
                raise _handled(request)
        except Refused as refused:
            return refused.outcome
        self.touch(request, actor, "declined")
        request.decline_reason = reason
        self.tell(request, Declined(
            to=request.user, booking_id=request.id, slot=format_slot(request.starts[0]),
            reason=reason, office_phone=self.office.info.phone))
        self.requests.offer_freed(self.office.day_of(request.starts[0]), now)
        return StaffOutcome(ok=True, slot=format_slot(request.starts[0]))

    async def move_options(self, booking_id: str, now: datetime, limit: int) -> MoveOptions:
        outcome = await self.peek(booking_id)
        if not outcome.ok:
            return MoveOptions(outcome=outcome)
        request = self.find(booking_id)
        assert request is not None
        start = to_jst(request.starts[0])
        slots = self.free_slots(start.date(), now)
        slots.sort(key=lambda slot: (abs((slot[0] - start).total_seconds()), slot[1]))
        many = self.office.booths > 1
        options = tuple(SlotOption(starts_at=s, booth=b, label=_label(s, b, many))
                        for s, b in slots[:limit])
        return MoveOptions(outcome=outcome, day=format_date_ja(start.date()),
                           version=request.version, options=options)

    def free_slots(self, day: date, now: datetime) -> list[tuple[datetime, int]]:
        """(start, booth) of every slot of `day` still free and ahead of `now` (holds ignored)."""
        if day in self.office.closures:
            return []
        return [(start, booth) for start in slot_starts(day)
                for booth in booth_numbers(self.office.booths)
                if start > now and booth not in self.office.used_booths(start)]

    async def move(self, line_user_id: str, booking_id: str, version: int, starts_at: datetime,
                   booth: int, now: datetime) -> StaffOutcome:
        office = self.office
        try:
            actor, old = self.act(line_user_id, booking_id)
            if old.version != version:
                raise Refused("stale")
            if old.status not in ACTIVE:
                raise _handled(old)
            if not is_slot_start(starts_at, office.closures) \
                    or not 1 <= booth <= office.booths:
                raise Refused("bad_slot")
            if starts_at <= now:
                raise Refused("past")
            if old.starts[0] == starts_at and old.booths[0] == booth:
                raise Refused("same_slot")
            starts = [starts_at + SLOT_LENGTH * k for k in range(len(old.starts))]
            mine = set(zip(old.starts, old.booths, strict=True))
            if any(booth in office.used_booths(s) and (s, booth) not in mine for s in starts):
                raise Refused("taken")
        except Refused as refused:
            return refused.outcome
        self.touch(old, actor, "moved")
        new = MemoryRequest(
            user=old.user, starts=starts, booths=[booth] * len(starts), purpose=old.purpose,
            status="confirmed", job_number=old.job_number, applicants=old.applicants,
            attendant=old.attendant, moved=True, handled_by=actor.name, created_at=now)
        office.requests.append(new)
        self.tell(new, Moved(to=old.user, booking_id=new.id,
                             old_slot=format_slot(old.starts[0]),
                             new_slot=format_slot(starts_at), office_phone=office.info.phone))
        # After the new request is in: a move within the day must not offer the new slot.
        self.requests.offer_freed(office.day_of(old.starts[0]), now)
        return StaffOutcome(ok=True, slot=format_slot(starts_at))

    def touch(self, request: MemoryRequest, actor: MemoryStaff, status: str) -> None:
        request.status, request.handled_by = status, actor.name
        request.version += 1

    def tell(self, request: MemoryRequest, event: Event) -> None:
        """The user's notice, when a push can still reach them (storage.staff_ops.reachable)."""
        user = self.office.users.get(request.user)
        if user is not None and user.followed:
            self.requests.record(event)


def _label(starts_at: datetime, booth: int, many_booths: bool) -> str:
    time_text = format_time(to_jst(starts_at).time())
    return f"{time_text} ブース{booth}" if many_booths else time_text
