"""The staff tests' own app (office-wide changes stay here), staff accounts, users, bookings."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from booking import next_open_days, slot_starts
from clock import SettableClock
from devservices import PostgresServer, RedisServer
from dialogs.events import RequestCreated, RequestFacts
from storage.db import transaction
from storage.models import AuditLog, Booking, BookingStatus, LineUser, Outbox
from storage.staff_accounts import create_account
from storage.unit_of_work import publish
from tests import loopback
from tests.builders import new_booking, new_user
from tests.conftest import DEFAULT_NOW, LiveApp, running_app

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="session")
def staff_app(redis_server: RedisServer, pg_server: PostgresServer) -> Iterator[LiveApp]:
    """An app of its own: settings, closures and terms changed here never reach other tests."""
    with running_app(pg_server, redis_server.url, "staff", admin_mfa_required=False,
                     trusted_proxies="127.0.0.1/32") as app:
        yield app


@pytest.fixture
def sclock(staff_app: LiveApp) -> Iterator[SettableClock]:
    """The staff app's clock, reset after each test."""
    yield staff_app.clock
    staff_app.clock.set(DEFAULT_NOW)


class Slots:
    """Hands out distinct free slots far from the default moment, so tests never collide."""

    def __init__(self, first: date) -> None:
        self._starts = (s for day in next_open_days(first, 120) for s in slot_starts(day))

    def next(self) -> datetime:
        return next(self._starts)

    def day(self) -> list[datetime]:
        """All sixteen slots of a fresh day."""
        first = self.next()
        while first.hour != 9 or first.minute != 0:
            first = self.next()
        rest = [self.next() for _ in range(15)]
        return [first, *rest]


@pytest.fixture(scope="session")
def slots() -> Slots:
    return Slots(date(2027, 1, 12))


def run(app: LiveApp, coro: Any) -> Any:
    return app.call(coro)


def add_staff(app: LiveApp, role: str = "staff", *, name: str = "窓口 花子") -> str:
    """A new active staff account; returns its login (the password is PASSWORD)."""
    login = f"{role}-{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        async with transaction(app.services.sessions) as session:
            await create_account(session=session, office_id=app.services.office_id, login=login,
                                 name=name, role=role, password=PASSWORD, now=app.clock.now())
    run(app, create())
    return login


def add_user(app: LiveApp, *, name: str = "山田 太郎", followed: bool = True,
             consented: bool = True, blocked: bool = False) -> tuple[uuid.UUID, str]:
    """A LINE user with a profile; returns (user id, LINE user id)."""
    line_id = "U" + uuid.uuid4().hex

    async def create() -> uuid.UUID:
        async with transaction(app.services.sessions) as session:
            user = new_user(app.services.office_id, line_id, consent=consented,
                            consented_at=app.clock.now(), name=name, followed=followed,
                            blocked=blocked)
            session.add(user)
            return user.id
    return run(app, create()), line_id


def add_booking(app: LiveApp, user_id: uuid.UUID, starts_at: datetime, *,
                status: str = BookingStatus.REQUESTED, booth: int = 1,
                purpose: str = "job_consultation", attendant: str = "none") -> uuid.UUID:
    async def create() -> uuid.UUID:
        async with transaction(app.services.sessions) as session:
            row = new_booking(app.services.office_id, user_id, starts_at, status=status,
                              booth=booth, purpose=purpose, attendant=attendant,
                              created_at=app.clock.now())
            session.add(row)
            return row.id
    return run(app, create())


def booking_row(app: LiveApp, booking_id: uuid.UUID) -> Booking:
    async def get() -> Booking:
        async with app.services.sessions() as session:
            row = await session.get(Booking, booking_id)
            assert row is not None
            return row
    return run(app, get())


def user_row(app: LiveApp, user_id: uuid.UUID) -> LineUser:
    async def get() -> LineUser:
        async with app.services.sessions() as session:
            row = await session.get(LineUser, user_id)
            assert row is not None
            return row
    return run(app, get())


def rows(app: LiveApp, query: Any) -> list[Any]:
    async def get() -> list[Any]:
        async with app.services.sessions() as session:
            return list((await session.scalars(query)).all())
    return run(app, get())


def audits(app: LiveApp, action: str) -> list[AuditLog]:
    """`action`'s audit rows up to the app's present, oldest first.

    Tests share the app and move its clock: rows another test wrote at a later moment would
    otherwise sort after the ones a test has just written at the default moment.
    """
    return rows(app, select(AuditLog).where(AuditLog.action == action,
                                            AuditLog.at <= app.clock.now())
                .order_by(AuditLog.at))


def outbox_to(app: LiveApp, line_id: str) -> list[Outbox]:
    return rows(app, select(Outbox).where(Outbox.to_line_user_id == line_id))


def alert(app: LiveApp, booking_id: uuid.UUID) -> None:
    """Write and deliver a new-request alert to the linked staff, as the booking flow does."""
    booking = booking_row(app, booking_id)

    async def write() -> list[uuid.UUID]:
        written: list[uuid.UUID] = []
        async with app.services.uow.begin(written) as work:
            facts = RequestFacts(booking_id=str(booking.id), starts_at=booking.starts_at,
                                 purpose=booking.purpose, masked_name="山田 様")
            await publish(work.session, RequestCreated(facts), office_id=app.services.office_id,
                          now=app.clock.now())
        return written

    ids = run(app, write())
    run(app, app.services.sender.deliver(ids))


class Console:
    """A browser-like client of the console: cookies, the CSRF token, pages or JSON."""

    def __init__(self, app: LiveApp) -> None:
        self.app = app
        self.http = loopback.client(base_url=app.url, timeout=15, follow_redirects=False)
        self.csrf = ""
        self.who = ""

    def close(self) -> None:
        self.http.close()

    def login(self, login: str, password: str = PASSWORD) -> httpx.Response:
        self.who = login
        page = self.http.get("/staff/login")
        found = CSRF.search(page.text)
        assert found is not None
        response = self.http.post("/staff/login", data={
            "csrf": found.group(1), "login": login, "password": password})
        self.csrf = self.http.get("/staff/session").json()["csrf"]
        return response

    def sign_in_again(self) -> httpx.Response:
        """After the clock jumped more than a session's 12 hours: a new session."""
        return self.login(self.who)

    def page(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params or None)

    def form(self, path: str, data: dict[str, Any] | None = None, *,
             csrf: str | None = None) -> httpx.Response:
        """A form POST as the page sends it (hidden csrf field)."""
        return self.http.post(path, data={"csrf": self.csrf if csrf is None else csrf,
                                          **(data or {})})

    def api(self, path: str, data: dict[str, Any] | None = None, *,
            csrf: str | None = None) -> httpx.Response:
        """A JSON API call: CSRF in the header, JSON back."""
        return self.http.post(path, data=data or {}, headers={
            "Accept": "application/json", "X-CSRF-Token": self.csrf if csrf is None else csrf})

    def get_json(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params or None, headers={"Accept": "application/json"})


@pytest.fixture
def console(staff_app: LiveApp) -> Iterator[Console]:
    """A logged-in staff (role staff) client."""
    client = Console(staff_app)
    client.login(add_staff(staff_app, "staff"))
    yield client
    client.close()


@pytest.fixture
def admin(staff_app: LiveApp) -> Iterator[Console]:
    """A logged-in admin client."""
    client = Console(staff_app)
    client.login(add_staff(staff_app, "admin", name="管理 太郎"))
    yield client
    client.close()


@pytest.fixture
def anonymous(staff_app: LiveApp) -> Iterator[Console]:
    client = Console(staff_app)
    yield client
    client.close()
