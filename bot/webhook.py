"""`POST /line/webhook`: signature check with the SDK parser, then the events are appended to
the event stream (deduplicated, one Redis round trip) before LINE is answered 200.

If Redis cannot take them the answer is 503, so LINE redelivers (with webhook redelivery
turned on in the LINE Developers console): an acknowledged event is never only in memory.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError

from storage.event_stream import EventStream

log = logging.getLogger(__name__)


def app_stream(request: Request) -> EventStream:
    """The app's event stream, built at start-up (after the router): found at request time."""
    stream: EventStream = request.app.state.services.stream
    return stream


StreamDep = Annotated[EventStream, Depends(app_stream)]


def stream_entries(body: bytes) -> list[tuple[str, str, str]]:
    """(webhookEventId, user or chat id, event JSON) of each event of a body the SDK accepted.

    Every event with an id goes in, even those the handler ignores (standby, groups): the
    emulator driver waits for each event sent to be finished.
    """
    events: Any = json.loads(body).get("events") or []
    entries = []
    for raw in events if isinstance(events, list) else []:
        event_id = raw.get("webhookEventId") if isinstance(raw, dict) else None
        if not isinstance(event_id, str) or not event_id:
            continue
        source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
        who = source.get("userId") or source.get("groupId") or source.get("roomId") or ""
        entries.append((event_id, str(who), json.dumps(raw, ensure_ascii=False)))
    return entries


def build_webhook_router(*, channel_secret: str) -> APIRouter:
    """The webhook endpoint bound to one channel secret; events go to the app's stream."""
    router = APIRouter()
    parser = WebhookParser(channel_secret)

    @router.post("/line/webhook")
    async def webhook(request: Request, stream: StreamDep,
                      x_line_signature: str | None = Header(default=None)) -> dict[str, str]:
        body = await request.body()  # http_guards.BodyLimit caps it at LINE's 1 MB
        if not x_line_signature:
            log.warning("webhook without signature", extra={"status": 400})
            raise HTTPException(status_code=400, detail="Missing X-Line-Signature")
        try:
            events = parser.parse(body.decode("utf-8", errors="replace"), x_line_signature)
        except InvalidSignatureError:
            log.warning("webhook with invalid signature (%d bytes)", len(body))
            raise HTTPException(status_code=400, detail="Invalid signature") from None
        except (ValueError, TypeError, KeyError, AttributeError):
            # The SDK indexes the JSON as it finds it: `[]`, `null` or `{"events": 1}` under a
            # valid signature raise TypeError and the like, which must be a 400, not a 500.
            log.warning("malformed webhook body (%d bytes)", len(body))
            raise HTTPException(status_code=400, detail="Malformed webhook body") from None
        if not events:
            return {"status": "ok"}  # LINE's "verify" button sends none
        entries = stream_entries(body)
        try:
            added = await stream.append(entries)
        except Exception:
            log.exception("webhook events not persisted: asking LINE to redeliver")
            raise HTTPException(status_code=503, detail="Events could not be stored; "
                                "please redeliver") from None
        for (event_id, _, _), new in zip(entries, added, strict=True):
            if not new:
                log.info("duplicate event ignored", extra={"event_id": event_id})
        return {"status": "ok"}

    return router
