"""The SQL of the worker's sweeps: find what is due, change it, queue the pushes, audit it.

Each sweep runs in the caller's transaction, so a state change, its outbox rows and its audit
entry commit together. Flags and statuses are set with conditional UPDATE ... RETURNING: a
second run, or a second worker racing this one, changes nothing and sends nothing twice.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from booking import (
    JST,
    NO_SHOW_GRACE,
    mask_name,
    request_deadline,
    request_expiry,
    to_jst,
)
from booking.sites import Site
from dialogs.events import (
    DeadlinePassed,
    NoShow,
    PushFailed,
    ReminderDue,
    RequestExpired,
    SlotFacts,
)
from storage.models import (
    ACTIVE_STATUSES,
    AuditLog,
    Booking,
    BookingStatus,
    FormToken,
    LineUser,
    Office,
    Outbox,
    WaitlistEntry,
)
from storage.sites import closed_days, load_sites, place_of
from storage.unit_of_work import publish

ACTOR = "system:worker"
SOON = timedelta(minutes=30)
# Requests are looked at this far ahead: longer than any run of closed days before a session.
LOOKAHEAD = timedelta(days=16)
PURGE_BATCH = 500
KEEP_FORM_LINKS = timedelta(days=1)  # expired links kept this long, then deleted

Due = tuple[Booking, LineUser]


# --- shared helpers ----------------------------------------------------------------------------

async def office_row(session: AsyncSession, office_id: uuid.UUID) -> Office:
    """The office, for its phone and the limits its staff set."""
    office = await session.get(Office, office_id)
    if office is None:
        raise LookupError(f"no office {office_id}")
    return office


async def closures(session: AsyncSession, office_id: uuid.UUID) -> frozenset[date]:
    """The office's own closed days, on top of the legal holidays."""
    return frozenset((await session.scalars(closed_days(office_id))).all())


def audit(session: AsyncSession, *, office_id: uuid.UUID, now: datetime, action: str,
          booking_id: uuid.UUID | None = None, **detail: Any) -> None:
    """One audit entry by the worker (ids and counts only, never personal data)."""
    session.add(AuditLog(office_id=office_id, at=now, actor=ACTOR, action=action,
                         booking_id=booking_id, detail=detail))


def _slot(rows: list[Booking], sites: tuple[Site, ...] = ()) -> SlotFacts:
    """A booking, or a group of consecutive ones, as one slot for the messages, with its site."""
    first = min(rows, key=lambda b: b.starts_at)
    last = max(rows, key=lambda b: b.ends_at)
    return SlotFacts(booking_id=str(first.id), starts_at=first.starts_at,
                     ends_at=last.ends_at, purpose=first.purpose, attendant=first.attendant,
                     site=place_of(sites, str(first.site_id) if first.site_id else None))


def _groups(rows: Iterable[Due]) -> list[tuple[LineUser, list[Booking]]]:
    """Rows of one group (consecutive slots booked together) are told about once."""
    groups: dict[uuid.UUID, tuple[LineUser, list[Booking]]] = {}
    for booking, user in rows:
        groups.setdefault(booking.group_id or booking.id, (user, []))[1].append(booking)
    return list(groups.values())


def _reachable(user: LineUser) -> str | None:
    """The user's LINE id, unless they can no longer receive a push."""
    return user.line_user_id if user.line_user_id and user.followed else None


def _masked(user: LineUser) -> str | None:
    return mask_name(user.name) if user.name else None


async def _set_once(session: AsyncSession, ids: list[uuid.UUID],
                    column: InstrumentedAttribute[Any], now: datetime,
                    *conditions: Any) -> set[uuid.UUID]:
    """Set a timestamp flag where it is still empty; the ids this call actually set."""
    if not ids:
        return set()
    result = await session.execute(
        update(Booking).where(Booking.id.in_(ids), column.is_(None), *conditions)
        .values({column.key: now}).returning(Booking.id))
    return set(result.scalars().all())


