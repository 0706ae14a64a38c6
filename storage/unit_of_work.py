"""One unit of work: the rows a change writes and the pushes its events call for, one commit.

Storage records domain events (dialogs/events.py) where a change causes them; the notifier
injected here words each one, and the pushes become outbox rows in the same transaction. The
unit of work hands back the ids of those rows, for the caller to deliver once committed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.events import STAFF, Event
from dialogs.ports import Notifier
from logs import hash_line_user
from storage.models import LineUser, StaffAccount
from storage.outbox import add_push

_KEY = "madoguchi.unit_of_work"


@dataclass
class Work:
    """An open unit of work: its session, and the outbox rows written so far."""

    session: AsyncSession
    notifier: Notifier
    events: list[Event] = field(default_factory=list)  # what the change caused, in order
    outbox_ids: list[uuid.UUID] = field(default_factory=list)


class UnitOfWork:
    """Opens transactions whose events are worded by `notifier` into outbox rows."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], notifier: Notifier) -> None:
        self.sessions = sessions
        self.notifier = notifier

    @asynccontextmanager
    async def begin(self, into: list[uuid.UUID] | None = None) -> AsyncIterator[Work]:
        """Commit on success (rows and pushes together), roll back both on any error; once
        committed, the new outbox ids are added to `into` for the caller to deliver."""
        async with self.sessions() as session, session.begin():
            work = Work(session=session, notifier=self.notifier)
            session.info[_KEY] = work
            yield work
        if into is not None:
            into.extend(work.outbox_ids)


async def linked_staff(session: AsyncSession, office_id: uuid.UUID) -> list[StaffAccount]:
    """Staff who linked a LINE account and are still active: the only ones alerted."""
    return list((await session.scalars(select(StaffAccount).where(
        StaffAccount.office_id == office_id, StaffAccount.active.is_(True),
        StaffAccount.line_user_id.is_not(None)))).all())


async def _language_of(session: AsyncSession, event: Event,
                       office_id: uuid.UUID) -> str | None:
    """The language the event's user reads (pushes are worded in it when written)."""
    to = getattr(event, "to", None)
    if not to or to == STAFF:
        return None
    return await session.scalar(select(LineUser.language).where(
        LineUser.office_id == office_id, LineUser.line_user_hash == hash_line_user(to)))


async def publish(session: AsyncSession, event: Event, *, office_id: uuid.UUID,
                  now: datetime) -> int:
    """Word `event` and queue its pushes in this unit of work; returns the rows written."""
    work: Work = session.info[_KEY]
    work.events.append(event)
    written = 0
    for notice in work.notifier.notices(event, await _language_of(session, event, office_id)):
        if notice.to == STAFF:
            recipients = [m.line_user_id for m in await linked_staff(session, office_id)
                          if m.line_user_id]
        else:
            recipients = [notice.to]
        booking_id = uuid.UUID(notice.booking_id) if notice.booking_id else None
        for to in recipients:
            row = add_push(session=session, office_id=office_id, to=to, kind=notice.kind,
                           payload=notice.payload, now=now, booking_id=booking_id)
            work.outbox_ids.append(row.id)
            written += 1
    return written
