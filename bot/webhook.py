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
from collections.abc import Callable
from typing import Any

from linebot.v3 import SignatureValidator
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.events import UnreadableEvent, read_event
from http_guards import BodyLimit
from storage.event_stream import EventStream

log = logging.getLogger(__name__)


OK_BODY = b'{"status":"ok"}'


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


WEBHOOK_PATH = "/line/webhook"
JSON = (b"content-type", b"application/json")


async def _answer(send: Send, status: int, body: bytes = OK_BODY,
                  headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [JSON, (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, status: int, detail: str, *extra: tuple[bytes, bytes]) -> None:
    """The framework's error shape, `{"detail": ...}`, as the other routes answer."""
    body = json.dumps({"detail": detail}, ensure_ascii=False, separators=(",", ":")).encode()
    await _answer(send, status, body, extra)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client gone")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class WebhookFirst:
    """ASGI middleware, outermost: `POST /line/webhook` is answered here, before the stack.

    The webhook is the hot path and needs none of what the pages need (the office's change
    counter, the public pages' headers, the proxy's client address, routing, dependency
    solving): those were ~6 % of an event's CPU (bench/RESULTS.md). It keeps the body limit
    (http_guards.BodyLimit wraps it). Every other request goes on to the app.
    """

    def __init__(self, app: ASGIApp, *, channel_secret: str,
                 stream: Callable[[], EventStream], state: State) -> None:
        self.app = app
        self.webhook = BodyLimit(self._webhook)
        self._validator = SignatureValidator(channel_secret)
        self._stream = stream  # read per request: the services build it at start-up
        self._state = state  # where the unreadable events are counted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == WEBHOOK_PATH:
            await self.webhook(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _webhook(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await _refuse(send, 405, "Method Not Allowed", (b"allow", b"POST"))
            return
        signature = None
        for name, value in scope["headers"]:
            if name == b"x-line-signature":
                signature = value.decode("latin-1")
                break
        try:
            body = await _read_body(receive)
        except HTTPException as too_large:  # BodyLimit counted a body sent without a length
            await _refuse(send, too_large.status_code, str(too_large.detail))
            return
        except ConnectionError:
            return  # nobody left to answer
        status, detail = await self.accept(body, signature)
        if detail is None:
            await _answer(send, status)
        else:
            await _refuse(send, status, detail)

    async def accept(self, body: bytes, signature: str | None) -> tuple[int, str | None]:
        """Verify, read and store the events of one body: the status and the error's detail
        (None for 200)."""
        if not signature:
            log.warning("webhook without signature", extra={"status": 400})
            return 400, "Missing X-Line-Signature"
        text = body.decode("utf-8", errors="replace")
        if not self._validator.validate(text, signature):
            log.warning("webhook with invalid signature (%d bytes)", len(body))
            return 400, "Invalid signature"
        try:
            entries, refused = stream_entries(text)
        except MalformedBody:
            log.warning("malformed webhook body (%d bytes)", len(body))
            return 400, "Malformed webhook body"
        if refused:
            self._state.webhook_unreadable = unreadable_events(self._state) + len(refused)
            log.warning("%d unreadable webhook events not stored: %s", len(refused),
                        "; ".join(sorted(set(refused))))
        if not entries:
            return 200, None  # LINE's "verify" button sends none
        try:
            added = await self._stream().append(entries)
        except Exception:
            log.exception("webhook events not persisted: asking LINE to redeliver")
            return 503, "Events could not be stored; please redeliver"
        for (event_id, _, _), new in zip(entries, added, strict=True):
            if not new:
                log.info("duplicate event ignored", extra={"event_id": event_id})
        return 200, None