async def _change_status(session: AsyncSession, ids: list[uuid.UUID], now: datetime,
                         old: tuple[str, ...], new: BookingStatus) -> set[uuid.UUID]:
    """Move rows still in `old` to `new` (bumping the version staff edits check)."""
    if not ids:
        return set()
    result = await session.execute(
        update(Booking).where(Booking.id.in_(ids), Booking.status.in_(old))
        .values(status=new, updated_at=now, version=Booking.version + 1)
        .returning(Booking.id))
    return set(result.scalars().all())


def _with_users(*conditions: Any) -> Any:
    return (select(Booking, LineUser).join(LineUser, LineUser.id == Booking.user_id)
            .where(*conditions).order_by(Booking.starts_at))


async def _rows(session: AsyncSession, query: Any) -> list[Due]:
    return [(b, u) for b, u in (await session.execute(query)).all()]


# --- reminders ---------------------------------------------------------------------------------

async def send_reminders(*, session: AsyncSession, office_id: uuid.UUID, now: datetime,
                         day_before_hour: int = 17) -> list[uuid.UUID]:
    """Queue due day-before and 30-minute reminders for confirmed bookings; the ids reminded."""
    office = await office_row(session, office_id)
    done: list[uuid.UUID] = []
    local = to_jst(now)
    if local.hour >= day_before_hour:
        # From the reminder hour until midnight: "明日" in the message is then always true.
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=JST)
        rows = await _rows(session, _with_users(
            *_remindable(office_id), Booking.reminded_day_before_at.is_(None),
            Booking.starts_at >= tomorrow, Booking.starts_at < tomorrow + timedelta(days=1)))
        done += await _remind(session, rows, Booking.reminded_day_before_at, now,
                              "day_before", office.phone)
    rows = await _rows(session, _with_users(
        *_remindable(office_id), Booking.reminded_soon_at.is_(None),
        Booking.starts_at > now, Booking.starts_at <= now + SOON))
    done += await _remind(session, rows, Booking.reminded_soon_at, now, "soon", office.phone)
    return done


def _remindable(office_id: uuid.UUID) -> tuple[Any, ...]:
    # Immediate use starts at once: there is nothing to remind about.
    return (Booking.office_id == office_id, Booking.status == BookingStatus.CONFIRMED,
            Booking.immediate.is_(False), Booking.checked_in_at.is_(None))


async def _remind(session: AsyncSession, rows: list[Due], column: InstrumentedAttribute[Any],
                  now: datetime, when: Literal["day_before", "soon"],
                  phone: str) -> list[uuid.UUID]:
    done: list[uuid.UUID] = []
    # Where to go, rendered into the reminder (day before: address, map, access notes).
    sites = await load_sites(session=session, office_id=rows[0][0].office_id) if rows else ()
    for user, bookings in _groups(rows):
        marked = await _set_once(session, [b.id for b in bookings], column, now,
                                 Booking.status == BookingStatus.CONFIRMED)
        fresh = [b for b in bookings if b.id in marked]
        if fresh:
            to = _reachable(user)
            if to:
                await publish(session, ReminderDue(to=to, when=when, slot=_slot(fresh, sites),
                                                   office_phone=phone),
                              office_id=user.office_id, now=now)
            done += [b.id for b in fresh]
    return done


# --- no-shows (art. 5(4)) ------------------------------------------------------------------------

async def sweep_no_shows(*, session: AsyncSession, office_id: uuid.UUID, now: datetime,
                         console_url: str = "") -> list[uuid.UUID]:
    """Confirmed sessions with no check-in 10 minutes after the start become `no_show`.

    `console_url` is the staff console's root ("…/staff/"); alerts link to the booking's page.
    """
    office = await office_row(session, office_id)
    today = datetime.combine(to_jst(now).date(), time(0), tzinfo=JST)
    other = aliased(Booking)
    # Staff checking in any slot of a group keeps the whole group alive.
    group_checked_in = exists().where(other.group_id == Booking.group_id,
                                      other.checked_in_at.is_not(None))
    late = await _rows(session, _with_users(
        Booking.office_id == office_id, Booking.status == BookingStatus.CONFIRMED,
        Booking.checked_in_at.is_(None), Booking.starts_at <= now - NO_SHOW_GRACE,
        Booking.starts_at >= today, ~group_checked_in))
    done: list[uuid.UUID] = []
    for user, bookings in _groups(late):
        # The group is one reservation: its later slots are deemed cancelled with it.
        group = await _whole_group(session, bookings)
        marked = await _change_status(session, [b.id for b in group], now,
                                      tuple(ACTIVE_STATUSES), BookingStatus.NO_SHOW)
        fresh = [b for b in group if b.id in marked]
        if fresh:
            await _record_no_show(session, office, user, fresh, now, console_url)
            done += [b.id for b in fresh]
    return done


