"""A dialog step reads the office's calendar once (AvailabilityService.for_step): every
question of the step sees that one reading, and the next step sees what staff changed."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from booking import JST
from booking.calendar import _national_holidays, national_holiday_name, warm_holidays
from config import Settings
from storage.availability import AvailabilityService
from storage.conversations import SlotHolds
from storage.db import make_sessionmaker, transaction
from storage.models import Closure, Office, SiteRow
from storage.seed import ensure_office
from storage.sites import closed_all_day, closed_days, load_closures, set_office_booths

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # Tuesday


async def test_a_step_reads_its_calendar_once_and_the_next_step_sees_staff_changes(
        db: AsyncEngine):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(
        _env_file=None, environment="test", office_code=f"c{uuid.uuid4().hex[:10]}"))
    shared = AvailabilityService(sessions, office_id)
    step = shared.for_step()
    first = await step.calendar(NOW)
    async with transaction(sessions) as session:  # staff add booths in the middle of the step
        await set_office_booths(session, office_id=office_id, count=3)
        (await session.get(Office, office_id)).booths = 3
    assert await step.calendar(NOW) is first  # the step keeps its one reading
    assert first.sites[0].booths == (1,)
    assert (await step.for_step().calendar(NOW)).sites[0].booths == (1, 2, 3)  # the next step
    assert (await shared.calendar(NOW)).sites[0].booths == (1, 2, 3)  # the shared one: no memo


def test_holidays_warmed_at_start_cover_this_year_and_the_next():
    _national_holidays.cache_clear()
    warm_holidays(NOW.date())
    assert _national_holidays.cache_info().currsize == 2
    assert national_holiday_name(date(2027, 1, 1)) == "元日"
    assert _national_holidays.cache_info().misses == 2  # read from the warmed year


async def test_one_closures_query_gives_the_closed_days_and_the_ranges_in_force(db: AsyncEngine):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(
        _env_file=None, environment="test", office_code=f"c{uuid.uuid4().hex[:10]}"))
    whole, partial, one_site, reopened, later = (date(2026, 12, d) for d in (2, 3, 4, 7, 30))
    async with transaction(sessions) as session:
        site = (await session.scalars(select(SiteRow).where(SiteRow.office_id == office_id))
                ).first()
        session.add_all([
            Closure(office_id=office_id, day=whole, reason="研修"),
            Closure(office_id=office_id, day=partial, starts=time(13), ends=time(15)),
            Closure(office_id=office_id, day=one_site, site_id=site.id),
            Closure(office_id=office_id, day=reopened, reopened_at=NOW),
            Closure(office_id=office_id, day=later)])
    async with sessions() as session:
        ranges = await load_closures(session=session, office_id=office_id,
                                     first=date(2026, 12, 1), last=date(2026, 12, 10))
        days = closed_all_day(ranges)
        expected = frozenset((await session.scalars(
            closed_days(office_id, date(2026, 12, 1), date(2026, 12, 10)))).all())
    assert days == expected == {whole}
    assert [(r.day, r.starts, r.site_id) for r in ranges] == [
        (whole, None, None), (partial, time(13), None), (one_site, None, str(site.id))]
    assert ranges[0].reason == "研修"


async def test_a_hold_in_a_step_counts_the_booths_of_the_steps_calendar(
        db: AsyncEngine, redis_server):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(
        _env_file=None, environment="test", office_code=f"c{uuid.uuid4().hex[:10]}"))
    redis = Redis.from_url(redis_server.url)
    try:
        holds = SlotHolds(redis, prefix=f"h-{uuid.uuid4().hex[:8]}")
        shared = AvailabilityService(sessions, office_id, holds=holds)
        starts = datetime(2026, 12, 3, 10, 0, tzinfo=JST)  # Thursday, two days on
        assert await shared.hold("U1", starts)  # booth 1, the only one
        step = shared.for_step()
        await step.calendar(NOW)  # the step reads the calendar first, as the slot step does
        async with transaction(sessions) as session:  # then staff add two booths
            await set_office_booths(session, office_id=office_id, count=3)
            (await session.get(Office, office_id)).booths = 3
        assert not await step.hold("U2", starts)  # the step's one booth is held
        assert await step.for_step().hold("U2", starts)  # the next step sees booth 2
    finally:
        await redis.aclose()
