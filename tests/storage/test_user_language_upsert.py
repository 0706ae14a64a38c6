"""The follow step's language write is one upsert (storage.accounts.user_upsert): on the app's
engines (PostgreSQL's autocommit read engine, SQLite's transaction) it creates a new user's row
with the language, and on a known user changes the language alone."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from booking import JST
from config import Settings
from storage.accounts import AccountsService
from storage.db import make_read_engine, make_read_sessionmaker, make_sessionmaker
from storage.models import LineUser
from storage.seed import ensure_office
from tests.contracts.backends import OFFICE

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)


async def _accounts(db: AsyncEngine) -> tuple[AccountsService, AsyncEngine]:
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(
        _env_file=None, environment="test", office_code=f"u{uuid.uuid4().hex[:10]}"))
    reads = make_read_engine(db, pool_size=2)
    return AccountsService(sessions, office_id, OFFICE,
                           reads=make_read_sessionmaker(reads)), reads


async def _rows(db: AsyncEngine, office_id: uuid.UUID) -> list[LineUser]:
    async with make_sessionmaker(db)() as session:
        return list((await session.scalars(
            select(LineUser).where(LineUser.office_id == office_id))).all())


async def test_a_first_follow_creates_the_user_with_the_language(db: AsyncEngine):
    accounts, reads = await _accounts(db)
    try:
        await accounts.set_language("Unew", "en", NOW)
        (row,) = await _rows(db, accounts.office_id)
        assert (row.line_user_id, row.language, row.followed, row.consent_version) == (
            "Unew", "en", True, None)
        assert row.created_at == NOW and (await accounts.user("Unew")).language == "en"
    finally:
        await reads.dispose()


async def test_a_known_user_keeps_everything_but_the_language(db: AsyncEngine):
    accounts, reads = await _accounts(db)
    try:
        await accounts.record_consent("Uknown", "2024-10-01", NOW)
        await accounts.set_role("Uknown", "jobseeker", NOW)
        await accounts.set_language("Uknown", "ja_easy", datetime(2027, 1, 5, tzinfo=JST))
        (row,) = await _rows(db, accounts.office_id)
        assert (row.language, row.consent_version, row.role, row.created_at) == (
            "ja_easy", "2024-10-01", "jobseeker", NOW)
        await accounts.set_language("Uknown", "en", NOW)
        assert [r.language for r in await _rows(db, accounts.office_id)] == ["en"]
    finally:
        await reads.dispose()
