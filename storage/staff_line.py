"""The staff side of the bot as `dialogs.flows.staff.StaffPort`: linking and the alert buttons."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from booking import format_date_ja, format_slot, format_time, to_jst
from dialogs.ports import MoveOptions, SlotOption, StaffMember
from dialogs.ports import StaffOutcome as Outcome
from logs import hash_line_user
from storage.bookings import window
from storage.db import transaction
from storage.models import Booking, BookingStatus
from storage.rate_limit import RateLimiter
from storage.staff_accounts import Actor, by_line_user, use_link_code
from storage.staff_ops import OpError, StaffOps, audit
from storage.staff_queries import office_row, slots_of

LINK_TRIES = 5  # wrong codes per LINE user per window: six digits must not be guessable
LINK_WINDOW = 15 * 60


def _outcome(error: OpError) -> Outcome:
    return Outcome(ok=False, code=error.code, by=error.facts.get("by"),
                   status=error.facts.get("status"))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class StaffLinePort:
    """Reads the app's collaborators at call time: the port is built before start-up."""

    def __init__(self, services: Any) -> None:
        self._services = services
        self.written: list[uuid.UUID] = []  # outbox rows committed, for the caller to deliver

    def bound(self, outbox: list[uuid.UUID]) -> StaffLinePort:
        """This port for one event: the pushes its actions queue are added to `outbox`."""
        one = StaffLinePort(self._services)
        one.written = outbox
        return one

    @property
    def _ops(self) -> StaffOps:
        return StaffOps(self._services.uow, self._services.office_id, written=self.written)

    def console_url(self, booking_id: str) -> str:
        base = self._services.settings.public_base_url.rstrip("/")
        return f"{base}/staff/bookings/{booking_id}"

    async def _actor(self, session: AsyncSession, line_user_id: str) -> Actor | None:
        account = await by_line_user(session, self._services.office_id, line_user_id)
        return Actor.of(account) if account is not None else None

    async def actor(self, line_user_id: str) -> Actor | None:
        """The linked, active staff account behind this LINE user."""
        async with self._services.sessions() as session:
            return await self._actor(session, line_user_id)

    async def member(self, line_user_id: str) -> StaffMember | None:
        actor = await self.actor(line_user_id)
        return StaffMember(login=actor.login, name=actor.name, role=actor.role) if actor else None

    async def link(self, line_user_id: str, code: str,
                   now: datetime) -> StaffMember | Literal["wrong", "limited"]:
        s = self._services
        limiter = RateLimiter(s.redis, prefix=s.settings.redis_prefix, scope="link",
                              limit=LINK_TRIES, window_seconds=LINK_WINDOW)
        who = hash_line_user(line_user_id)
        if await limiter.blocked(who, now):
            return "limited"
        async with transaction(s.sessions) as session:
            account = await use_link_code(session=session, office_id=s.office_id, code=code,
                                          line_user_id=line_user_id, now=now)
            if account is not None:
                audit(session, office_id=s.office_id, actor=account.login, action="staff.link",
                      now=now)
                return StaffMember(login=account.login, name=account.display_name,
                                   role=account.role)
        await limiter.hit(who, now)
        return "wrong"

    async def peek(self, booking_id: str) -> Outcome:
        key = _uuid(booking_id)
        async with self._services.sessions() as session:
            booking = await session.get(Booking, key) if key else None
        if booking is None or booking.office_id != self._services.office_id:
            return Outcome(ok=False, code="not_found")
        if booking.status != BookingStatus.REQUESTED:
            return Outcome(ok=False, code="handled", by=booking.handled_by, status=booking.status)
        return Outcome(ok=True, slot=format_slot(booking.starts_at))

    async def confirm(self, line_user_id: str, booking_id: str, now: datetime) -> Outcome:
        return await self._act(line_user_id, booking_id,
                               lambda ops, actor, key: ops.confirm(actor, key, now=now))

    async def decline(self, line_user_id: str, booking_id: str, reason: str,
                      now: datetime) -> Outcome:
        return await self._act(line_user_id, booking_id, lambda ops, actor, key: ops.decline(
            actor, key, now=now, reason=reason, only_requested=True))

    async def move(self, line_user_id: str, booking_id: str, version: int, starts_at: datetime,
                   booth: int, now: datetime) -> Outcome:
        return await self._act(line_user_id, booking_id, lambda ops, actor, key: ops.move(
            actor, key, now=now, starts_at=starts_at, booth=booth, version=version))

    async def _act(self, line_user_id: str, booking_id: str, action: Any) -> Outcome:
        actor = await self.actor(line_user_id)
        if actor is None:
            return Outcome(ok=False, code="not_staff")
        key = _uuid(booking_id)
        if key is None:
            return Outcome(ok=False, code="not_found")
        try:
            done = await action(self._ops, actor, key)
        except OpError as error:
            return _outcome(error)
        return Outcome(ok=True, slot=done.slot)

    async def move_options(self, booking_id: str, now: datetime, limit: int) -> MoveOptions:
        """The free slots of the booking's day nearest to its time."""
        outcome = await self.peek(booking_id)
        if not outcome.ok:
            return MoveOptions(outcome=outcome)
        async with self._services.sessions() as session:
            booking = await session.get(Booking, uuid.UUID(booking_id))
            assert booking is not None
            start = to_jst(booking.starts_at)
            office = await office_row(session, self._services.office_id)
            free = await window(session=session, office=office, now=now, days=[start.date()])
        slots = slots_of(free, start.date(), now)
        many_booths, sites = office.booths > 1, free.cal.active_sites()
        slots.sort(key=lambda slot: (abs((slot[0] - start).total_seconds()), slot[1]))
        # With several sites staff pick a place, not a booth number.
        where = {b: site.name for site in sites for b in site.booths} if len(sites) > 1 else {}
        options = tuple(SlotOption(starts_at=s, booth=b,
                                   label=_label(s, b, many_booths, where.get(b)))
                        for s, b in slots[:limit])
        return MoveOptions(outcome=outcome, day=format_date_ja(start.date()),
                           version=booking.version, options=options)


def _label(starts_at: datetime, booth: int, many_booths: bool, site: str | None = None) -> str:
    time_text = format_time(to_jst(starts_at).time())
    if site:
        return f"{time_text} {site}"
    return f"{time_text} ブース{booth}" if many_booths else time_text
