"""A few demo users and bookings, so the console has something to show on first start."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import next_open_days, slot_starts
from logs import hash_line_user
from storage.db import transaction
from storage.models import Booking, BookingStatus, LineUser

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
            session.add(Booking(office_id=office_id, user_id=user.id, booth=1, starts_at=start,
                                ends_at=start + timedelta(minutes=30), status=status,
                                purpose=purpose, created_at=now,
                                confirmed_at=now if status == BookingStatus.CONFIRMED else None))
        return 2
