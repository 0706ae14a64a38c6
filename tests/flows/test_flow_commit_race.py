"""The request commit under contention, on both engines: the unique index decides, every loser
is told the slot was taken and offered the nearest free ones, and losers write no alert."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from booking import JST
from config import Settings
from devservices import PostgresServer, RedisServer
from dialogs.events import RequestCreated
from dialogs.notify import Notifier
from dialogs.ports import Draft, OfficeInfo, Reason
from logs import hash_line_user
from storage.availability import AvailabilityService
from storage.conversations import SlotHolds
from storage.db import make_sessionmaker, transaction
from storage.models import Booking, LineUser, Outbox, StaffAccount
from storage.requests import RequestsService
from storage.seed import ensure_office
from storage.unit_of_work import UnitOfWork
from tests.conftest import migrated_engine

SLOT = datetime(2026, 12, 3, 10, 0, tzinfo=JST)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
INFO = OfficeInfo(name="テスト", phone="0173-00-0000", hours="", address="", base_url="")


@pytest.fixture(params=["postgresql", "sqlite"])
async def engine(request: pytest.FixtureRequest, pg_server: PostgresServer,
                 tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A freshly migrated database on each engine."""
    async with migrated_engine(request.param, pg_server, tmp_path) as db:
        yield db


async def _service(db: AsyncEngine, redis_url: str | None, users: int):
    sessions = make_sessionmaker(db)
    office_id = await ensure_office(sessions, Settings(_env_file=None, environment="test"))
    holds = SlotHolds(Redis.from_url(redis_url), prefix=f"r{uuid.uuid4().hex[:6]}") \
        if redis_url else None
    ids = [f"U{uuid.uuid4().hex}" for _ in range(users)]
    async with transaction(sessions) as session:
        session.add(StaffAccount(office_id=office_id, login=f"s{uuid.uuid4().hex[:8]}",
                                 display_name="職員", password_hash="-", line_user_id="Ustaff"))
        session.add_all(LineUser(office_id=office_id, line_user_id=i,
                                 line_user_hash=hash_line_user(i), name="見本 太郎",
                                 phone="+819012345678", consent_version="2024-10-01")
                        for i in ids)
    uow = UnitOfWork(sessions, Notifier())
    availability = AvailabilityService(sessions, office_id, holds=holds)
    return RequestsService(uow, office_id, INFO, availability), sessions, ids


@pytest.mark.parametrize("with_holds", [True, False], ids=["holds", "index-only"])
async def test_many_users_committing_one_slot_leave_one_booking(
        engine: AsyncEngine, redis_server: RedisServer, with_holds: bool):
    # 16 users, each on a connection of its own, commit the one slot at once: a race as real
    # as with 40; every loser's alternatives cost CPU, and more losers add no proof.
    port, sessions, users = await _service(engine, redis_server.url if with_holds else None, 16)
    draft = Draft(purpose="job_consultation", starts_at=SLOT)
    outcomes = await asyncio.gather(*(port.request_booking(u, draft, NOW) for u in users))
    assert sum(o.ok for o in outcomes) == 1
    losers = [o for o in outcomes if not o.ok]
    assert {o.reason for o in losers} == {"taken"}
    for lost in losers:
        assert lost.alternatives and SLOT not in lost.alternatives
        assert min(abs(a - SLOT) for a in lost.alternatives).total_seconds() == 30 * 60
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 1
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 1
    if port.holds is not None:
        assert await port.holds.holder(str(port.office_id), 1, "20261203T1000") is None


async def test_consecutive_slots_are_all_or_nothing(engine: AsyncEngine):
    port, sessions, (first, second) = await _service(engine, None, 2)
    middle = SLOT.replace(minute=30)
    assert (
        await port.request_booking(first, Draft(purpose="job_consultation", starts_at=middle), NOW)
    ).ok
    three = Draft(purpose="interview", starts_at=SLOT, slots=3, applicants=3)
    outcome = await port.request_booking(second, three, NOW)
    assert not outcome.ok and outcome.reason == "taken"
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 1


async def test_a_committed_request_reports_the_alert_it_caused_and_a_lost_one_none(
        engine: AsyncEngine):
    port, _, (first, second) = await _service(engine, None, 2)
    draft = Draft(purpose="job_consultation", starts_at=SLOT)
    won = await port.request_booking(first, draft, NOW)
    (event,) = won.events
    assert isinstance(event, RequestCreated) and not event.immediate
    assert event.request.booking_id == won.bookings[0].id and event.request.masked_name
    assert len(port.written) == 1  # the staff alert's outbox row, to deliver
    lost = await port.request_booking(second, draft, NOW)
    assert lost.reason == Reason.TAKEN and lost.events == ()
