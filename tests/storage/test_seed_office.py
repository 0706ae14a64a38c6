"""First start on a fresh database: processes started together create one office, not one each
(and none of them fails on the unique office code)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from storage.db import make_sessionmaker
from storage.models import Office, SiteRow, TermsVersionRow
from storage.seed import ensure_office


async def test_processes_starting_together_share_one_new_office(db: AsyncEngine):
    settings = Settings(_env_file=None, environment="test", office_code="goshogawara")
    # Each "process" has its own session factory on the one database, as web and worker do.
    ids = await asyncio.gather(*(ensure_office(make_sessionmaker(db), settings)
                                 for _ in range(5)))
    assert len(set(ids)) == 1
    async with make_sessionmaker(db)() as session:
        for table in (Office, SiteRow, TermsVersionRow):
            assert await session.scalar(select(func.count()).select_from(table)) == 1
