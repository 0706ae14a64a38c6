"""Migration 0006 on a database holding sites from before walk-up posters: each site gets its
own code, and the code is unique within the office."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Boolean, Integer, String, Uuid, column, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from booking.walkup import CODE_ALPHABET
from devservices import PostgresServer
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import SiteRow
from storage.types import UTCDateTime
from tests.conftest import new_db_name

BEFORE_SITES, BEFORE_CODES = "0003_form_links_and_staff_mfa", "0004_sites_capacity_closures"
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
OFFICE = uuid.uuid4()


@pytest.fixture(params=["postgresql", "sqlite"])
async def old_db(request: pytest.FixtureRequest, pg_server: PostgresServer,
                 tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database at the revision before site codes, holding an office and its one site."""
    if request.param == "postgresql":
        name = new_db_name("migw")
        await pg_server.create_database(name)
        url = pg_server.dsn_for(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    await upgrade(engine, BEFORE_SITES)
    values = {"id": OFFICE, "code": "old", "name": "五所川原", "phone": "0173-00-0000",
              "address": "", "hours": "", "booths": 1, "cutoff_hour": 15, "no_show_limit": 2,
              "max_active_requests": 3, "immediate_use_enabled": False, "created_at": NOW}
    kinds = {uuid.UUID: Uuid(), datetime: UTCDateTime(), bool: Boolean(), int: Integer(),
             str: String()}
    offices = table("offices", *(column(key, kinds[type(v)]) for key, v in values.items()))
    async with engine.begin() as conn:
        await conn.execute(offices.insert().values(**values))
    await upgrade(engine, BEFORE_CODES)  # the office's booths become one site
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_existing_sites_get_distinct_codes_unique_in_their_office(old_db: AsyncEngine):
    await upgrade(old_db)
    sessions = make_sessionmaker(old_db)
    async with sessions() as session, session.begin():
        session.add(SiteRow(office_id=OFFICE, name="見本町役場", created_at=NOW))
    async with sessions() as session:
        codes = (await session.scalars(select(SiteRow.code).order_by(SiteRow.position))).all()
    assert len(codes) == len(set(codes)) == 2  # the migrated site's and the new one's
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(SiteRow(office_id=OFFICE, name="同じ番号", code=codes[0],
                                created_at=NOW))
