"""Office-wide staff actions: closures, immediate use, settings, terms versions, users, usage log.

Each method is one transaction that writes its audit row (and the users' notices, for terms).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking import (
    JST,
    ParseError,
    format_phone_national,
    format_time,
    parse_phone,
    to_jst,
)
from dialogs.events import LimitLifted, TermsPublished
from storage.db import transaction
from storage.models import (
    ACTIVE_STATUSES,
    Booking,
    Closure,
    LineUser,
    Office,
    StaffAccount,
    TermsVersionRow,
)
from storage.sites import in_force, set_office_booths
from storage.staff_accounts import (
    AccountError,
    Actor,
    create_account,
    disable_account,
    new_link_code,
)
from storage.staff_ops import OpError, audit, reachable
from storage.unit_of_work import UnitOfWork, publish

VERSION_SHAPE = re.compile(r"[0-9A-Za-z._-]{1,40}")
# `reason`: why the office closed the slot (status `closed`), empty otherwise.
USAGE_HEADER = ("date", "start", "end", "booth", "kind", "status", "reason")


@dataclass(frozen=True)
class OfficeSettings:
    """What an admin may change about the office."""

    name: str
    phone: str
    address: str
    hours: str
    booths: int
    cutoff_hour: int
    no_show_limit: int
    max_active_requests: int


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 0:00, last+1 0:00) in JST, as aware datetimes."""
    return (datetime.combine(first, time(0), tzinfo=JST),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=JST))


