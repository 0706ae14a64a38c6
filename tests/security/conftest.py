"""An app of its own for the console's security tests and the form fuzzing.

Fuzzing the console's forms changes office settings, closures and terms: that must not reach
the shared `live` app. A second office in the same database is the target of IDOR attempts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from devservices import PostgresServer, RedisServer
from logs import hash_line_user
from storage.db import transaction
from storage.models import Booking, LineUser, Office
from tests.conftest import DEFAULT_NOW, LiveApp, running_app
from tests.staff.conftest import Console, add_staff


@pytest.fixture(scope="package")
def sec_app(redis_server: RedisServer, pg_server: PostgresServer) -> Iterator[LiveApp]:
    with running_app(pg_server, redis_server.url, "sec", admin_mfa_required=False) as app:
        yield app


def console_as(app: LiveApp, role: str) -> Console:
    console = Console(app)
    response = console.login(add_staff(app, role))
    assert response.status_code in (302, 303), response.text
    return console


@pytest.fixture
def staff_console(sec_app: LiveApp) -> Iterator[Console]:
    console = console_as(sec_app, "staff")
    yield console
    console.close()


@pytest.fixture
def admin_console(sec_app: LiveApp) -> Iterator[Console]:
    console = console_as(sec_app, "admin")
    yield console
    console.close()


@pytest.fixture(scope="package")
def other_office(sec_app: LiveApp) -> dict[str, Any]:
    """Another office's user and booking, in the same database."""
    line_id = "U" + uuid.uuid4().hex
    starts = datetime(2026, 12, 3, 1, 0, tzinfo=DEFAULT_NOW.tzinfo)

    async def create() -> dict[str, Any]:
        async with transaction(sec_app.services.sessions) as session:
            office = Office(code=f"other-{uuid.uuid4().hex[:6]}", name="別の安定所",
                            phone="0173-00-0000")
            session.add(office)
            await session.flush()
            user = LineUser(office_id=office.id, line_user_id=line_id,
                            line_user_hash=hash_line_user(line_id), role="jobseeker",
                            name="秘密 花子", number="02040-87654321", phone="+819087654321",
                            consent_version="2024-10-01", consented_at=DEFAULT_NOW)
            session.add(user)
            await session.flush()
            booking = Booking(office_id=office.id, user_id=user.id, starts_at=starts,
                              ends_at=starts + timedelta(minutes=30), purpose="job_consultation")
            session.add(booking)
        return {"office": office.id, "user": user.id, "booking": booking.id}
    return sec_app.call(create())
