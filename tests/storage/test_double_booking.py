"""The partial unique index makes double booking impossible, on both engines."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from storage.db import make_sessionmaker, transaction
from storage.models import Booking, BookingStatus, LineUser
from storage.seed import ensure_office

JST = ZoneInfo("Asia/Tokyo")
SLOT = datetime(2026, 12, 3, 10, 0, tzinfo=JST)


async def _users(sessions, office_id, n: int) -> list:
    async with transaction(sessions) as session:
        users = [LineUser(office_id=office_id, line_user_hash=f"h{i}") for i in range(n)]
        session.add_all(users)
    return [u.id for u in users]


async def _try_book(sessions, office_id, user_id, booth: int = 1) -> bool:
    try:
        async with transaction(sessions) as session:
            session.add(Booking(office_id=office_id, user_id=user_id, booth=booth,
                                starts_at=SLOT, ends_at=SLOT.replace(minute=30),
                                purpose="job_consultation"))
        return True
    except IntegrityError:
        return False


async def test_many_concurrent_commits_of_one_slot_leave_exactly_one_booking(db: AsyncEngine):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(_env_file=None, environment="test"))
    users = await _users(sessions, office_id, 40)
    results = await asyncio.gather(*(_try_book(sessions, office_id, u) for u in users))
    assert results.count(True) == 1
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Booking))
    assert count == 1


async def test_a_cancelled_booking_frees_the_slot_and_other_booths_are_independent(db: AsyncEngine):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(_env_file=None, environment="test"))
    first, second, third = await _users(sessions, office_id, 3)
    assert await _try_book(sessions, office_id, first)
    assert await _try_book(sessions, office_id, third, booth=2)
    assert not await _try_book(sessions, office_id, second)
    async with transaction(sessions) as session:
        booking = (await session.scalars(select(Booking).where(Booking.booth == 1))).one()
        booking.status = BookingStatus.CANCELLED
    assert await _try_book(sessions, office_id, second)


async def test_datetimes_come_back_aware_in_utc(db: AsyncEngine):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(_env_file=None, environment="test"))
    (user,) = await _users(sessions, office_id, 1)
    assert await _try_book(sessions, office_id, user)
    async with sessions() as session:
        booking = (await session.scalars(select(Booking))).one()
    assert booking.starts_at == SLOT
    assert booking.starts_at.utcoffset() == timedelta(0)  # UTC, not just aware
    assert booking.starts_at.hour == 1  # 10:00 JST is 01:00 UTC
