"""A few demo users and bookings, a second booth site (a fictitious 町役場), a capacity
reduction and a closure, so the console and the chat have something to show on first start."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import next_open_days, slot_starts
from booking.sites import Hours
from logs import hash_line_user
from storage.db import transaction
from storage.models import (
    Booking,
    BookingStatus,
    BoothRow,
    CapacityLimitRow,
    Closure,
    LineUser,
    Office,
)
from storage.sites import add_site, site_rows

# A fictitious town hall booth (the name and address are made up; the map link only searches
# for the made-up address), open Tuesdays and Thursdays 10:00–15:00 (DESIGN §13).
TOWN_SITE = {
    "name": "見本町役場 2階 相談室",
    "address": "青森県見本郡見本町大字見本1-1（架空の住所）",
    "map_url": ("https://www.google.com/maps/search/?api=1&query="
                "%E8%A6%8B%E6%9C%AC%E7%94%BA%E5%BD%B9%E5%A0%B4"),
    "access_notes": ("正面玄関から入り、2階の総務課窓口で"
                     "「ハローワークのオンライン相談です」とお伝えください。"),
}
OWN_NOTES = "庁舎1階の受付で「オンライン相談の予約です」とお伝えください。"
TOWN_HOURS = (Hours(1, time(10), time(15)), Hours(3, time(10), time(15)))

# Obviously fictitious people (numbers and 0173-00-xxxx phones are not real).
DEMO_PEOPLE = (
    ("Udemo0000000000000000000000000001", "jobseeker", "見本 太郎", "02040-00000001",
     "+81173000001"),
    ("Udemo0000000000000000000000000002", "employer", "見本商事株式会社", "0204-000000-1",
     "+81173000002"),
)


async def seed_demo_bookings(sessions: async_sessionmaker[AsyncSession], office_id: uuid.UUID,
                             now: datetime) -> int:
    """Two demo bookings on the next open days; does nothing when bookings already exist."""
    async with transaction(sessions) as session:
        if await session.scalar(select(func.count()).select_from(Booking)):
            return 0
        days = next_open_days(now.date() + timedelta(days=1), 2)
        own = next(iter(await site_rows(session=session, office_id=office_id)), None)
        statuses = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
        purposes = ("job_consultation", "employer_consultation")
        for (line_id, role, name, number, phone), day, status, purpose in zip(
                DEMO_PEOPLE, days, statuses, purposes, strict=True):
            user = LineUser(office_id=office_id, line_user_id=line_id,
                            line_user_hash=hash_line_user(line_id), role=role, name=name,
                            number=number, phone=phone, consent_version="2024-10-01",
                            consented_at=now, profile_updated_at=now, followed=False)
            session.add(user)
            await session.flush()
            start = slot_starts(day)[2]
            session.add(Booking(office_id=office_id, user_id=user.id, booth=1,
                                site_id=own.id if own else None, starts_at=start,
                                ends_at=start + timedelta(minutes=30), status=status,
                                purpose=purpose, created_at=now,
                                confirmed_at=now if status == BookingStatus.CONFIRMED else None))
        return 2


async def seed_demo_sites(sessions: async_sessionmaker[AsyncSession], office_id: uuid.UUID,
                          now: datetime) -> bool:
    """The town hall site (booth 2), a Friday-afternoon capacity of one, and a closure of
    the town hall in a week's time; does nothing once the office has a second site."""
    async with transaction(sessions) as session:
        sites = await site_rows(session=session, office_id=office_id)
        if len(sites) != 1:
            return False
        own = sites[0]
        own.access_notes = own.access_notes or OWN_NOTES
        booths = await session.scalars(select(func.max(BoothRow.number)).where(
            BoothRow.office_id == office_id))
        booth = (booths.one() or 1) + 1
        await add_site(session, office_id=office_id, booths=[booth], hours=TOWN_HOURS,
                       position=1, **TOWN_SITE)
        office = await session.get(Office, office_id)
        assert office is not None
        office.booths = booth
        session.add(CapacityLimitRow(office_id=office_id, weekday=4, starts=time(13),
                                     ends=time(17), capacity=1, created_at=now,
                                     reason="金曜午後は相談員1名のため", created_by="demo"))
        town = (await site_rows(session=session, office_id=office_id))[-1]
        closed = next(day for day in next_open_days(now.date() + timedelta(days=6), 10)
                      if day.weekday() in (1, 3))  # a day the town hall would be open
        session.add(Closure(office_id=office_id, day=closed, site_id=town.id,
                            reason="町役場の庁舎点検のため", created_at=now, created_by="demo"))
        return True
