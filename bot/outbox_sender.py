"""Delivers outbox rows as LINE pushes: claim, send with the row's retry key, settle."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.line_api import LineGateway, SendError
from bot.render import render
from dialogs.replies import load_replies
from storage.db import one_statement, transaction
from storage.models import Outbox, OutboxStatus
from storage.outbox import claim, claim_these, settle, settle_sent
from storage.sweeps import alert_failed_push
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")
LEASE = timedelta(seconds=60)  # production's default (Settings.outbox_lease_seconds)
MAX_ATTEMPTS = 8
BATCH = 200


def backoff(attempt: int, *, base: float = 2.0, cap: float = 600.0) -> timedelta:
    """Exponential backoff with full jitter, so retries from many rows spread out."""
    return timedelta(seconds=random.uniform(0, min(cap, base * 2 ** attempt)))


@dataclass(frozen=True)
class _Outcome:
    status: OutboxStatus
    error: str | None = None
    retry_at: datetime | None = None


class OutboxSender:
    """At-least-once from our side, exactly-once as LINE sees it (same retry key per row)."""

    def __init__(self, *, uow: UnitOfWork, line: LineGateway,
                 clock: Callable[[], datetime], concurrency: int = 32, lease: timedelta = LEASE,
                 on_failed: Callable[[Outbox, str], Awaitable[None]] | None = None,
                 reads: async_sessionmaker[AsyncSession] | None = None) -> None:
        self._uow = uow
        self._lease = lease  # above the push timeout: no row is claimed again while in flight
        self._sessions = uow.sessions
        # Where each statement commits on its own (PostgreSQL's read engine): the claim of
        # given rows and the settling of a batch all sent are one statement each.
        self._reads = reads or uow.sessions
        self._line = line
        self._clock = clock
        self._gate = asyncio.Semaphore(concurrency)
        self._on_failed = on_failed or self._alert_staff

    async def deliver(self, ids: list[uuid.UUID] | None = None, *, limit: int = BATCH) -> int:
        """Send what is due (only `ids` when given); returns how many were sent."""
        _, sent = await self._batch(ids, limit)
        return sent

    async def drain(self, *, limit: int = BATCH, budget: float = 30.0) -> int:
        """Send batch after batch until nothing is due or `budget` seconds are spent."""
        deadline = time.monotonic() + budget
        total = 0
        while True:
            claimed, sent = await self._batch(None, limit)
            total += sent
            if claimed < limit or time.monotonic() >= deadline:
                return total

    async def _batch(self, ids: list[uuid.UUID] | None, limit: int) -> tuple[int, int]:
        """One claim, concurrent sends, one settle: (claimed, sent)."""
        if ids is None:  # whatever is due: SKIP LOCKED, in a transaction
            async with transaction(self._sessions) as session:
                rows = await claim(session=session, now=self._clock(), limit=limit,
                                   lease=self._lease)
        else:
            rows = await self._single(lambda session: claim_these(
                session=session, now=self._clock(), lease=self._lease, ids=ids[:limit]))
        if not rows:
            return 0, 0
        outcomes = await asyncio.gather(*(self._send(row) for row in rows))
        sent = [row.id for row, out in zip(rows, outcomes, strict=True)
                if out.status == OutboxStatus.SENT]
        others = [(row, out) for row, out in zip(rows, outcomes, strict=True)
                  if out.status != OutboxStatus.SENT]
        if not others:
            await self._single(lambda session: settle_sent(session=session, row_ids=sent,
                                                           now=self._clock()))
            return len(rows), len(sent)
        async with transaction(self._sessions) as session:
            now = self._clock()
            await settle_sent(session=session, row_ids=sent, now=now)
            for row, out in others:
                await settle(session=session, row_id=row.id, status=out.status, now=now,
                             error=out.error, retry_at=out.retry_at)
        for row, out in others:
            if out.status == OutboxStatus.FAILED:
                await self._on_failed(row, out.error or "")
        return len(rows), len(sent)

    async def _single(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """A one-statement unit of work whose repetition is harmless (a claim finds the rows
        claimed, a settle writes the same): alone where statements commit on their own."""
        return await one_statement(self._sessions, self._reads, work)

    async def _send(self, row: Outbox) -> _Outcome:
        try:
            messages = render(load_replies(row.payload))
        except Exception as exc:  # a payload that cannot be rendered never will be
            log.exception("outbox payload unusable", extra={"outbox_id": str(row.id)})
            return _Outcome(OutboxStatus.FAILED, f"payload: {type(exc).__name__}")
        async with self._gate:
            try:
                await self._line.push(row.to_line_user_id, messages, retry_key=str(row.id))
            except SendError as exc:
                if exc.already_accepted:
                    return _Outcome(OutboxStatus.SENT)
                log.warning("push failed", extra={"outbox_id": str(row.id), "status": exc.status})
                return self._retry_or_fail(row, exc.detail, exc.retryable)
            except Exception as exc:  # e.g. the connection dropped mid-response: try again
                log.warning("push failed", extra={"outbox_id": str(row.id)}, exc_info=True)
                return self._retry_or_fail(row, type(exc).__name__, True)
            return _Outcome(OutboxStatus.SENT)

    def _retry_or_fail(self, row: Outbox, error: str, retryable: bool) -> _Outcome:
        """Retry later with backoff (5xx, 429, time-outs) until the attempts run out."""
        if retryable and row.attempts + 1 < MAX_ATTEMPTS:
            return _Outcome(OutboxStatus.PENDING, error, self._clock() + backoff(row.attempts))
        return _Outcome(OutboxStatus.FAILED, error)

    async def _alert_staff(self, row: Outbox, error: str) -> None:
        """A push that can never be delivered: staff must reach the user another way."""
        try:
            # Queued for the outbox job, like any push: never sent from inside this batch.
            async with self._uow.begin() as work:
                await alert_failed_push(session=work.session, row=row, now=self._clock())
        except Exception:
            log.exception("could not alert staff of a failed push",
                          extra={"outbox_id": str(row.id)})
