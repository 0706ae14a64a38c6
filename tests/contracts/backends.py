"""The backends every contract test runs against, behind one seeding interface.

`MemoryBackend` wraps tests/fakes; `StorageBackend` wraps the storage services on a database
(PostgreSQL or SQLite) with Redis slot holds, an office of its own per test, and a linked staff
account so staff alerts become outbox rows. Both expose the domain events their changes recorded
(`events`) and the outbox ids a bound requests port handed back (`outbox`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking import SLOT_LENGTH, to_jst
from booking.capacity import CapacityLimit
from booking.sites import ClosureRange, Hours, Site, office_hours
from config import Settings
from dialogs.events import Event, Notice
from dialogs.notify import Notifier
from dialogs.ports import (
    AccountsPort,
    AvailabilityPort,
    ClosuresPort,
    OfficeInfo,
    RequestsPort,
    StaffMember,
    StaffPort,
)
from logs import hash_line_user
from storage.accounts import AccountsService, get_or_create_user
from storage.availability import AvailabilityService
from storage.conversations import SlotHolds
from storage.db import make_sessionmaker, transaction
from storage.forms import USER_FAILURES, digest
from storage.models import (
    BookingStatus,
    CapacityLimitRow,
    Closure,
    ClosureNotice,
    Consent,
    FormToken,
    LineUser,
    Office,
    StaffAccount,
)
from storage.requests import RequestsService
from storage.seed import ensure_office
from storage.sites import add_site, set_office_booths, site_uuid
from storage.staff_accounts import find_in_office, new_link_code
from storage.staff_line import StaffLinePort
from storage.unit_of_work import UnitOfWork
from tests.builders import new_booking, new_user
from tests.conftest import DEFAULT_NOW
from tests.fakes import (
    MemoryAccounts,
    MemoryAvailability,
    MemoryClosures,
    MemoryOffice,
    MemoryRequests,
)
from tests.fakes.staff import MemoryStaffPort

NOW = DEFAULT_NOW  # Tuesday 2026-12-01 10:00 JST, in office hours
OFFICE = OfficeInfo(name="ハローワーク五所川原", phone="0173-00-0000", hours="平日 9:00〜17:00",
                    address="", base_url="http://contract.test")


class RecordingNotifier:
    """The real notifier, remembering each event it words (i.e. each event storage recorded;
    an event of a transaction that later rolled back stays in the list)."""

    def __init__(self) -> None:
        self.inner = Notifier()
        self.events: list[Event] = []

    def notices(self, event: Event, language: str | None = None) -> list[Notice]:
        self.events.append(event)
        return self.inner.notices(event, language)


@dataclass
class Backend:
    """The ports under test and what a test may set up or read besides them."""

    name: str
    accounts: AccountsPort
    availability: AvailabilityPort
    requests: RequestsPort
    events: list[Event]
    outbox: list[uuid.UUID] = field(default_factory=list)
    staff: StaffPort | None = None  # bound to `outbox` like the requests port
    closures: ClosuresPort | None = None  # answers to emergency closure notices

    async def seed_user(self, line_id: str, *, at: datetime, consent: bool = True,
                        profile: bool = True, **fields: Any) -> None:
        raise NotImplementedError

    async def configure(self, **values: Any) -> None:
        """Office settings staff can change: booths, max_active_requests, cutoff_hour, ..."""
        raise NotImplementedError

    async def close_day(self, day: date) -> None:
        raise NotImplementedError

    async def closed_request(self, line_id: str, starts_at: datetime, *, slots: int = 1,
                             at: datetime) -> str:
        """A request of `line_id` an emergency closure closed (its user told); returns its id."""
        raise NotImplementedError

    async def add_site(self, name: str, booths: tuple[int, ...], hours: tuple[Hours, ...],
                       **fields: Any) -> str:
        """A further site as an admin describes it; its id. The office's own site keeps
        booth 1 and the office's hours."""
        raise NotImplementedError

    async def close_range(self, closure: ClosureRange) -> None:
        """Staff close part of a day, or one site (ClosureRange.site_id)."""
        raise NotImplementedError

    async def limit(self, limit: CapacityLimit) -> None:
        """Staff lower the capacity for a time range."""
        raise NotImplementedError

    async def lock_out_form(self, line_id: str, at: datetime) -> None:
        """As if the user failed the form too often lately."""
        raise NotImplementedError

    async def consents(self, line_id: str) -> list[str]:
        """The terms versions the user's consent records name, oldest first."""
        raise NotImplementedError

    async def add_staff(self, login: str, name: str, *, role: str = "staff",
                        line_id: str | None = None, active: bool = True) -> None:
        """A staff account as the console creates it, linked to `line_id` when given."""
        raise NotImplementedError

    async def link_code(self, login: str, now: datetime) -> str:
        """The one-time code the console shows to link a LINE account to `login`."""
        raise NotImplementedError


