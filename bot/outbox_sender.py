"""Delivers outbox rows as LINE pushes: claim, send with the row's retry key, settle."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.line_api import LineGateway, SendError
from bot.render import render
from dialogs.replies import load_replies
from storage.db import transaction
from storage.models import Outbox, OutboxStatus
from storage.outbox import claim, settle

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


def backoff(attempt: int, *, base: float = 2.0, cap: float = 600.0) -> timedelta:
    """Exponential backoff with full jitter, so retries from many rows spread out."""
    return timedelta(seconds=random.uniform(0, min(cap, base * 2 ** attempt)))


class OutboxSender:
    """At-least-once from our side, exactly-once as LINE sees it (same retry key per row)."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], line: LineGateway,
                 clock: Callable[[], datetime], concurrency: int = 32,
                 on_failed: Callable[[Outbox, str], Awaitable[None]] | None = None) -> None:
        self._sessions = sessions
        self._line = line
        self._clock = clock
        self._gate = asyncio.Semaphore(concurrency)
        self._on_failed = on_failed

    async def deliver(self, ids: list[uuid.UUID] | None = None, *, limit: int = 200) -> int:
        """Send what is due (only `ids` when given); returns how many were sent."""
        now = self._clock()
        async with transaction(self._sessions) as session:
            rows = await claim(session=session, now=now, limit=limit, lease=LEASE, ids=ids)
        if not rows:
            return 0
        outcomes = await asyncio.gather(*(self._send(row) for row in rows))
        async with transaction(self._sessions) as session:
            for row, (status, error, retry_at) in zip(rows, outcomes, strict=True):
                await settle(session=session, row_id=row.id, status=status, now=self._clock(),
                             error=error, retry_at=retry_at)
        for row, (status, error, _) in zip(rows, outcomes, strict=True):
            if status == OutboxStatus.FAILED and self._on_failed is not None:
                await self._on_failed(row, error or "")
        return sum(1 for status, _, _ in outcomes if status == OutboxStatus.SENT)

    async def _send(self, row: Outbox) -> tuple[OutboxStatus, str | None, datetime | None]:
        async with self._gate:
            try:
                await self._line.push(row.to_line_user_id, render(load_replies(row.payload)),
                                      retry_key=str(row.id))
            except SendError as exc:
                if exc.already_accepted:
                    return OutboxStatus.SENT, None, None
                log.warning("push failed", extra={"outbox_id": str(row.id), "status": exc.status})
                if exc.retryable and row.attempts + 1 < MAX_ATTEMPTS:
                    return OutboxStatus.PENDING, exc.detail, self._clock() + backoff(row.attempts)
                return OutboxStatus.FAILED, exc.detail, None
            return OutboxStatus.SENT, None, None
