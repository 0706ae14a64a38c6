"""Bookings in the database: availability, the request commit, cancel, moves, waitlist offers.

Data functions only: each takes `(*, session, ...)` and never commits; `RequestsService` owns the
transaction, so a booking and its outbox rows (staff alerts, waitlist offers) are one commit.
The partial unique index on (office, booth, starts_at) is what makes double booking impossible.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking import (
    SLOT_LENGTH,
    bookable_days,
    current_slot_start,
    mask_name,
    to_jst,
)
from booking.availability import Calendar, Occupancy, Window, day_bounds, free_booths, slot_run
from booking.kinds import Purpose
from booking.sites import Site
from dialogs.events import MoveAccepted, RequestCancelled, RequestCreated, RequestFacts, SlotFreed
from dialogs.ports import BookingInfo, Draft, Reason
from dialogs.ports import refusal as refusal_rule
from storage.models import (
    ACTIVE_STATUSES,
    AuditLog,
    Booking,
    BookingStatus,
    LineUser,
    Office,
    WaitlistEntry,
)
from storage.sites import (
    HORIZON,
    calendar_of,
    load_closures,
    load_limits,
    load_sites,
    place_of,
    site_uuid,
)
from storage.unit_of_work import publish

ACTIVE = [str(status) for status in ACTIVE_STATUSES]
SEARCH_DAYS = 10  # open days searched for the nearest free slot or the next bookable one
MOVE_ACCEPTED = "booking.move_accepted"
INTERVIEW = Purpose.INTERVIEW  # requests that take one slot per applicant (§7)


async def load_calendar(*, session: AsyncSession, office: Office, now: datetime) -> Calendar:
    """Closures ahead, the cut-off hour, the sites and their booths, the capacity limits, as
    staff last set them (read now: a commit's own reading; steps use storage/office_cache)."""
    today = to_jst(now).date()
    ranges = await load_closures(session=session, office_id=office.id, first=today,
                                 last=today + HORIZON)
    return calendar_of(office, today, ranges=ranges,
                       sites=await load_sites(session=session, office_id=office.id),
                       limits=await load_limits(session=session, office_id=office.id,
                                                first=today))


async def occupancy(*, session: AsyncSession, office_id: uuid.UUID, start: datetime,
                    end: datetime) -> Occupancy:
    """Booths in use per session start in [start, end), from active bookings."""
    rows = await session.execute(select(Booking.starts_at, Booking.booth).where(
        Booking.office_id == office_id, Booking.status.in_(ACTIVE),
        Booking.starts_at >= start, Booking.starts_at < end))
    used: Occupancy = defaultdict(set)
    for starts_at, booth in rows:
        used[starts_at].add(booth)
    return used


async def window(*, session: AsyncSession, office: Office, now: datetime,
                 days: list[date] | None = None, count: int = SEARCH_DAYS,
                 cal: Calendar | None = None) -> Window:
    """Read the calendar (unless given), then the bookings of `days` (default: the next
    `count` bookable days) in one query."""
    cal = cal or await load_calendar(session=session, office=office, now=now)
    days = days if days is not None else bookable_days(now, count, cal.closures, cal.cutoff)
    if not days:
        return Window(cal=cal, used={}, days=[], now=now)
    used = await occupancy(session=session, office_id=office.id, start=day_bounds(min(days))[0],
                           end=day_bounds(max(days))[1])
    return Window(cal=cal, used=used, days=days, now=now)


async def locked_window(*, session: AsyncSession, office: Office, now: datetime,
                        starts: list[datetime]) -> Window:
    """The window of the day of `starts` for a commit. Where staff capacity is below the
    booths, the booth index cannot keep the count: the office row is locked first (PostgreSQL),
    so commits at those starts count the bookings one after another."""
    days = [to_jst(starts[0]).date()]
    free = await window(session=session, office=office, now=now, days=days)
    if all(free.cal.capacity(start) >= free.cal.booths for start in starts):
        return free
    await session.execute(select(Office.id).where(Office.id == office.id).with_for_update())
    return await window(session=session, office=office, now=now, days=days)


async def active_requests(*, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    """Requests not yet over (consecutive slots of one request count once): the per-user cap."""
    rows = await session.execute(select(Booking.id, Booking.group_id).where(
        Booking.user_id == user_id, Booking.status.in_(ACTIVE), Booking.ends_at > now))
    return len({group or booking for booking, group in rows})


def active_requests_of(user: Any, now: datetime) -> Any:
    """`active_requests` as a subquery per user row, so the user and the count come back in
    one round trip (the chat asks for both on most steps)."""
    return (select(func.count(func.distinct(func.coalesce(Booking.group_id, Booking.id))))
            .where(Booking.user_id == user.id, Booking.status.in_(ACTIVE), Booking.ends_at > now)
            .scalar_subquery())


def refusal(user: LineUser | None, office: Office, terms_version: str | None) -> Reason:
    """Why this user may not request now: dialogs.ports.refusal over the stored facts."""
    if user is None:
        return Reason.CONSENT
    return refusal_rule(consented=terms_version is not None
                        and user.consent_version == terms_version,
                        blocked=user.blocked, no_shows=user.no_show_count,
                        no_show_limit=office.no_show_limit,
                        has_profile=bool(user.name and user.phone))


def audit(session: AsyncSession, office_id: uuid.UUID, now: datetime, action: str,
          booking_id: uuid.UUID | None, **detail: Any) -> None:
    """Record what happened, without personal data (art. 6, 7)."""
    session.add(AuditLog(office_id=office_id, at=now, actor="user", action=action,
                         booking_id=booking_id, detail=detail))


def facts_of(rows: list[Booking], user: LineUser, sites: tuple[Site, ...] = (),
             console: str = "") -> RequestFacts:
    """The staff alert's view of a request: masked name only, the site, the console link
    (`console`: the console's root, "…/staff/")."""
    head = rows[0]
    return RequestFacts(
        site=place_of(sites, str(head.site_id) if head.site_id else None),
        console_url=f"{console}bookings/{head.id}" if console else "",
        booking_id=str(head.id), starts_at=head.starts_at, purpose=head.purpose,
        masked_name=mask_name(user.name) if user.name else "お名前未登録", slots=len(rows),
        role=user.role, attendant=head.attendant, job_number=head.job_number,
        applicants=head.applicants, interpret_language=head.interpret_language)


async def insert_request(*, session: AsyncSession, office: Office, user: LineUser, draft: Draft,
                         booths: list[int], now: datetime, sites: tuple[Site, ...],
                         immediate: bool = False, site_id: str | None = None,
                         console: str = "") -> list[Booking]:
    """Insert one row per slot and alert staff; IntegrityError at flush when a slot was taken.
    `sites` are the calendar's the booths were chosen from (they name the place)."""
    assert draft.starts_at is not None
    starts = slot_run(draft.starts_at, len(booths))
    group = uuid.uuid4() if len(starts) > 1 else None
    site = site_uuid(site_id)
    if site is not None:
        user.usual_site_id = site  # offered first next time
    user.last_booking_at = now  # one UPDATE of the user with the site (rolled back if taken)
    rows = [Booking(office_id=office.id, user_id=user.id, booth=booth, site_id=site,
                    starts_at=start,
                    ends_at=start + SLOT_LENGTH, status=BookingStatus.REQUESTED,
                    purpose=draft.purpose, job_number=draft.job_number,
                    applicants=draft.applicants, attendant=draft.attendant, immediate=immediate,
                    interpret_language=draft.interpret_language,
                    group_id=group, created_at=now, updated_at=now)
            for start, booth in zip(starts, booths, strict=True)]
    session.add_all(rows)
    await session.flush()  # the partial unique index decides here
    audit(session, office.id, now, "booking.requested", rows[0].id, slots=len(rows),
          immediate=immediate)
    await publish(session, RequestCreated(facts_of(rows, user, sites, console),
                                          immediate=immediate),
                  office_id=office.id, now=now)
    return rows


async def request_rows(*, session: AsyncSession, user_id: uuid.UUID, booking_id: str,
                       lock: bool = False) -> list[Booking]:
    """All rows of the user's request that `booking_id` belongs to; `lock` before changing
    them, so a staff action on the same rows waits (PostgreSQL; SQLite writes one at a time)."""
    try:
        key = uuid.UUID(booking_id)
    except ValueError:
        return []
    head = await session.get(Booking, key, with_for_update=lock)
    if head is None or head.user_id != user_id:
        return []
    if head.group_id is None:
        return [head]
    query = select(Booking).where(Booking.group_id == head.group_id,
                                  Booking.user_id == user_id).order_by(Booking.starts_at)
    return list((await session.scalars(query.with_for_update() if lock else query)).all())


async def answered_moves(*, session: AsyncSession, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Bookings whose new time (set by the office) the user already accepted."""
    if not ids:
        return set()
    found = await session.scalars(select(AuditLog.booking_id).where(
        AuditLog.action == MOVE_ACCEPTED, AuditLog.booking_id.in_(ids)))
    return {booking for booking in found if booking is not None}


def info_of(rows: list[Booking], *, answered: bool = False, ics_url: str | None = None,
            sites: tuple[Site, ...] = ()) -> BookingInfo:
    """The user's view of one request, with the place to go (from `sites`, the office's)."""
    head, last = rows[0], rows[-1]
    moved = head.moved_from_id is not None
    return BookingInfo(
        id=str(head.id), starts_at=head.starts_at, ends_at=last.ends_at, status=head.status,
        purpose=head.purpose, slots=len(rows), immediate=head.immediate,
        attendant=head.attendant, job_number=head.job_number, applicants=head.applicants,
        moved=moved, awaiting_answer=moved and not answered and head.status in ACTIVE,
        ics_url=ics_url if head.status == BookingStatus.CONFIRMED else None,
        site=place_of(sites, str(head.site_id) if head.site_id else None))


async def upcoming(*, session: AsyncSession, user_id: uuid.UUID,
                   now: datetime) -> list[list[Booking]]:
    """The user's active requests not yet over, grouped, earliest first."""
    rows = (await session.scalars(select(Booking).where(
        Booking.user_id == user_id, Booking.status.in_(ACTIVE), Booking.ends_at > now)
        .order_by(Booking.starts_at))).all()
    groups: dict[uuid.UUID, list[Booking]] = {}
    for row in rows:
        groups.setdefault(row.group_id or row.id, []).append(row)
    return list(groups.values())


async def cancel_rows(*, session: AsyncSession, office: Office, user: LineUser,
                      rows: list[Booking], now: datetime, refused_move: bool = False) -> None:
    """Cancel a request, alert staff and offer the freed slots to the waitlist; one commit."""
    for row in rows:
        row.status, row.updated_at, row.version = BookingStatus.CANCELLED, now, row.version + 1
    audit(session, office.id, now, "booking.move_refused" if refused_move else "booking.cancelled",
          rows[0].id, slots=len(rows))
    sites = await load_sites(session=session, office_id=office.id)
    await publish(session, RequestCancelled(facts_of(rows, user, sites),
                                            refused_move=refused_move),
                  office_id=office.id, now=now)
    await session.flush()
    await offer_freed(session=session, office=office, day=to_jst(rows[0].starts_at).date(),
                      now=now)


async def accept_rows(*, session: AsyncSession, office: Office, user: LineUser,
                      rows: list[Booking], now: datetime) -> None:
    """The user agrees to the office's new time (art. 5(5)): it stands as confirmed."""
    for row in rows:
        if row.status == BookingStatus.REQUESTED:
            row.status, row.confirmed_at = BookingStatus.CONFIRMED, now
        row.updated_at, row.version = now, row.version + 1
    audit(session, office.id, now, MOVE_ACCEPTED, rows[0].id)
    sites = await load_sites(session=session, office_id=office.id)
    await publish(session, MoveAccepted(facts_of(rows, user, sites)), office_id=office.id,
                  now=now)


def entry_need(entry: WaitlistEntry) -> int:
    """Slots a waiting request needs: one per applicant for interviews, else one."""
    return max(entry.applicants or 1, 1) if entry.purpose == INTERVIEW else 1


async def offer_freed(*, session: AsyncSession, office: Office, day: date, now: datetime) -> int:
    """Push an offer to everyone waiting for `day` that now fits; the first tap wins."""
    entries = (await session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.office_id == office.id, WaitlistEntry.day == day,
        WaitlistEntry.active.is_(True)).order_by(WaitlistEntry.created_at))).all()
    if not entries:
        return 0
    free = await window(session=session, office=office, now=now, days=[day])
    sent = 0
    for entry in entries:
        need = entry_need(entry)
        starts = free.starts(day, need, str(entry.site_id) if entry.site_id else None)
        user = await session.get(LineUser, entry.user_id)
        if not starts or user is None or not user.line_user_id or not user.followed:
            continue
        await publish(session, SlotFreed(to=user.line_user_id, entry_id=str(entry.id),
                                         starts=tuple(starts), need=need),
                      office_id=office.id, now=now)
        entry.notified_at = now
        sent += 1
    return sent


