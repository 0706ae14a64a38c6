"""`POST /line/webhook`: signature check (the SDK's SignatureValidator), one JSON parse, each
event read by the handler's own reading (bot/events.read_event), then the readable events are
appended to the event stream (deduplicated, one Redis round trip) before LINE is answered 200.

If Redis cannot take them the answer is 503, so LINE redelivers (with webhook redelivery
turned on in the LINE Developers console): an acknowledged event is never only in memory.
An event the handler could not read is not appended: it is counted and logged (the reason,
never its ids or contents) and the body still gets 200, since a redelivery would not help.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from linebot.v3 import SignatureValidator
from starlette.datastructures import State

from bot.events import UnreadableEvent, read_event
from storage.event_stream import EventStream

log = logging.getLogger(__name__)


OK_BODY = b'{"status":"ok"}'


def ok() -> Response:
    """`{"status": "ok"}`, as before, without a serialisation pass."""
    return Response(OK_BODY, media_type="application/json")


def unreadable_events(state: State) -> int:
    """Events this app's webhook refused as unreadable since it started."""
    return int(getattr(state, "webhook_unreadable", 0))


class MalformedBody(ValueError):
    """A body that is not a webhook payload at all (answered 400)."""


def stream_entries(body: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(webhookEventId, user or chat id, event JSON) of each readable event of a signed body,
    and the reasons the others could not be read.

    Every readable event goes in, even those the handler ignores (standby, groups): the
    emulator driver waits for each event sent to be finished.
    """
    try:
        payload: Any = json.loads(body)
    except ValueError:
        raise MalformedBody("not JSON") from None
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise MalformedBody("no list of event objects")
    entries, refused = [], []
    for raw in events:
        try:
            event = read_event(raw)
        except UnreadableEvent as exc:
            refused.append(str(exc))
            continue
        entries.append((event.event_id, event.chat, json.dumps(raw, ensure_ascii=False)))
    return entries, refused


def build_webhook_router(*, channel_secret: str) -> APIRouter:
    """The webhook endpoint bound to one channel secret; events go to the app's stream."""
    router = APIRouter()
    validator = SignatureValidator(channel_secret)

    @router.post("/line/webhook", response_class=Response)
    async def webhook(request: Request) -> Response:
        # The header and the stream are read here rather than declared as parameters, and the
        # answer is one ready response: FastAPI's dependency solving and response
        # serialisation were a measurable part of the webhook's CPU (bench/RESULTS.md).
        stream: EventStream = request.app.state.services.stream
        x_line_signature = request.headers.get("x-line-signature")
        body = await request.body()  # http_guards.BodyLimit caps it at LINE's 1 MB
        if not x_line_signature:
            log.warning("webhook without signature", extra={"status": 400})
            raise HTTPException(status_code=400, detail="Missing X-Line-Signature")
        text = body.decode("utf-8", errors="replace")
        if not validator.validate(text, x_line_signature):
            log.warning("webhook with invalid signature (%d bytes)", len(body))
            raise HTTPException(status_code=400, detail="Invalid signature")
        try:
            entries, refused = stream_entries(text)
        except MalformedBody:
            log.warning("malformed webhook body (%d bytes)", len(body))
            raise HTTPException(status_code=400, detail="Malformed webhook body") from None
        if refused:
            state = request.app.state
            state.webhook_unreadable = unreadable_events(state) + len(refused)
            log.warning("%d unreadable webhook events not stored: %s", len(refused),
                        "; ".join(sorted(set(refused))))
        if not entries:
            return ok()  # LINE's "verify" button sends none
        try:
            added = await stream.append(entries)
        except Exception:
            log.exception("webhook events not persisted: asking LINE to redeliver")
            raise HTTPException(status_code=503, detail="Events could not be stored; "
                                "please redeliver") from None
        for (event_id, _, _), new in zip(entries, added, strict=True):
            if not new:
                log.info("duplicate event ignored", extra={"event_id": event_id})
        return ok()

    return router
