"""Worker tests: the worker's own Services on the test's loop, against the live app's PostgreSQL,
Redis and emulator, sharing the live app's SettableClock. Each test gets an office of its own, so
office-wide sweeps never touch another test's bookings.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from booking import JST
from bot.line_api import LineGateway
from bot.outbox_sender import OutboxSender
from clock import SettableClock
from services import Services
from storage.db import transaction
from storage.models import AuditLog, Booking, BookingStatus, LineUser, Office, Outbox, StaffAccount
from tests import builders

PHONE = "0173-00-0000"


@dataclass
class OwnOffice:
    """An office of this test alone, with one linked staff LINE account."""

    id: uuid.UUID
    staff: str


@pytest.fixture
async def services(live: Any, clock: SettableClock) -> AsyncIterator[Services]:
    """A worker's Services, built the way the worker builds them, on this test's loop."""
    own = Services(live.settings.model_copy(update={"auto_migrate": False}), clock)
    await own.start()
    yield own
    await own.stop()


@pytest.fixture
async def office(services: Services) -> OwnOffice:
    """A fresh office (no-show limit 2, cut-off 15:00) and a linked staff member."""
    staff = new_user()
    async with transaction(services.sessions) as session:
        row = Office(code=f"t{uuid.uuid4().hex[:12]}", name="テスト安定所", phone=PHONE,
                     no_show_limit=2, cutoff_hour=15)
        session.add(row)
        await session.flush()
        session.add(StaffAccount(office_id=row.id, login=f"s{uuid.uuid4().hex[:10]}",
                                 display_name="職員", password_hash="-", line_user_id=staff))
    return OwnOffice(id=row.id, staff=staff)


@pytest.fixture
def emulator(live: Any) -> Iterator[Emulator]:
    """The live emulator's driver API; faults left over are cleared (and held pushes released)
    after the test."""
    driver = Emulator(live)
    yield driver
    live.http.delete("/emulator/api/faults")


class Emulator:
    """Reads what LINE users got and injects faults, through the driver API."""

    def __init__(self, live: Any) -> None:
        self.live = live

    def messages(self, user: str) -> list[dict[str, Any]]:
        return self.live.messages(user)

    def log(self, user: str | None = None) -> list[dict[str, Any]]:
        """Accepted replies and pushes (to `user`, or all), each with its retry key."""
        params = {"user_id": user} if user else {}
        response = self.live.http.get("/emulator/api/log", params=params)
        response.raise_for_status()
        return response.json()["entries"]

    def fault(self, **body: Any) -> None:
        """The next `count` pushes fail with `status`, are delayed by `delay` seconds, or are
        held unanswered (`hold=True`) until `release()`, then fail with `status` if given."""
        response = self.live.http.post("/emulator/api/faults", json={"kinds": ["push"], **body})
        response.raise_for_status()

    def held(self) -> int:
        """How many pushes LINE is holding now, unanswered."""
        response = self.live.http.get("/emulator/api/faults")
        response.raise_for_status()
        return response.json()["held"]

    def release(self) -> int:
        """Let the held pushes go on (accepted, or failed if their fault has a status)."""
        response = self.live.http.post("/emulator/api/faults/release")
        response.raise_for_status()
        return response.json()["released"]


def new_user() -> str:
    return "U" + uuid.uuid4().hex


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


async def add_user(services: Services, office_id: uuid.UUID, *, line_user_id: str | None = None,
                   name: str | None = "山田太郎", **fields: Any) -> LineUser:
    """A user with a profile, as the web form leaves it."""
    line_user_id = line_user_id or new_user()
    async with transaction(services.sessions) as session:
        user = builders.new_user(office_id, line_user_id, name=name, **fields)
        session.add(user)
    return user


async def add_booking(services: Services, office_id: uuid.UUID, user: LineUser,
                      starts_at: datetime, status: str = BookingStatus.CONFIRMED,
                      **fields: Any) -> Booking:
    """One 30-minute booking of booth 1."""
    async with transaction(services.sessions) as session:
        booking = builders.new_booking(office_id, user.id, starts_at, status=status, **fields)
        session.add(booking)
    return booking


async def get(services: Services, model: Any, key: Any) -> Any:
    async with services.sessions() as session:
        return await session.get(model, key)


async def audit_actions(services: Services, office_id: uuid.UUID) -> list[str]:
    async with services.sessions() as session:
        rows = await session.scalars(select(AuditLog.action).where(AuditLog.office_id == office_id)
                                     .order_by(AuditLog.at))
        return list(rows.all())


async def outbox_rows(services: Services, ids: list[uuid.UUID]) -> list[Outbox]:
    async with services.sessions() as session:
        rows = await session.scalars(select(Outbox).where(Outbox.id.in_(ids)))
        return sorted(rows.all(), key=lambda r: ids.index(r.id))


def sender(services: Services, *, timeout: float = 5.0, concurrency: int = 32) -> OutboxSender:
    """An OutboxSender like the worker's, with its own gateway (a short timeout for fault tests)."""
    line = LineGateway(host=services.line_host,
                       access_token=services.settings.line_channel_access_token, timeout=timeout)
    services.gateways.append(line)
    return OutboxSender(uow=services.uow, line=line, clock=services.clock.now,
                        concurrency=concurrency, reads=services.reads)
