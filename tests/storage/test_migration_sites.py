"""Migration 0004 on a database holding an office from before sites: its booths become one
site with the office's hours, its bookings stand there, its closures stay whole days."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Date, Integer, String, Uuid, column, select, table
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import TableClause

from devservices import PostgresServer
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Booking, BoothRow, Closure, SiteHoursRow, SiteRow, WaitlistEntry
from storage.types import UTCDateTime
from tests.conftest import new_db_name

BEFORE_SITES = "0003_form_links_and_staff_mfa"
OFFICE = uuid.uuid4()
USER = uuid.uuid4()
CLOSED = date(2026, 12, 24)


def _table(name: str, values: dict[str, Any]) -> TableClause:
    """A bare table of the old revision's columns, typed so both drivers bind the values."""
    kinds = {uuid.UUID: Uuid(), datetime: UTCDateTime(), date: Date(), bool: Boolean(),
             int: Integer(), str: String()}
    return table(name, *(column(key, kinds[type(value)]) for key, value in values.items()))


@pytest.fixture(params=["postgresql", "sqlite"])
async def old_db(request: pytest.FixtureRequest, pg_server: PostgresServer,
                 tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database at the revision before sites, holding an office with two booths."""
    if request.param == "postgresql":
        name = new_db_name("mig")
        await pg_server.create_database(name)
        url = pg_server.dsn_for(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    await upgrade(engine, BEFORE_SITES)
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        for table, values in (
            ("offices", {"id": OFFICE, "code": "old", "name": "五所川原",
                         "phone": "0173-00-0000", "address": "青森県五所川原市", "hours": "",
                         "booths": 2, "cutoff_hour": 15, "no_show_limit": 2,
                         "max_active_requests": 3, "immediate_use_enabled": False,
                         "created_at": now}),
            ("users", {"id": USER, "office_id": OFFICE, "line_user_hash": "h",
                       "no_show_count": 0, "blocked": False, "followed": True,
                       "created_at": now}),
            ("bookings", {"id": uuid.uuid4(), "office_id": OFFICE, "user_id": USER,
                          "booth": 2, "starts_at": now, "ends_at": now, "status": "confirmed",
                          "purpose": "job_consultation", "attendant": "none",
                          "immediate": False, "version": 1, "created_at": now}),
            ("closures", {"id": uuid.uuid4(), "office_id": OFFICE, "day": CLOSED,
                          "reason": "庁舎点検"}),
        ):
            await conn.execute(_table(table, values).insert().values(**values))
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_an_office_before_sites_gets_one_site_holding_its_booths(old_db: AsyncEngine):
    await upgrade(old_db)
    async with make_sessionmaker(old_db)() as session:
        site = (await session.scalars(select(SiteRow))).one()
        assert (site.office_id, site.name, site.address, site.active) == (
            OFFICE, "五所川原 相談ブース", "青森県五所川原市", True)
        booths = (await session.scalars(select(BoothRow).order_by(BoothRow.number))).all()
        assert [(b.number, b.site_id) for b in booths] == [(1, site.id), (2, site.id)]
        hours = (await session.scalars(select(SiteHoursRow))).all()
        assert sorted((h.weekday, h.opens, h.closes) for h in hours) == [
            (day, time(9), time(17)) for day in range(5)]
        assert (await session.scalars(select(Booking.site_id))).all() == [site.id]
        assert (await session.scalars(select(WaitlistEntry))).all() == []


async def test_old_closures_stay_whole_days_and_a_day_may_now_hold_several(old_db: AsyncEngine):
    await upgrade(old_db)
    sessions = make_sessionmaker(old_db)
    async with sessions() as session:
        old = (await session.scalars(select(Closure))).one()
        assert (old.day, old.starts, old.ends, old.site_id, old.reopened_at) == (
            CLOSED, None, None, None, None)
    async with sessions() as session, session.begin():
        session.add(Closure(office_id=OFFICE, day=CLOSED, starts=time(14), ends=time(15),
                            reason="停電"))
    async with sessions() as session:
        assert len((await session.scalars(select(Closure))).all()) == 2
