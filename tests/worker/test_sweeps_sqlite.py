"""The sweeps' SQL also runs on the demo's embedded SQLite (UPDATE ... RETURNING, EXISTS)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from dialogs.notify import Notifier
from logs import hash_line_user
from storage import sweeps
from storage.db import make_engine, make_sessionmaker, transaction
from storage.migrate import upgrade
from storage.models import Booking, BookingStatus, LineUser, Outbox, StaffAccount
from storage.seed import ensure_office
from storage.unit_of_work import UnitOfWork
from tests.worker.conftest import jst, new_user


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'madoguchi.sqlite3'}")
    await upgrade(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_every_sweep_runs_on_sqlite(sessions):
    office_id = await ensure_office(sessions, Settings(_env_file=None, environment="test"))
    async with transaction(sessions) as session:
        session.add(StaffAccount(office_id=office_id, login="s", display_name="職員",
                                 password_hash="-", line_user_id=new_user()))
        line_id = new_user()
        user = LineUser(office_id=office_id, line_user_id=line_id, name="山田太郎",
                        line_user_hash=hash_line_user(line_id),
                        created_at=jst(2024, 1, 5, 9, 0))
        session.add(user)
        await session.flush()
        for hour, status in ((10, BookingStatus.CONFIRMED), (11, BookingStatus.REQUESTED)):
            start = jst(2026, 12, 2, hour, 0)
            session.add(Booking(office_id=office_id, user_id=user.id, starts_at=start,
                                ends_at=start + timedelta(minutes=30), status=status,
                                purpose="job_consultation"))

    async def run(sweep, now, **options):
        async with UnitOfWork(sessions, Notifier()).begin() as work:
            return await sweep(session=work.session, office_id=office_id, now=now, **options)

    assert len(await run(sweeps.send_reminders, jst(2026, 12, 1, 17, 0))) == 1
    assert len(await run(sweeps.alert_unconfirmed, jst(2026, 12, 1, 15, 0))) == 1
    assert len(await run(sweeps.expire_unconfirmed, jst(2026, 12, 1, 17, 0))) == 1
    assert len(await run(sweeps.sweep_no_shows, jst(2026, 12, 2, 10, 10))) == 1
    assert await run(sweeps.send_reminders, jst(2026, 12, 1, 17, 5)) == []
    assert await run(sweeps.purge_expired_personal_data, jst(2028, 1, 1, 0, 0),
                     keep=timedelta(days=365)) == [user.id]
    async with sessions() as session:
        statuses = (await session.scalars(select(Booking.status).order_by(Booking.starts_at))).all()
        kinds = (await session.scalars(select(Outbox.kind).order_by(Outbox.created_at))).all()
    assert statuses == [BookingStatus.NO_SHOW, BookingStatus.EXPIRED]
    # The user's own rows left with their LINE id; the staff alerts stay.
    assert kinds == ["staff.deadline", "staff.no_show"]
