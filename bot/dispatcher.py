"""Runs each webhook event through dedupe → engine → reply → outbox, isolated from the others."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

from linebot.v3.webhooks import Event, PostbackEvent

from bot.events import to_input, user_id_of
from bot.line_api import LineGateway, SendError
from bot.outbox_sender import OutboxSender
from bot.render import render
from bot.tracker import EventTracker
from dialogs import messages as m
from dialogs.engine import Engine
from dialogs.flow import Input
from dialogs.ports import LockTimeout
from dialogs.postback import Postback
from dialogs.replies import Reply, Text
from logs import log_user
from storage.conversations import EventDeduper

log = logging.getLogger(__name__)
# Events handled at once; the others wait their turn (cheaply). Every handler step shares
# this event loop with the webhook's own 200s, so the fewer run at once the sooner a new
# webhook is answered, while four already keep the CPU busy (bench/RESULTS.md: ack p99 at
# 1,000 events/s 4.7 s with 8, 0.97 s with 4, same throughput). Unbounded, they also took
# Redis connections until the pool refused them and events were lost.
MAX_CONCURRENT = 4
STALE_POSTBACK_SECONDS = 3 * 60


def is_stale_redelivery(event: Event, age: float) -> bool:
    """A postback LINE redelivers minutes later: its moment has passed (DESIGN.md §11), so
    it is answered as an expired button rather than acted on."""
    redelivered = bool(getattr(event.delivery_context, "is_redelivery", False))
    return redelivered and isinstance(event, PostbackEvent) and age > STALE_POSTBACK_SECONDS


class Dispatcher:
    """One task per event: a crash in one never touches another."""

    def __init__(self, *, engine: Engine, deduper: EventDeduper, line: LineGateway,
                 sender: OutboxSender, tracker: EventTracker, dedupe_seconds: int,
                 wall: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._dedupe_seconds = dedupe_seconds
        self._wall = wall  # LINE stamps events in real time, whatever the office's clock says
        self._deduper = deduper
        self._line = line
        self._sender = sender
        self.tracker = tracker
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)

    def submit(self, event: Event) -> None:
        """Start handling an event in the background; the webhook answers 200 at once."""
        event_id = event.webhook_event_id
        self.tracker.started(event_id)
        task = asyncio.create_task(self._guarded(event))
        self.tracker.tasks.add(task)
        task.add_done_callback(self.tracker.tasks.discard)

    async def _guarded(self, event: Event) -> None:
        try:
            async with self._slots:
                await self.handle(event)
        except Exception:
            log.exception("event handling failed", extra={"event_id": event.webhook_event_id})
        finally:
            self.tracker.finished(event.webhook_event_id)

    async def handle(self, event: Event) -> None:
        """Handle one event once; standby events and unknown types are ignored."""
        if event.mode == "standby":
            return
        user, inp = user_id_of(event), to_input(event)
        if user is None or inp is None:
            return
        extra = {"user": log_user(user), "event_type": event.type}
        age = self._wall() - event.timestamp / 1000
        if age > self._dedupe_seconds:
            # Its id may have left the dedupe window: acting on it could repeat a step.
            log.info("event older than the dedupe window ignored", extra=extra)
            return
        if is_stale_redelivery(event, age):
            inp = Input(kind="postback", postback=Postback(action="unknown", nonce="-"))
        try:
            first = await self._deduper.first_time(event.webhook_event_id)
        except Exception:  # Redis unreachable: nothing was done, so say so and ask to retry
            log.exception("dedupe failed", extra=extra)
            await self._reply(event, [Text(text=m.ERROR)], extra)
            return
        if not first:
            log.info("duplicate event ignored", extra={"event_id": event.webhook_event_id})
            return
        written: list[uuid.UUID] = []
        try:
            handled = await self._engine.handle(user, inp)
            replies, written = handled.replies, handled.outbox_ids
        except LockTimeout:
            replies = [Text(text=m.BUSY)]
        except Exception:  # what it committed before failing is left to the outbox job
            log.exception("dialog step failed", extra=extra)
            replies = [Text(text=m.ERROR)]
        await self._reply(event, replies, extra)
        if written:  # pushes after the reply: the user hears back first (DESIGN.md §11)
            await self._sender.deliver(written)

    async def _reply(self, event: Event, replies: list[Reply], extra: dict[str, str]) -> None:
        """Reply with the event's token; a failed reply is logged, never raised."""
        token = getattr(event, "reply_token", None)
        if replies and token:
            try:
                await self._line.reply(token, render(replies))
            except SendError as exc:
                log.warning("reply failed", extra={**extra, "status": exc.status})