async def join_waitlist(*, session: AsyncSession, office: Office, user: LineUser, day: date,
                        draft: Draft, now: datetime) -> WaitlistEntry:
    """Wait for `day` at the request's site (one entry per user, day and site, the latest
    request wins)."""
    site = site_uuid(draft.site_id)
    entry = (await session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.office_id == office.id, WaitlistEntry.user_id == user.id,
        WaitlistEntry.day == day, WaitlistEntry.site_id.is_not_distinct_from(site),
        WaitlistEntry.active.is_(True)))).first()
    if entry is None:
        entry = WaitlistEntry(office_id=office.id, user_id=user.id, day=day, site_id=site,
                              created_at=now)
        session.add(entry)
    entry.purpose, entry.job_number = draft.purpose, draft.job_number
    entry.applicants, entry.attendant = draft.applicants, draft.attendant
    return entry


def waitlist_draft(entry: WaitlistEntry, starts_at: datetime) -> Draft:
    """The request a waitlist entry was waiting with, at the offered time."""
    return Draft(purpose=entry.purpose or "job_consultation", starts_at=starts_at,
                 slots=entry_need(entry), job_number=entry.job_number,
                 applicants=entry.applicants, attendant=entry.attendant or "none",
                 site_id=str(entry.site_id) if entry.site_id else None)


async def immediate_state(*, session: AsyncSession, office: Office, user_id: uuid.UUID | None,
                          now: datetime, site_id: str | None = None
                          ) -> tuple[Reason, datetime | None]:
    """Whether a booth is free for immediate use now (art. 5-2): ("" or a reason, the slot)."""
    cal = await load_calendar(session=session, office=office, now=now)
    start = current_slot_start(now, cal.closures)
    if start is None:
        return Reason.CLOSED, None
    if not office.immediate_use_enabled:
        return Reason.DISABLED, start
    used = await occupancy(session=session, office_id=office.id, start=start,
                           end=start + SLOT_LENGTH)
    if user_id is not None and await session.scalar(select(Booking.id).where(
            Booking.user_id == user_id, Booking.status.in_(ACTIVE),
            Booking.starts_at == start).limit(1)):
        return Reason.ALREADY, start
    if not free_booths(cal, used, start, site_id):
        return Reason.BUSY, start
    return Reason.NONE, start
