"""Staff alerts: one outbox push per linked, active staff account, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.replies import Reply, dump_replies
from storage.models import StaffAccount
from storage.outbox import add_push


async def linked_staff(session: AsyncSession, office_id: uuid.UUID) -> list[StaffAccount]:
    """Staff who linked a LINE account and are still active: the only ones alerted."""
    return list((await session.scalars(select(StaffAccount).where(
        StaffAccount.office_id == office_id, StaffAccount.active.is_(True),
        StaffAccount.line_user_id.is_not(None)))).all())


async def alert_staff(*, session: AsyncSession, office_id: uuid.UUID, now: datetime, kind: str,
                      replies: list[Reply], booking_id: uuid.UUID | None = None) -> int:
    """Queue `replies` to every linked staff account; returns how many rows were written."""
    payload = dump_replies(replies)
    staff = await linked_staff(session, office_id)
    for member in staff:
        assert member.line_user_id is not None
        add_push(session=session, office_id=office_id, to=member.line_user_id,
                 kind=f"staff.{kind}", payload=payload, now=now, booking_id=booking_id)
    return len(staff)
