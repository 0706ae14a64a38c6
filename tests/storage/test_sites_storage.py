"""Sites, closures and capacity limits as stored and read back for the booking rules, on both
engines: the first start gives the office one site; the demo adds the town hall's booth, a
Friday-afternoon capacity of one and a closure of the town hall."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from booking import JST, slot_starts
from config import Settings
from storage.availability import AvailabilityService
from storage.db import make_sessionmaker, transaction
from storage.demo_seed import TOWN_SITE, seed_demo_bookings, seed_demo_sites
from storage.models import Booking, BookingStatus, Closure, LineUser, Office
from storage.seed import ensure_office
from storage.sites import closed_days, set_office_booths

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # Tuesday
THURSDAY, FRIDAY = date(2026, 12, 3), date(2026, 12, 4)


async def _office(db: AsyncEngine):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(
        _env_file=None, environment="test", office_code=f"c{uuid.uuid4().hex[:10]}"))
    return sessions, office_id


async def test_a_new_office_has_one_site_with_its_booths_and_the_office_hours(db: AsyncEngine):
    sessions, office_id = await _office(db)
    cal = await AvailabilityService(sessions, office_id).calendar(NOW)
    (site,) = cal.sites
    assert site.booths == (1,) and site.name.endswith("相談ブース") and site.id is not None
    assert [(h.weekday, h.opens, h.closes) for h in site.hours] == [
        (d, time(9), time(17)) for d in range(5)]
    async with transaction(sessions) as session:
        await set_office_booths(session, office_id=office_id, count=3)
        (await session.get(Office, office_id)).booths = 3
    assert (await AvailabilityService(sessions, office_id).calendar(NOW)).sites[0].booths == (
        1, 2, 3)


async def test_the_demo_town_hall_opens_tuesday_and_thursday_and_its_closure_is_its_own(
        db: AsyncEngine):
    sessions, office_id = await _office(db)
    assert await seed_demo_sites(sessions, office_id, NOW)
    assert not await seed_demo_sites(sessions, office_id, NOW)  # once only
    service = AvailabilityService(sessions, office_id)
    cal = await service.calendar(NOW)
    own, town = cal.sites
    assert town.name == TOWN_SITE["name"] and town.booths == (2,) and cal.booths == 2
    free = await service.free_slots("U1", THURSDAY, NOW, site_id=town.id)
    assert [f"{s:%H:%M}" for s in free][:1] == ["10:00"] and len(free) == 10
    assert await service.free_slots("U1", FRIDAY, NOW, site_id=town.id) == []
    async with sessions() as session:
        closure = (await session.scalars(select(Closure))).one()
        # A one-site closure is no closed day: deadlines and the other site are untouched.
        assert (await session.scalars(closed_days(office_id))).all() == []
    assert closure.site_id is not None and str(closure.site_id) == town.id
    assert await service.free_slots("U1", closure.day, NOW, site_id=town.id) == []
    assert len(await service.free_slots("U1", closure.day, NOW, site_id=own.id)) == 16


async def test_the_friday_afternoon_capacity_counts_bookings_at_the_other_site(db: AsyncEngine):
    sessions, office_id = await _office(db)
    await seed_demo_sites(sessions, office_id, NOW)
    service = AvailabilityService(sessions, office_id)
    own, town = (await service.calendar(NOW)).sites
    await seed_demo_bookings(sessions, office_id, NOW)
    friday_two = datetime.combine(FRIDAY, time(14), tzinfo=JST)
    async with transaction(sessions) as session:
        user = (await session.scalars(select(LineUser))).first()
        session.add(Booking(office_id=office_id, user_id=user.id, booth=2, site_id=uuid.UUID(
            town.id), starts_at=friday_two, ends_at=friday_two + timedelta(minutes=30),
            status=BookingStatus.CONFIRMED, purpose="job_consultation"))
    # The town hall keeps no Friday hours, but its booth was booked by staff: that takes the
    # one counsellor of Friday afternoon, so the office's own booth is not free then either.
    own_friday = await service.free_slots("U1", FRIDAY, NOW, site_id=own.id)
    assert friday_two not in own_friday
    assert datetime.combine(FRIDAY, time(13, 30), tzinfo=JST) in own_friday
    assert slot_starts(FRIDAY)[0] in own_friday
