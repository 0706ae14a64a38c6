"""Outbox rows: written inside the caller's transaction, claimed and settled by the sender."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import one_statement
from storage.models import Outbox, OutboxStatus


def add_push(*, session: AsyncSession, office_id: uuid.UUID, to: str, kind: str,
             payload: list[dict[str, Any]], now: datetime,
             booking_id: uuid.UUID | None = None) -> Outbox:
    """Queue one push (neutral reply payload) in the caller's transaction; does not commit."""
    row = Outbox(office_id=office_id, to_line_user_id=to, kind=kind, payload=payload,
                 next_attempt_at=now, booking_id=booking_id, created_at=now)
    session.add(row)
    return row


async def queue_push(*, sessions: async_sessionmaker[AsyncSession],
                     reads: async_sessionmaker[AsyncSession], office_id: uuid.UUID, to: str,
                     kind: str, payload: list[dict[str, Any]], now: datetime) -> uuid.UUID:
    """Queue one push as a unit of work of its own: one INSERT, alone where each statement
    commits on its own (`storage.db.single_statements`), else in a transaction."""
    async def insert(session: AsyncSession) -> uuid.UUID:
        row = add_push(session=session, office_id=office_id, to=to, kind=kind,
                       payload=payload, now=now)
        await session.flush()
        return row.id

    return await one_statement(sessions, reads, insert)


async def claim(*, session: AsyncSession, now: datetime, limit: int,
                lease: timedelta) -> list[Outbox]:
    """Claim due pending rows for `lease`; SKIP LOCKED lets several workers share the work."""
    query = (
        select(Outbox)
        .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now,
               or_(Outbox.claimed_until.is_(None), Outbox.claimed_until <= now))
        .order_by(Outbox.created_at)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.scalars(query)).all())
    if rows:
        await session.execute(
            update(Outbox).where(Outbox.id.in_([r.id for r in rows]))
            .values(claimed_until=now + lease)
        )
    return rows


async def claim_these(*, session: AsyncSession, now: datetime, lease: timedelta,
                      ids: list[uuid.UUID]) -> list[Outbox]:
    """Claim for `lease` those of the rows `ids` that are due and claimed by no one, oldest
    first. One UPDATE … RETURNING, whole on its own (a second claimer waits for the row, then
    finds it claimed), so it needs no transaction around it: the rows a step or a page just
    wrote are sent at once for one round trip."""
    if not ids:
        return []
    rows = (await session.scalars(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.status == OutboxStatus.PENDING,
               Outbox.next_attempt_at <= now,
               or_(Outbox.claimed_until.is_(None), Outbox.claimed_until <= now))
        .values(claimed_until=now + lease)
        .returning(Outbox)
        .execution_options(synchronize_session=False))).all()
    return sorted(rows, key=lambda row: row.created_at)


async def settle_sent(*, session: AsyncSession, row_ids: list[uuid.UUID], now: datetime) -> None:
    """Mark a whole batch sent in one statement: the common outcome, so one round trip."""
    if row_ids:
        await session.execute(
            update(Outbox).where(Outbox.id.in_(row_ids))
            .values(status=OutboxStatus.SENT, sent_at=now, claimed_until=None, last_error=None,
                    attempts=Outbox.attempts + 1)
        )


async def settle(*, session: AsyncSession, row_id: uuid.UUID, status: OutboxStatus,
                 now: datetime, error: str | None = None,
                 retry_at: datetime | None = None) -> None:
    """Record the outcome of one delivery attempt."""
    values: dict[str, Any] = {"claimed_until": None, "last_error": (error or None) and error[:500]}
    if status == OutboxStatus.SENT:
        values |= {"status": status, "sent_at": now}
    elif retry_at is not None:
        values |= {"next_attempt_at": retry_at}
    else:
        values |= {"status": status}
    await session.execute(
        update(Outbox).where(Outbox.id == row_id).values(attempts=Outbox.attempts + 1, **values)
    )