async def seed_ready_user(backend: Backend, line_id: str, at: datetime, **fields: Any) -> None:
    """A user who agreed to the terms in effect and saved a profile, on any backend."""
    await backend.seed_user(line_id, at=at, **fields)


async def seed_staff(backend: Backend, line_id: str, role: str = "staff",
                     name: str | None = None) -> StaffMember:
    """An active staff account linked to `line_id`, on any backend."""
    login = f"s{uuid.uuid4().hex[:12]}"
    member = StaffMember(login=login, name=name or f"職員{login[-4:]}", role=role)
    await backend.add_staff(login, member.name, role=role, line_id=line_id)
    return member


class MemoryBackend(Backend):
    def __init__(self) -> None:
        self.office = MemoryOffice(info=OFFICE)
        availability = MemoryAvailability(self.office)
        outbox: list[uuid.UUID] = []
        super().__init__(name="memory", accounts=MemoryAccounts(self.office),
                         availability=availability,
                         requests=MemoryRequests(self.office, availability).bound(outbox),
                         events=self.office.events, outbox=outbox)
        self.staff = MemoryStaffPort(self.office).bound(outbox)
        self.closures = MemoryClosures(self.requests)  # type: ignore[arg-type]

    async def seed_user(self, line_id: str, *, at: datetime, consent: bool = True,
                        profile: bool = True, **fields: Any) -> None:
        user = self.office.add_user(line_id, role=fields.pop("role", "jobseeker"), **fields)
        if consent:
            user.consent_version, user.consented_at = "2024-10-01", at
        if profile:
            self.office.save_profile(line_id)

    async def configure(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.office, name, value)

    async def close_day(self, day: date) -> None:
        self.office.close(day)

    async def closed_request(self, line_id: str, starts_at: datetime, *, slots: int = 1,
                             at: datetime) -> str:
        request = self.office.add_booking(line_id, starts_at, slots=slots,
                                          booths=list(range(1, slots + 1)), created_at=at)
        self.office.close_request(request)
        return request.id

    async def add_site(self, name: str, booths: tuple[int, ...], hours: tuple[Hours, ...],
                       **fields: Any) -> str:
        if not self.office.sites:  # the booths of before become the office's own site
            self.office.sites = (Site(id=str(uuid.uuid4()), name="本所", hours=office_hours(),
                                      booths=tuple(range(1, self.office.booths + 1))),)
        site = Site(id=str(uuid.uuid4()), name=name, booths=booths, hours=hours, **fields)
        self.office.sites = (*self.office.sites, site)
        assert site.id is not None
        return site.id

    async def close_range(self, closure: ClosureRange) -> None:
        self.office.close_range(closure)

    async def limit(self, limit: CapacityLimit) -> None:
        self.office.limits.append(limit)

    async def lock_out_form(self, line_id: str, at: datetime) -> None:
        self.office.user_or_new(line_id).form_failures = USER_FAILURES

    async def consents(self, line_id: str) -> list[str]:
        user = self.office.users.get(line_id)
        return [version for version, _ in user.consents] if user else []

    async def add_staff(self, login: str, name: str, *, role: str = "staff",
                        line_id: str | None = None, active: bool = True) -> None:
        MemoryStaffPort(self.office).add_account(login, name, role=role, line_user_id=line_id,
                                                 active=active)

    async def link_code(self, login: str, now: datetime) -> str:
        return MemoryStaffPort(self.office).new_link_code(login, now)


