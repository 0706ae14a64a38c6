"""Runs one webhook event through engine → reply (or push when the token is stale) → outbox.

Events reach it from the stream (bot/consumer.py), already deduplicated by the webhook; a
re-claimed event is recognised by its done record (dialogs.ports.Once, kept by the state
store with the conversation), so its step runs once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from bot.events import Incoming
from bot.line_api import LineGateway, SendError
from bot.outbox_sender import OutboxSender
from bot.render import render
from dialogs import i18n
from dialogs import messages as m
from dialogs.engine import Engine
from dialogs.flow import Input
from dialogs.ports import LockTimeout, Once
from dialogs.postback import Postback
from dialogs.replies import Reply, Text, dump_replies
from logs import log_user
from storage.db import transaction
from storage.event_stream import EventStream
from storage.models import Outbox
from storage.outbox import add_push
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
STALE_POSTBACK_SECONDS = 3 * 60
# The outbox row of a push that stands in for a stale reply: derived from the event id, so a
# re-claimed event finds the row its first run wrote instead of pushing twice.
FALLBACK_NAMESPACE = uuid.UUID("5f0c3c1e-7d1a-4a53-9d39-3d1f6c1b2a10")


def is_stale_redelivery(event: Incoming, age: float) -> bool:
    """A postback LINE redelivers minutes later: its moment has passed (DESIGN.md §11), so
    it is answered as an expired button rather than acted on."""
    return event.redelivery and event.type == "postback" and age > STALE_POSTBACK_SECONDS


class Dispatcher:
    """Handles one event: a failure is answered and logged, never raised to the consumer."""

    def __init__(self, *, engine: Engine, stream: EventStream, line: LineGateway,
                 sender: OutboxSender, uow: UnitOfWork, office_id: uuid.UUID,
                 clock: Callable[[], datetime], dedupe_seconds: int, reply_seconds: float,
                 wall: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._stream = stream
        self._dedupe_seconds = dedupe_seconds
        self._reply_seconds = reply_seconds
        self._wall = wall  # LINE stamps events in real time, whatever the office's clock says
        self._line = line
        self._sender = sender
        self._uow = uow
        self._office_id = office_id
        self._clock = clock

    async def handle(self, event: Incoming) -> None:
        """Handle one event once; standby events and unknown types are ignored."""
        if event.mode == "standby":
            return
        user, inp = event.user, event.input
        if user is None or inp is None:
            return
        extra = {"user": log_user(user), "event_type": event.type}
        age = self._wall() - event.timestamp_ms / 1000
        if age > self._dedupe_seconds:
            # Its id may have left the dedupe window: acting on it could repeat a step.
            log.info("event older than the dedupe window ignored", extra=extra)
            return
        if is_stale_redelivery(event, age):
            inp = Input(kind="postback", postback=Postback(action="unknown", nonce="-"))
        written: list[uuid.UUID] = []
        try:
            handled = await self._engine.handle(
                user, inp, Once(event.event_id, self._dedupe_seconds))
            replies, written = handled.replies, handled.outbox_ids
        except LockTimeout:
            replies = [await self._say(user, m.BUSY)]
        except Exception:  # what it committed before failing is left to the outbox job
            log.exception("dialog step failed", extra=extra)
            replies = [await self._say(user, m.ERROR)]
        # The age again: the step itself may have waited (a lock, a slow commit).
        if self._wall() - event.timestamp_ms / 1000 > self._reply_seconds:
            written = [*await self._push_instead(event, user, replies, extra), *written]
        else:
            await self._reply(event, replies, extra)
        if written:  # pushes after the reply: the user hears back first (DESIGN.md §11)
            await self._sender.deliver(written)

    async def _say(self, user: str, message: str) -> Text:
        """A step that could not run is answered in the user's language (Japanese when even
        that cannot be read: the failure may be the database's)."""
        try:
            language: str | None = await self._engine.language_of(user)
        except Exception:
            language = None
        with i18n.speaking(language):
            return Text(text=i18n.tr(message))

    async def _reply(self, event: Incoming, replies: list[Reply],
                     extra: dict[str, str]) -> None:
        """Reply with the event's token; a failed reply is logged, never raised."""
        token = event.reply_token
        if replies and token:
            try:
                await self._line.reply(token, render(replies))
            except SendError as exc:
                log.warning("reply failed", extra={**extra, "status": exc.status})

    async def _push_instead(self, event: Incoming, user: str, replies: list[Reply],
                            extra: dict[str, str]) -> list[uuid.UUID]:
        """The reply token has likely expired (about a minute): say it by push, through the
        outbox, once per event however often the event is claimed."""
        if not replies:
            return []
        row_id = uuid.uuid5(FALLBACK_NAMESPACE, event.event_id)
        log.info("reply token likely expired: answering by push", extra=extra)
        async with transaction(self._uow.sessions) as session:
            if await session.get(Outbox, row_id) is not None:
                return []
            row = add_push(session=session, office_id=self._office_id, to=user,
                           kind="reply.fallback", payload=dump_replies(replies),
                           now=self._clock())
            row.id = row_id
        return [row_id]