class OfficeOps:
    """Office-wide staff actions; every method is one transaction."""

    def __init__(self, uow: UnitOfWork, office_id: uuid.UUID) -> None:
        self.uow = uow
        self.sessions = uow.sessions
        self.office_id = office_id
        self.written: list[uuid.UUID] = []  # outbox rows committed by this object's actions

    def _audit(self, session: AsyncSession, actor: Actor, action: str, now: datetime,
               **detail: object) -> None:
        audit(session, office_id=self.office_id, actor=actor.login, action=action, now=now,
              **detail)

    async def remove_closure(self, actor: Actor, day: date, *, now: datetime) -> None:
        """Open a closed day again."""
        async with transaction(self.sessions) as session:
            rows = (await session.scalars(in_force(self.office_id).where(
                Closure.day == day, Closure.site_id.is_(None), Closure.starts.is_(None)))).all()
            if not rows:
                raise OpError("not_found", 404)
            for row in rows:  # kept, re-opened: the record of the closure stays
                row.reopened_at, row.reopened_by = now, actor.login
            self._audit(session, actor, "closure.remove", now, day=day.isoformat())

    async def set_immediate(self, actor: Actor, enabled: bool, *, now: datetime) -> None:
        """Whether staff accept 今すぐ相談 right now (art. 5-2)."""
        async with transaction(self.sessions) as session:
            office = await session.get(Office, self.office_id)
            assert office is not None
            office.immediate_use_enabled = enabled
            self._audit(session, actor, "office.immediate", now, enabled=enabled)

    async def update_settings(self, actor: Actor, new: OfficeSettings, *, now: datetime) -> None:
        """Change the office's facts and limits (admins only, checked by the caller)."""
        try:
            phone = format_phone_national(parse_phone(new.phone))
        except ParseError as exc:
            raise OpError("bad_phone", 422) from exc
        if not (new.name.strip() and len(new.name) <= 100 and len(new.address) <= 200
                and len(new.hours) <= 200 and 1 <= new.booths <= 20 and 9 <= new.cutoff_hour <= 17
                and new.no_show_limit >= 1 and new.max_active_requests >= 1):
            raise OpError("bad_input", 422)
        async with transaction(self.sessions) as session:
            office = await session.get(Office, self.office_id)
            assert office is not None
            if new.booths < office.booths and await session.scalar(
                    select(Booking.id).where(Booking.office_id == self.office_id,
                                             Booking.status.in_(ACTIVE_STATUSES),
                                             Booking.booth > new.booths).limit(1)):
                raise OpError("booths_in_use", 409)
            if new.booths != office.booths and not await set_office_booths(
                    session, office_id=self.office_id, count=new.booths):
                raise OpError("booths_by_site", 409)
            values = {**new.__dict__, "phone": phone, "name": new.name.strip()}
            changed = sorted(k for k, v in values.items() if getattr(office, k) != v)
            for key, value in values.items():
                setattr(office, key, value)
            self._audit(session, actor, "office.settings", now, changed=changed)

    async def publish_terms(self, actor: Actor, *, version: str, effective: date, summary: str,
                            changes: str, body: str, now: datetime, base_url: str) -> int:
        """A new terms version (art. 12); all who consented before are told. Returns how many."""
        if (not VERSION_SHAPE.fullmatch(version) or not body.strip() or len(summary) > 2000
                or len(changes) > 2000):
            raise OpError("bad_input", 422)
        if effective < to_jst(now).date():
            raise OpError("past_day", 422)
        effective_from = datetime.combine(effective, time(0), tzinfo=JST)
        async with self.uow.begin(self.written) as work:
            session = work.session
            rows = (await session.scalars(select(TermsVersionRow).where(
                TermsVersionRow.office_id == self.office_id))).all()
            if any(r.version == version for r in rows):
                raise OpError("version_exists", 409)
            if any(r.effective_from >= effective_from for r in rows):
                raise OpError("not_newer", 409)
            session.add(TermsVersionRow(office_id=self.office_id, version=version,
                                        effective_from=effective_from, summary=summary.strip(),
                                        changes=changes.strip(), body=body, created_at=now))
            users = (await session.scalars(select(LineUser).where(
                LineUser.office_id == self.office_id, LineUser.consent_version.is_not(None),
                LineUser.followed.is_(True)))).all()
            told = 0
            for to in filter(None, map(reachable, users)):
                told += 1
                await publish(session, TermsPublished(
                    to=to, version=version, effective=effective.isoformat(),
                    changes=changes.strip(), url=f"{base_url.rstrip('/')}/terms/{version}"),
                    office_id=self.office_id, now=now)
            self._audit(session, actor, "terms.publish", now, version=version,
                        effective=effective.isoformat(), notified=told)
            return told

    async def set_blocked(self, actor: Actor, user_id: uuid.UUID, blocked: bool, reason: str, *,
                          now: datetime) -> None:
        """Block (art. 11(1)) or unblock a user; a reason is required for both."""
        reason = reason.strip()
        if not reason or len(reason) > 200:
            raise OpError("bad_reason", 422)
        async with transaction(self.sessions) as session:
            user = await self._user(session, user_id)
            if user.blocked == blocked:
                raise OpError("already_blocked" if blocked else "not_blocked", 409)
            user.blocked = blocked
            user.blocked_reason = reason if blocked else None
            user.blocked_at = now if blocked else None
            self._audit(session, actor, "user.block" if blocked else "user.unblock", now,
                        user=str(user.id))

    async def lift_no_show_limit(self, actor: Actor, user_id: uuid.UUID, *,
                                 now: datetime) -> int:
        """Let a user refused for no-shows (art. 5(4)) book again; returns the count it cleared.

        The count goes back to 0 (the limit then counts no-shows from now on); the audit row
        keeps the previous count, and the user is told in LINE.
        """
        async with self.uow.begin(self.written) as work:
            session = work.session
            office = await session.get(Office, self.office_id)
            assert office is not None
            # Locked: a no-show sweep counting the same user waits rather than being lost.
            user = (await session.scalars(select(LineUser).where(
                LineUser.id == user_id, LineUser.office_id == self.office_id)
                .with_for_update())).first()
            if user is None:
                raise OpError("not_found", 404)
            previous = user.no_show_count
            if previous < office.no_show_limit:
                raise OpError("not_limited", 409)
            user.no_show_count = 0
            to = reachable(user)
            if to:
                await publish(session, LimitLifted(to=to, office_phone=office.phone),
                              office_id=self.office_id, now=now)
            self._audit(session, actor, "user.lift_limit", now, user=str(user.id),
                        previous_count=previous, limit=office.no_show_limit)
            return previous

    async def reveal(self, actor: Actor, user_id: uuid.UUID, *, now: datetime) -> LineUser:
        """The user's full profile, shown on purpose; the showing itself is audited."""
        async with transaction(self.sessions) as session:
            user = await self._user(session, user_id)
            self._audit(session, actor, "user.reveal", now, user=str(user.id))
            return user

    async def _user(self, session: AsyncSession, user_id: uuid.UUID) -> LineUser:
        user = await session.get(LineUser, user_id)
        if user is None or user.office_id != self.office_id:
            raise OpError("not_found", 404)
        return user

    async def usage_csv(self, actor: Actor, first: date, last: date, *, now: datetime) -> str:
        """The usage log (art. 6): time slots only, no personal data."""
        if last < first or (last - first).days > 366:
            raise OpError("bad_range", 422)
        start, end = day_range(first, last)
        async with transaction(self.sessions) as session:
            rows = (await session.execute(
                select(Booking.starts_at, Booking.ends_at, Booking.booth, Booking.immediate,
                       Booking.status, Closure.reason)
                .outerjoin(Closure, Closure.id == Booking.closure_id)
                .where(Booking.office_id == self.office_id, Booking.starts_at >= start,
                       Booking.starts_at < end)
                .order_by(Booking.starts_at, Booking.booth, Booking.created_at))).all()
            self._audit(session, actor, "usage.export", now, first=first.isoformat(),
                        last=last.isoformat(), rows=len(rows))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(USAGE_HEADER)
        for starts, ends, booth, immediate, status, reason in rows:
            local = to_jst(starts)
            writer.writerow([local.date().isoformat(), format_time(local.time()),
                             format_time(to_jst(ends).time()), booth,
                             "immediate" if immediate else "reserved", status, reason or ""])
        return out.getvalue()

    async def link_code(self, actor: Actor, *, now: datetime) -> str:
        """A one-time code the staff member sends to the bot to link their LINE account."""
        async with transaction(self.sessions) as session:
            account = await session.get(StaffAccount, actor.id)
            assert account is not None
            code = await new_link_code(session=session, account=account, now=now)
            self._audit(session, actor, "staff.link_code", now)
            return code

    async def unlink(self, actor: Actor, *, now: datetime) -> None:
        """Stop alerts to the staff member's LINE account."""
        async with transaction(self.sessions) as session:
            account = await session.get(StaffAccount, actor.id)
            assert account is not None
            account.line_user_id = None
            self._audit(session, actor, "staff.unlink", now)

    async def add_account(self, actor: Actor, *, login: str, name: str, role: str, password: str,
                          now: datetime) -> None:
        """A new staff account from the console (admins only)."""
        async with transaction(self.sessions) as session:
            try:
                await create_account(session=session, office_id=self.office_id, login=login,
                                     name=name, role=role, password=password, now=now)
            except AccountError as exc:
                raise OpError("account", 422, message=str(exc)) from exc
            self._audit(session, actor, "staff.add", now, login=login, role=role)

    async def disable_account(self, actor: Actor, login: str, *, now: datetime) -> None:
        """Deactivate another staff account (admins only); one cannot lock oneself out."""
        if login == actor.login:
            raise OpError("self", 409)
        async with transaction(self.sessions) as session:
            try:
                await disable_account(session=session, office_id=self.office_id, login=login)
            except AccountError as exc:
                raise OpError("not_found", 404) from exc
            self._audit(session, actor, "staff.disable", now, login=login)
