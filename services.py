"""The composition root: builds every collaborator in the lifespan and closes them on shutdown."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking import to_jst
from booking.calendar import warm_holidays
from bot.consumer import Consumer
from bot.dispatcher import Dispatcher
from bot.liff import IdTokenVerifier
from bot.line_api import LineGateway
from bot.outbox_sender import OutboxSender
from bot.tracker import EventTracker
from clock import Clock, SystemClock
from config import Settings
from dialogs.engine import Engine
from dialogs.flow import FlowSettings
from dialogs.flows import build_registry
from dialogs.notify import Notifier
from dialogs.ports import OfficeInfo, Ports
from logs import set_log_pepper
from storage.accounts import AccountsService
from storage.availability import AvailabilityService
from storage.conversations import ConversationStore, SlotHolds
from storage.db import make_engine, make_read_engine, make_read_sessionmaker, make_sessionmaker
from storage.event_stream import EventStream
from storage.migrate import upgrade
from storage.models import Office
from storage.office_cache import OfficeCache, OfficeSnapshot, OfficeVersion
from storage.requests import RequestsService
from storage.seed import ensure_office
from storage.staff_accounts import use_password_hashing
from storage.staff_line import StaffLinePort
from storage.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from emulator import Emulator

log = logging.getLogger(__name__)
# How often a page request reads the office change counter (one GET). Dialog steps need no
# such read: the conversation lock script hands the counter back (storage/office_cache.py).
OFFICE_CHECK = timedelta(seconds=1)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for the process's HTTP clients: httpx loads the whole CA bundle for each
    client it makes otherwise (~40 ms of CPU), and tests start many apps in one process."""
    return httpx.create_ssl_context()