class StorageBackend(Backend):
    sessions: async_sessionmaker[AsyncSession]
    office_id: uuid.UUID

    @classmethod
    async def open(cls, name: str, engine: AsyncEngine, redis: Redis) -> StorageBackend:
        """A fresh office with the seed terms and a linked staff account; the services on it."""
        sessions = make_sessionmaker(engine)
        code = f"c{uuid.uuid4().hex[:12]}"
        office_id = await ensure_office(sessions, Settings(
            _env_file=None, environment="test", office_code=code))  # type: ignore[call-arg]
        async with transaction(sessions) as session:
            session.add(StaffAccount(office_id=office_id, login=code, display_name="職員",
                                     password_hash="-", line_user_id="Ustaff" + code))
        availability = AvailabilityService(sessions, office_id,
                                           holds=SlotHolds(redis, prefix=code))
        notifier = RecordingNotifier()
        outbox: list[uuid.UUID] = []
        requests = RequestsService(UnitOfWork(sessions, notifier), office_id, OFFICE,
                                   availability).bound(outbox)
        backend = cls(name=name, accounts=AccountsService(sessions, office_id, OFFICE),
                      availability=availability, requests=requests, events=notifier.events,
                      outbox=outbox)
        backend.sessions, backend.office_id = sessions, office_id
        backend.closures = requests
        backend.staff = StaffLinePort(SimpleNamespace(
            uow=UnitOfWork(sessions, notifier), office_id=office_id, sessions=sessions, redis=redis,
            settings=Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                              office_code=code, redis_prefix=code))).bound(outbox)
        return backend

    async def seed_user(self, line_id: str, *, at: datetime, consent: bool = True,
                        profile: bool = True, **fields: Any) -> None:
        async with transaction(self.sessions) as session:
            session.add(new_user(self.office_id, line_id, consent=consent, profile=profile,
                                 consented_at=at, **fields))

    async def configure(self, **values: Any) -> None:
        async with transaction(self.sessions) as session:
            await session.execute(update(Office).where(Office.id == self.office_id)
                                  .values(**values))
            if "booths" in values:  # as the office settings page does: the one site's booths
                await set_office_booths(session, office_id=self.office_id,
                                        count=values["booths"])

    async def close_day(self, day: date) -> None:
        async with transaction(self.sessions) as session:
            session.add(Closure(office_id=self.office_id, day=day))

    async def closed_request(self, line_id: str, starts_at: datetime, *, slots: int = 1,
                             at: datetime) -> str:
        async with transaction(self.sessions) as session:
            user = (await session.scalars(select(LineUser).where(
                LineUser.office_id == self.office_id,
                LineUser.line_user_hash == hash_line_user(line_id)))).one()
            closure = Closure(office_id=self.office_id, day=to_jst(starts_at).date(),
                              reason="大雪のため", created_at=at)
            session.add(closure)
            await session.flush()
            group = uuid.uuid4() if slots > 1 else None
            rows = [new_booking(self.office_id, user.id, starts_at + SLOT_LENGTH * k,
                                booth=1, status=BookingStatus.CLOSED, group_id=group,
                                closure_id=closure.id, created_at=at) for k in range(slots)]
            session.add_all(rows)
            await session.flush()
            session.add(ClosureNotice(office_id=self.office_id, closure_id=closure.id,
                                      booking_id=rows[0].id, user_id=user.id, told_at=at))
            await session.execute(update(Closure).where(Closure.id == closure.id)
                                  .values(reopened_at=at))  # the range itself is open again
            return str(rows[0].id)

    async def add_site(self, name: str, booths: tuple[int, ...], hours: tuple[Hours, ...],
                       **fields: Any) -> str:
        async with transaction(self.sessions) as session:
            row = await add_site(session, office_id=self.office_id, name=name, booths=booths,
                                 hours=hours, position=9, **fields)
            office = await session.get(Office, self.office_id)
            assert office is not None
            office.booths += len(booths)
            return str(row.id)

    async def close_range(self, closure: ClosureRange) -> None:
        async with transaction(self.sessions) as session:
            session.add(Closure(office_id=self.office_id, day=closure.day,
                                starts=closure.starts, ends=closure.ends,
                                site_id=site_uuid(closure.site_id), reason=closure.reason))

    async def limit(self, limit: CapacityLimit) -> None:
        async with transaction(self.sessions) as session:
            session.add(CapacityLimitRow(office_id=self.office_id, day=limit.day,
                                         weekday=limit.weekday, starts=limit.starts,
                                         ends=limit.ends, capacity=limit.capacity,
                                         reason=limit.reason))

    async def lock_out_form(self, line_id: str, at: datetime) -> None:
        async with transaction(self.sessions) as session:
            user = await get_or_create_user(session, self.office_id, line_id, at)
            session.add(FormToken(id=digest(secrets.token_hex(16)), office_id=self.office_id,
                                  user_id=user.id, expires_at=at + timedelta(minutes=15),
                                  failures=USER_FAILURES))

    async def consents(self, line_id: str) -> list[str]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Consent.terms_version).join(LineUser, LineUser.id == Consent.user_id)
                .where(LineUser.office_id == self.office_id,
                       LineUser.line_user_hash == hash_line_user(line_id))
                .order_by(Consent.consented_at))
            return list(rows.all())

    async def add_staff(self, login: str, name: str, *, role: str = "staff",
                        line_id: str | None = None, active: bool = True) -> None:
        async with transaction(self.sessions) as session:
            session.add(StaffAccount(office_id=self.office_id, login=login, display_name=name,
                                     role=role, password_hash="-", line_user_id=line_id,
                                     active=active))

    async def link_code(self, login: str, now: datetime) -> str:
        async with transaction(self.sessions) as session:
            account = await find_in_office(session, self.office_id, login)
            assert account is not None
            return await new_link_code(session=session, account=account, now=now)
