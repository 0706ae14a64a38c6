"""Staff ops on both engines: the demo runs SQLite, production PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import JST, slot_starts
from config import Settings
from devservices import PostgresServer
from dialogs.notify import Notifier
from dialogs.replies import Card, load_replies
from logs import hash_line_user
from storage.db import make_sessionmaker, transaction
from storage.models import Booking, LineUser, Outbox, StaffAccount, WaitlistEntry
from storage.seed import ensure_office
from storage.staff_accounts import (
    Actor,
    authenticate,
    create_account,
    ensure_demo_admin,
    new_link_code,
    use_link_code,
)
from storage.staff_ops import OpError, StaffOps
from storage.unit_of_work import UnitOfWork
from tests.conftest import migrated_engine

NOW = datetime(2026, 12, 1, 10, tzinfo=JST)
START = datetime(2026, 12, 3, 10, tzinfo=JST)


@pytest.fixture(params=["postgresql", "sqlite"])
async def sessions(request: pytest.FixtureRequest, pg_server: PostgresServer,
                   tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with migrated_engine(request.param, pg_server, tmp_path) as engine:
        yield make_sessionmaker(engine)


async def setup(sessions: async_sessionmaker[AsyncSession]) -> tuple[StaffOps, Actor, Booking]:
    office_id = await ensure_office(sessions, Settings(_env_file=None, environment="test"))  # type: ignore[call-arg]
    async with transaction(sessions) as session:
        account = await create_account(session=session, office_id=office_id, login="op",
                                       name="担当 一", role="staff", password="x" * 12, now=NOW)
        user = LineUser(office_id=office_id, line_user_id="U1", line_user_hash=hash_line_user("U1"),
                        name="山田 太郎", phone="+819012345678")
        session.add(user)
        await session.flush()
        booking = Booking(office_id=office_id, user_id=user.id, starts_at=START,
                          ends_at=START + timedelta(minutes=30), purpose="job_consultation")
        session.add(booking)
    return StaffOps(UnitOfWork(sessions, Notifier()), office_id), Actor.of(account), booking


async def test_confirm_then_stale_and_handled_refusals(sessions):
    ops, actor, booking = await setup(sessions)
    done = await ops.confirm(actor, booking.id, now=NOW, version=1)
    assert done.booking_id == booking.id
    with pytest.raises(OpError) as stale:
        await ops.note(actor, booking.id, now=NOW, note="x", version=1)
    assert (stale.value.code, stale.value.http) == ("stale", 409)
    with pytest.raises(OpError) as handled:
        await ops.confirm(actor, booking.id, now=NOW)
    assert handled.value.facts == {"status": "confirmed", "by": "担当 一"}
    async with sessions() as session:
        pushes = (await session.scalars(select(Outbox))).all()
    assert [p.kind for p in pushes] == ["notice.confirmed"]


async def test_move_frees_the_old_slot_and_a_taken_slot_rolls_everything_back(sessions):
    ops, actor, booking = await setup(sessions)
    later = START + timedelta(minutes=30)
    moved = await ops.move(actor, booking.id, now=NOW, starts_at=later, booth=1, version=1)
    back = await ops.move(actor, moved.booking_id, now=NOW, starts_at=START, booth=1)
    async with transaction(sessions) as session:
        other = Booking(office_id=ops.office_id, user_id=booking.user_id, starts_at=later,
                        ends_at=later + timedelta(minutes=30), purpose="job_consultation")
        session.add(other)
    with pytest.raises(OpError) as taken:
        await ops.move(actor, back.booking_id, now=NOW, starts_at=later, booth=1)
    assert taken.value.code == "taken"
    async with sessions() as session:
        row = await session.get(Booking, back.booking_id)
        assert row is not None and row.status == "confirmed" and row.version == 1


async def test_passwords_link_codes_and_the_demo_admin(sessions):
    ops, actor, _ = await setup(sessions)
    async with transaction(sessions) as session:
        office = ops.office_id
        assert await authenticate(session=session, office_id=office, login="op",
                                  password="x" * 12) is not None
        assert await authenticate(session=session, office_id=office, login="op",
                                  password="wrong") is None
        assert await authenticate(session=session, office_id=office, login="nobody",
                                  password="x" * 12) is None
        account = await session.get(StaffAccount, actor.id)
        assert account is not None
        code = await new_link_code(session=session, account=account, now=NOW)
    async with transaction(sessions) as session:
        late = NOW + timedelta(minutes=11)
        assert await use_link_code(session=session, office_id=ops.office_id, code=code,
                                   line_user_id="Ustaff", now=late) is None
        linked = await use_link_code(session=session, office_id=ops.office_id, code=code,
                                     line_user_id="Ustaff", now=NOW)
        assert linked is not None and linked.line_user_id == "Ustaff"
    login, password = await ensure_demo_admin(sessions, ops.office_id)
    assert await ensure_demo_admin(sessions, ops.office_id) == (login, password)
    async with transaction(sessions) as session:
        admin = await authenticate(session=session, office_id=ops.office_id, login=login,
                                   password=password)
        assert admin is not None and admin.role == "admin"


async def wait_for_the_full_day(sessions: async_sessionmaker[AsyncSession], office_id) -> str:
    """Fill START's day with another user's bookings and put a third user on its waitlist."""
    async with transaction(sessions) as session:
        filler = LineUser(office_id=office_id, line_user_id="Ufill",
                          line_user_hash=hash_line_user("Ufill"))
        waiting = LineUser(office_id=office_id, line_user_id="Uwait",
                           line_user_hash=hash_line_user("Uwait"))
        session.add_all([filler, waiting])
        await session.flush()
        for start in slot_starts(START.date()):
            if start != START:
                session.add(Booking(office_id=office_id, user_id=filler.id, starts_at=start,
                                    ends_at=start + timedelta(minutes=30),
                                    purpose="job_consultation"))
        session.add(WaitlistEntry(office_id=office_id, user_id=waiting.id, day=START.date(),
                                  purpose="job_consultation", created_at=NOW))
    return "Uwait"


async def offers_to(sessions: async_sessionmaker[AsyncSession], line_id: str) -> list[list[str]]:
    """The buttons of each waitlist offer queued for `line_id`."""
    async with sessions() as session:
        rows = (await session.scalars(select(Outbox).where(
            Outbox.to_line_user_id == line_id, Outbox.kind == "waitlist.offer"))).all()
    return [[b.label for card in load_replies(r.payload) if isinstance(card, Card)
             for b in card.buttons] for r in rows]


async def test_declining_a_booking_offers_its_slot_to_the_days_waitlist(sessions):
    ops, actor, booking = await setup(sessions)
    waiting = await wait_for_the_full_day(sessions, ops.office_id)
    assert await offers_to(sessions, waiting) == []
    await ops.decline(actor, booking.id, now=NOW, reason="調整がつかないため", version=1)
    assert await offers_to(sessions, waiting) == [["10:00から申し込む"]]


async def test_moving_a_booking_away_offers_its_old_slot_to_the_days_waitlist(sessions):
    ops, actor, booking = await setup(sessions)
    waiting = await wait_for_the_full_day(sessions, ops.office_id)
    await ops.move(actor, booking.id, now=NOW, starts_at=START + timedelta(days=1), booth=1)
    assert await offers_to(sessions, waiting) == [["10:00から申し込む"]]