class Services:
    """Everything the web app and the worker share; nothing connects before `start()`."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.tracker = EventTracker()
        self.emulator: Emulator | None = None  # the in-app LINE emulator (demo and tests)
        self.gateways: list[LineGateway] = []  # more LINE clients built on these services
        self.background: list[asyncio.Task[Any]] = []  # e.g. the demo's in-process worker
        self.consumers: list[tuple[Consumer, asyncio.Task[None]]] = []

    @property
    def line_host(self) -> str:
        return self.settings.line_host

    async def start(self) -> None:
        """Connect to the database and Redis, seed the office, build the engine and sender."""
        s = self.settings
        set_log_pepper(s.log_pepper)
        use_password_hashing(s.password_hashing)
        self.db: AsyncEngine = make_engine(s.database_url)
        self.sessions: async_sessionmaker[AsyncSession] = make_sessionmaker(self.db)
        if s.auto_migrate:
            await upgrade(self.db)
        # A blocking pool waits for a free connection under load instead of failing the event.
        # After a Redis restart every pooled connection is dead: retry on a fresh one rather
        # than fail the next user's message (tests/faults); storage/conversations.py makes
        # its SET NX commands safe to repeat.
        self.redis = Redis(connection_pool=BlockingConnectionPool.from_url(
            s.redis_url, max_connections=s.redis_max_connections, timeout=10,
            retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.2), 2),
            retry_on_error=[RedisConnectionError]))
        # Reads of a dialog step run on an engine of their own (no BEGIN/ROLLBACK, no check
        # at checkout, run again if their connection had died): storage/db.py.
        self.read_db: AsyncEngine = make_read_engine(self.db)
        self.reads: async_sessionmaker[AsyncSession] = make_read_sessionmaker(self.read_db)
        self.office_id: uuid.UUID = await ensure_office(self.sessions, s)
        self.office_version = OfficeVersion(self.redis, prefix=s.redis_prefix)
        self.office_cache = OfficeCache(self.reads, self.office_id, version=self.office_version)
        self._office_snapshot: OfficeSnapshot | None = None
        self._office_checked_at: datetime = self.clock.now()
        await self._read_version()
        self.office = self._office_info((await self.office_cache.current()).office)
        # Every process (web, handler, worker) asks about holidays on most steps: built now.
        warm_holidays(to_jst(self.clock.now()).date())
        self.store = ConversationStore(self.redis, prefix=s.redis_prefix,
                                       ttl_seconds=s.conversation_ttl_seconds,
                                       on_version=self.office_seen)
        self.stream = EventStream(self.redis, prefix=s.redis_prefix,
                                  partitions=s.event_partitions,
                                  dedupe_seconds=s.dedupe_ttl_seconds, announce=s.emulator)
        await self.stream.ensure_groups()
        self.holds = SlotHolds(self.redis, prefix=s.redis_prefix)
        self.line = LineGateway(host=self.line_host, access_token=s.line_channel_access_token)
        self.notifier = Notifier()
        self.uow = UnitOfWork(self.sessions, self.notifier)
        self.sender = OutboxSender(uow=self.uow, line=self.line, clock=self.clock.now,
                                   lease=timedelta(seconds=s.outbox_lease_seconds),
                                   reads=self.reads)
        self.liff = IdTokenVerifier(httpx.AsyncClient(timeout=10.0, verify=tls_context()),
                                    host=self.line_host,
                                    audience=s.liff_audience)
        self.accounts = AccountsService(self.sessions, self.office_id, self.office,
                                        form_minutes=s.form_token_minutes, liff_id=s.liff_id,
                                        reads=self.reads, cache=self.office_cache)
        self.availability = AvailabilityService(self.sessions, self.office_id, holds=self.holds,
                                                hold_ms=s.slot_hold_ms, reads=self.reads,
                                                cache=self.office_cache)
        self.requests = RequestsService(self.uow, self.office_id, self.office, self.availability,
                                        secret_key=s.secret_key)
        self.staff_port = StaffLinePort(self)
        self.registry = build_registry()
        self.engine = Engine(store=self.store, registry=self.registry, ports=self.ports_for,
                             clock=self.clock.now,
                             settings=FlowSettings(form_minutes=s.form_token_minutes),
                             on_slow=self.line.show_loading)
        self.dispatcher = Dispatcher(engine=self.engine, stream=self.stream, line=self.line,
                                     sender=self.sender, uow=self.uow, office_id=self.office_id,
                                     clock=self.clock.now, dedupe_seconds=s.dedupe_ttl_seconds,
                                     reply_seconds=s.reply_token_seconds)

    def new_consumer(self) -> Consumer:
        """A handler reading the event stream with these services' dispatcher."""
        s = self.settings
        return Consumer(stream=self.stream, dispatcher=self.dispatcher,
                        lease_seconds=s.handler_lease_seconds,
                        concurrency=s.handler_concurrency)

    def start_handler(self) -> Consumer:
        """Run one handler in this process until `stop()`."""
        consumer = self.new_consumer()
        self.consumers.append((consumer, asyncio.create_task(consumer.run())))
        return consumer

    def ports_for(self, outbox: list[uuid.UUID]) -> Ports:
        """The flows' ports for one event, adding the pushes they queue to `outbox`."""
        availability = self.availability.for_step()  # the calendar read once per step
        requests = self.requests.bound(outbox, availability)
        return Ports(office=self.office, accounts=self.accounts, availability=availability,
                     requests=requests, staff=self.staff_port.bound(outbox), closures=requests,
                     profile_language=self.line.profile_language)

    async def load_office_info(self) -> OfficeInfo:
        """Office facts as users see them, read from the database now."""
        async with self.sessions() as session:
            office = await session.get(Office, self.office_id)
        assert office is not None
        return self._office_info(office)

    def _office_info(self, office: Office) -> OfficeInfo:
        return OfficeInfo(name=office.name, phone=office.phone, hours=office.hours,
                          address=office.address,
                          base_url=self.settings.public_base_url.rstrip("/"))

    async def _read_version(self) -> None:
        try:
            await self.office_version.refresh()
        except Exception:  # Redis is down: the copy is re-read once the counter answers again
            log.warning("office change counter not read", exc_info=True)

    async def office_seen(self, version: str) -> None:
        """A step's lock+load read the office change counter: staff changed the office or
        its terms since this process read them, if it moved. Never raises (the lock is held)."""
        self.office_version.observe(version)
        await self.sync_office()

    async def sync_office(self) -> OfficeInfo:
        """The office facts, re-read only when the change counter moved since the last read."""
        try:
            snapshot = await self.office_cache.current()
        except Exception:  # the database is down: the old facts beat failing every request
            log.warning("office facts not refreshed; keeping the previous ones", exc_info=True)
            return self.office
        if snapshot is not self._office_snapshot:
            self._office_snapshot = snapshot
            self.office = self.accounts.office = self.requests.office = self._office_info(
                snapshot.office)
        return self.office

    async def refresh_office(self) -> OfficeInfo:
        """For pages: read the change counter (one GET, at most once per OFFICE_CHECK), then
        the office facts if it moved."""
        now = self.clock.now()
        if not timedelta(0) <= now - self._office_checked_at < OFFICE_CHECK:
            self._office_checked_at = now
            await self._read_version()
        return await self.sync_office()

    async def office_changed(self) -> OfficeInfo:
        """Staff changed the office or published terms here: every process reads them again
        (this one at once, the others from their next step or page)."""
        try:
            await self.office_version.bump()
        except Exception:  # the others catch up within office_cache.MAX_AGE_SECONDS
            log.warning("office change counter not bumped", exc_info=True)
            self.office_version.observe("changed-" + uuid.uuid4().hex)
        return await self.sync_office()

    async def stop(self) -> None:
        """Stop background work that shares these connections, let handlers finish, close."""
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        for consumer, _ in self.consumers:  # each finishes its batch and gives its leases back
            consumer.stop()
        await asyncio.gather(*(task for _, task in self.consumers), return_exceptions=True)
        await self.tracker.stop()
        for gateway in self.gateways:
            await gateway.close()
        if self.emulator is not None:
            await self.emulator.aclose()
        await self.line.close()
        await self.liff.aclose()
        await self.redis.aclose()
        await self.read_db.dispose()
        await self.db.dispose()