async def _whole_group(session: AsyncSession, bookings: list[Booking]) -> list[Booking]:
    group_id = bookings[0].group_id
    if group_id is None:
        return bookings
    rows = await session.scalars(select(Booking).where(
        Booking.group_id == group_id, Booking.status.in_(ACTIVE_STATUSES),
        Booking.checked_in_at.is_(None)))
    return list(rows.all())


async def _record_no_show(session: AsyncSession, office: Office, user: LineUser,
                          bookings: list[Booking], now: datetime, console_url: str) -> None:
    count = (await session.execute(
        update(LineUser).where(LineUser.id == user.id)
        .values(no_show_count=LineUser.no_show_count + 1)
        .returning(LineUser.no_show_count))).scalar_one()
    refused = count >= office.no_show_limit  # the same rule the booking flow reads
    slot = _slot(bookings)
    first = uuid.UUID(slot.booking_id)
    for booking in bookings:
        audit(session, office_id=office.id, now=now, action="booking.no_show",
              booking_id=booking.id, count=count, refused=refused)
    await publish(session, NoShow(
        to=_reachable(user), slot=slot, count=count, limit=office.no_show_limit, refused=refused,
        masked_name=_masked(user), office_phone=office.phone,
        console_url=console_url and f"{console_url}bookings/{first}"),
        office_id=office.id, now=now)


# --- deadlines (art. 5(1)) -----------------------------------------------------------------------

async def _open_requests(session: AsyncSession, office_id: uuid.UUID, now: datetime,
                         *conditions: Any) -> list[Due]:
    # Immediate use is same-day by nature: the previous-day rule does not apply to it.
    return await _rows(session, _with_users(
        Booking.office_id == office_id, Booking.status == BookingStatus.REQUESTED,
        Booking.immediate.is_(False), Booking.starts_at <= now + LOOKAHEAD, *conditions))


async def alert_unconfirmed(*, session: AsyncSession, office_id: uuid.UUID, now: datetime,
                            console_url: str = "") -> list[uuid.UUID]:
    """At the cut-off, tell staff (once) which requests are still waiting for them."""
    office = await office_row(session, office_id)
    shut = await closures(session, office_id)
    cutoff = time(office.cutoff_hour)
    rows = await _open_requests(session, office_id, now, Booking.starts_at > now,
                                Booking.deadline_alerted_at.is_(None))
    due = [(b, u) for b, u in rows
           if request_deadline(to_jst(b.starts_at).date(), shut, cutoff) <= now
           < request_expiry(to_jst(b.starts_at).date(), shut)]
    marked = await _set_once(session, [b.id for b, _ in due], Booking.deadline_alerted_at, now,
                             Booking.status == BookingStatus.REQUESTED)
    items = [(_slot([b]), _masked(u)) for b, u in due if b.id in marked]
    if items:
        await publish(session, DeadlinePassed(items=tuple(items), cutoff_hour=office.cutoff_hour,
                                              console_url=console_url),
                      office_id=office_id, now=now)
    return [b.id for b, _ in due if b.id in marked]


