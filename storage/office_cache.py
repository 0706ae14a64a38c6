"""The office row, its terms versions and its booking calendar (sites, booths, hours, closures,
capacity limits), kept in each process until staff change them.

Nearly every dialog step reads them, and they change only when staff save the settings, a
site or a capacity limit, publish terms or close a day. Those changes bump a Redis counter
(`RedisKeys.office_version`); a process keeps its copy while the counter reads as it did when
the copy was made. The conversation lock script hands the counter back with every step
(storage/conversations.py), so a step learns of a change without a round trip of its own;
pages read it with one GET (`refresh`).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from time import monotonic

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.availability import Calendar
from booking.capacity import CapacityLimit
from booking.sites import ClosureRange, Site
from booking.slots import to_jst
from storage.db import read
from storage.keys import RedisKeys
from storage.models import Office, TermsVersionRow
from storage.sites import calendar_of, load_closures, load_limits, load_sites

# A bump lost to a Redis outage must not leave a process on old facts for ever.
MAX_AGE_SECONDS = 60.0


class OfficeVersion:
    """The office's change counter in Redis, and the value this process last saw."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._key = RedisKeys(prefix).office_version()
        self.seen = ""  # '' until read; the counter as text, compared for equality only

    def observe(self, value: str) -> None:
        """What a lock+load read found (exact comparison: a Redis restart resets the counter,
        and a count that went back must count as a change)."""
        self.seen = value

    async def refresh(self) -> str:
        """Read the counter (one GET)."""
        raw = await self._redis.get(self._key)
        self.seen = "" if raw is None else (raw.decode() if isinstance(raw, bytes) else raw)
        return self.seen

    async def bump(self) -> None:
        """Tell every process the office row, its terms or closures changed (after the commit)."""
        self.seen = str(await self._redis.incr(self._key))


@dataclass(frozen=True)
class OfficeSnapshot:
    """The office row, its terms versions (newest first) and its calendar, as read at `tag`.

    `ranges` are every closure in force and `limits` every capacity limit, past ones too: a
    few a year, and the day asked about decides which count (`calendar`).
    """

    office: Office
    terms: tuple[TermsVersionRow, ...]
    tag: str
    read_at: float
    sites: tuple[Site, ...] = ()
    ranges: tuple[ClosureRange, ...] = ()
    limits: tuple[CapacityLimit, ...] = ()
    _calendars: dict[date, Calendar] = field(default_factory=dict, compare=False, repr=False)

    def terms_at(self, at: datetime) -> TermsVersionRow | None:
        """The newest terms version already in effect at `at`."""
        return next((row for row in self.terms if row.effective_from <= at), None)

    def calendar(self, at: datetime) -> Calendar:
        """The booking calendar as of `at`'s day: what storage.bookings.load_calendar reads
        from the tables, built once per day of this snapshot (so the calendar's own lookups
        are built once too, not on every step)."""
        today = to_jst(at).date()
        found = self._calendars.get(today)
        if found is None:
            found = self._calendars[today] = calendar_of(
                self.office, today, sites=self.sites, ranges=self.ranges, limits=self.limits)
        return found


class OfficeCache:
    """The snapshot of one office (row, terms, calendar); re-read when the counter moved (or,
    without a counter, on every call: storage-only tests change the rows under it)."""

    def __init__(self, reads: async_sessionmaker[AsyncSession], office_id: uuid.UUID, *,
                 version: OfficeVersion | None) -> None:
        self._reads = reads
        self._office_id = office_id
        self._version = version
        self._snapshot: OfficeSnapshot | None = None
        self._loading = asyncio.Lock()

    def _fresh(self, snapshot: OfficeSnapshot | None) -> bool:
        return (snapshot is not None and self._version is not None
                and snapshot.tag == self._version.seen
                and monotonic() - snapshot.read_at < MAX_AGE_SECONDS)

    async def current(self) -> OfficeSnapshot:
        """The snapshot, read again first if staff changed anything since it was made."""
        if self._fresh(self._snapshot):
            assert self._snapshot is not None
            return self._snapshot
        async with self._loading:  # one read for a burst of steps, not one each
            if not self._fresh(self._snapshot):
                self._snapshot = await self._load()
            assert self._snapshot is not None
            return self._snapshot

    async def _load(self) -> OfficeSnapshot:
        tag = self._version.seen if self._version else ""  # before the read: never newer

        async def rows(session: AsyncSession) -> OfficeSnapshot:
            office = await session.get(Office, self._office_id)
            assert office is not None
            terms = (await session.scalars(
                select(TermsVersionRow).where(TermsVersionRow.office_id == self._office_id)
                .order_by(TermsVersionRow.effective_from.desc()))).all()
            # Every closure in force, past ones too (a few a year; the clock decides which count).
            ranges = await load_closures(session=session, office_id=self._office_id,
                                         first=date.min, last=date.max)
            return OfficeSnapshot(
                office=office, terms=tuple(terms), tag=tag, read_at=monotonic(),
                sites=await load_sites(session=session, office_id=self._office_id),
                ranges=ranges,
                limits=await load_limits(session=session, office_id=self._office_id,
                                         first=date.min))

        return await read(self._reads, rows)

    async def office(self) -> Office:
        """The office row (detached: read it, never change it)."""
        return (await self.current()).office

    async def terms(self, at: datetime) -> TermsVersionRow | None:
        """The newest terms version already in effect at `at`."""
        return (await self.current()).terms_at(at)
