"""The Alembic migrations build exactly the tables the models describe, on both engines, and
the enum-typed columns read back as enum members."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from booking.kinds import Attendant, BookingStatus, Purpose, StaffRole, UserRole
from storage.db import make_sessionmaker
from storage.migrate import render_item
from storage.models import Booking, LineUser, Office, Outbox, OutboxStatus, StaffAccount

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_a_freshly_migrated_database_matches_the_models(db: AsyncEngine) -> None:
    async with db.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_enum_columns_store_the_plain_codes_and_read_back_members(db: AsyncEngine) -> None:
    sessions = make_sessionmaker(db)
    async with sessions() as session, session.begin():
        office = Office(code=f"o{uuid.uuid4().hex[:8]}", name="窓口", phone="03-0000-0000")
        session.add(office)
        await session.flush()
        user = LineUser(office_id=office.id, line_user_hash="h" * 64, role="employer")
        session.add(user)
        await session.flush()
        session.add_all([
            Booking(office_id=office.id, user_id=user.id, starts_at=NOW,
                    ends_at=NOW + timedelta(minutes=30), status="confirmed",
                    purpose="interview", attendant="both"),
            Outbox(office_id=office.id, to_line_user_id="U1", kind="k", payload=[]),
            StaffAccount(office_id=office.id, login=f"s{uuid.uuid4().hex[:8]}", display_name="職員",
                         password_hash="x", role="admin")])
    async with sessions() as session:
        stored = (await session.execute(text(
            "SELECT status, purpose, attendant FROM bookings"))).one()
        assert tuple(stored) == ("confirmed", "interview", "both")
        assert type(stored[0]) is str
        booking = (await session.scalars(select(Booking))).one()
        assert booking.status is BookingStatus.CONFIRMED
        assert booking.purpose is Purpose.INTERVIEW
        assert booking.attendant is Attendant.BOTH
        assert (await session.scalars(select(LineUser.role))).one() is UserRole.EMPLOYER
        assert (await session.scalars(select(Outbox.status))).one() is OutboxStatus.PENDING
        assert (await session.scalars(select(StaffAccount.role))).one() is StaffRole.ADMIN
        found = await session.scalars(select(Booking.id).where(Booking.status == "confirmed"))
        assert found.one() == booking.id


async def test_a_code_that_is_no_member_never_reaches_the_database(db: AsyncEngine) -> None:
    sessions = make_sessionmaker(db)
    with pytest.raises(StatementError, match="is not a valid Purpose"):
        async with sessions() as session, session.begin():
            office = Office(code=f"o{uuid.uuid4().hex[:8]}", name="窓口", phone="03-0000-0000")
            session.add(office)
            await session.flush()
            user = LineUser(office_id=office.id, line_user_hash="h" * 64)
            session.add(user)
            await session.flush()
            session.add(Booking(office_id=office.id, user_id=user.id, starts_at=NOW,
                                ends_at=NOW + timedelta(minutes=30), purpose="consultation"))
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM bookings"))).scalar() == 0


def test_autogenerate_writes_enum_columns_as_plain_strings() -> None:
    with create_engine("sqlite://").connect() as empty:
        context = MigrationContext.configure(empty, opts={"render_item": render_item})
        code = render_python_code(produce_migrations(context, SQLModel.metadata).upgrade_ops,
                                  render_item=render_item, migration_context=context)
    assert "StrEnumType" not in code and "booking.kinds" not in code
    assert "sa.Column('purpose', sa.String(length=40), nullable=False)" in code
    assert "sa.Column('role', sa.String(length=20), nullable=True)" in code