async def expire_unconfirmed(*, session: AsyncSession, office_id: uuid.UUID,
                             now: datetime) -> list[uuid.UUID]:
    """Requests unconfirmed when the previous open day's hours end become `expired`.

    The freed slots are not offered to the waitlist: expiry (17:00 of the previous open day)
    is never before that day's request deadline (the cut-off, 9-17), so nothing is requestable.
    """
    office = await office_row(session, office_id)
    shut = await closures(session, office_id)
    rows = await _open_requests(session, office_id, now)
    due = [(b, u) for b, u in rows if request_expiry(to_jst(b.starts_at).date(), shut) <= now]
    marked = await _change_status(session, [b.id for b, _ in due], now,
                                  (BookingStatus.REQUESTED,), BookingStatus.EXPIRED)
    done: list[uuid.UUID] = []
    for user, bookings in _groups((b, u) for b, u in due if b.id in marked):
        slot = _slot(bookings)
        for booking in bookings:
            audit(session, office_id=office_id, now=now, action="booking.expired",
                  booking_id=booking.id)
        to = _reachable(user)
        if to:
            await publish(session, RequestExpired(to=to, slot=slot, office_phone=office.phone),
                          office_id=office_id, now=now)
        done += [b.id for b in bookings]
    return done


# --- retention (art. 6, 7) -----------------------------------------------------------------------

async def purge_expired_personal_data(*, session: AsyncSession, office_id: uuid.UUID,
                                      now: datetime, keep: timedelta) -> list[uuid.UUID]:
    """Anonymise users idle for `keep` since their last booking; time slots stay for statistics."""
    cutoff = now - keep
    recent = exists().where(Booking.user_id == LineUser.id, Booking.starts_at >= cutoff)
    ids = list((await session.scalars(
        select(LineUser.id).where(
            LineUser.office_id == office_id, LineUser.anonymized_at.is_(None),
            LineUser.created_at < cutoff,
            or_(LineUser.last_booking_at.is_(None), LineUser.last_booking_at < cutoff),
            or_(LineUser.profile_updated_at.is_(None), LineUser.profile_updated_at < cutoff),
            ~recent)
        .limit(PURGE_BATCH))).all())
    if ids:
        await anonymise_users(session=session, office_id=office_id, user_ids=ids, now=now)
    return ids


async def purge_expired_form_links(*, session: AsyncSession, office_id: uuid.UUID,
                                   now: datetime) -> int:
    """Delete form links expired over a day ago (the failure lockout reads the last hour's)."""
    result = await session.execute(delete(FormToken).where(
        FormToken.office_id == office_id, FormToken.expires_at < now - KEEP_FORM_LINKS))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def anonymise_users(*, session: AsyncSession, office_id: uuid.UUID,
                          user_ids: list[uuid.UUID], now: datetime) -> None:
    """Delete what identifies these users; keep their bookings (time slots) and the audit log."""
    line_ids = [i for i in (await session.scalars(
        select(LineUser.line_user_id).where(LineUser.id.in_(user_ids)))).all() if i]
    await session.execute(delete(FormToken).where(FormToken.user_id.in_(user_ids)))
    await session.execute(delete(WaitlistEntry).where(WaitlistEntry.user_id.in_(user_ids)))
    if line_ids:
        await session.execute(delete(Outbox).where(Outbox.office_id == office_id,
                                                   Outbox.to_line_user_id.in_(line_ids)))
    # Staff notes are free text and may name the person; the slot itself stays.
    await session.execute(update(Booking).where(Booking.user_id.in_(user_ids)).values(note=None))
    for user_id in user_ids:
        await session.execute(
            update(LineUser).where(LineUser.id == user_id).values(
                name=None, number=None, phone=None, line_user_id=None, blocked_reason=None,
                line_user_hash=secrets.token_hex(16), anonymized_at=now))
        audit(session, office_id=office_id, now=now, action="user.anonymized",
              user=str(user_id))


# --- failed pushes --------------------------------------------------------------------------------

async def alert_failed_push(*, session: AsyncSession, row: Outbox, now: datetime,
                            console_url: str = "") -> int:
    """Tell staff a push to a user failed for good; staff alerts themselves are not re-alerted."""
    if row.kind.startswith("staff."):
        return 0
    slot, name = None, None
    if row.booking_id is not None:
        booking = await session.get(Booking, row.booking_id)
        if booking is not None:
            slot = _slot([booking])
            user = await session.get(LineUser, booking.user_id)
            name = _masked(user) if user else None
    return await publish(session, PushFailed(
        kind=row.kind, slot=slot, masked_name=name, console_url=console_url,
        booking_id=str(row.booking_id) if row.booking_id else None),
        office_id=row.office_id, now=now)
