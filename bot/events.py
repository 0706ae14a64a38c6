"""Reading a LINE webhook event: the one function the webhook and the handler both use.

The webhook appends only events this reading accepts, and the handler reads stream entries
with it, so every entry in the stream is one the handler can read. It reads plain JSON (the
fields a step needs, checked as strictly as the SDK's models check them) rather than building
the SDK's pydantic models: that was a third of the CPU of an event (bench/RESULTS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dialogs.flow import Input
from dialogs.postback import Postback

# LINE user ids are "U" and 32 hex digits; anything not even id-shaped (no letters and digits
# only, or longer than the database keeps) is not from LINE: such an event is refused.
LINE_ID = re.compile(r"[0-9A-Za-z]{1,64}")
MODES = frozenset({"active", "standby"})
SOURCE_IDS = {"user": "userId", "group": "groupId", "room": "roomId"}


class UnreadableEvent(ValueError):
    """An event that is no event LINE sends: the reason, never its ids or contents."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """What the handler needs of one webhook event."""

    event_id: str
    type: str
    mode: str
    timestamp_ms: int
    chat: str  # the user, group or room: the stream partition's key ("" when none)
    user: str | None  # the LINE user of a one-to-one chat, else None
    reply_token: str | None
    redelivery: bool
    input: Input | None  # None for events we ignore (groups' joins, beacons, unknown types)


def _need(ok: bool, reason: str) -> None:
    if not ok:
        raise UnreadableEvent(reason)


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _message(raw: dict[str, Any]) -> Input:
    content = raw.get("message")
    _need(isinstance(content, dict) and _str(content.get("type")), "message without a type")
    if content["type"] == "text":
        _need(_str(content.get("text")), "text message without text")
        return Input(kind="text", text=content["text"])
    return Input(kind="other", other=content["type"])


def _postback(raw: dict[str, Any]) -> Input:
    postback = raw.get("postback")
    _need(isinstance(postback, dict) and _str(postback.get("data")), "postback without data")
    params = postback.get("params")
    _need(params is None or isinstance(params, dict), "postback params not an object")
    kept = {k: v for k, v in (params or {}).items() if _str(v)}
    parsed = Postback.parse(postback["data"])
    if parsed is None:  # not ours (or tampered): answered as an expired button
        parsed = Postback(action="unknown", nonce="-")
    return Input(kind="postback", postback=parsed, params=kept)


def _source(raw: dict[str, Any]) -> tuple[str, str | None]:
    source = raw.get("source")
    if source is None:
        return "", None
    _need(isinstance(source, dict), "source not an object")
    kind = source.get("type")
    _need(kind in SOURCE_IDS, "unknown source type")
    chat = source.get(SOURCE_IDS[kind])
    _need(_str(chat) and LINE_ID.fullmatch(chat) is not None, "source id not a LINE id")
    user = source.get("userId")
    _need(user is None or (_str(user) and LINE_ID.fullmatch(user) is not None),
          "user id not a LINE id")
    return chat, (chat if kind == "user" else None)


def read_event(raw: Any) -> Incoming:
    """One event of a webhook body (parsed JSON), or UnreadableEvent saying why not."""
    _need(isinstance(raw, dict), "event not an object")
    event_id, kind, mode = raw.get("webhookEventId"), raw.get("type"), raw.get("mode")
    _need(_str(event_id) and bool(event_id), "no webhookEventId")
    _need(_str(kind), "no type")
    _need(mode in MODES, "unknown mode")
    _need(_int(raw.get("timestamp")), "timestamp not an integer")
    context = raw.get("deliveryContext")
    _need(isinstance(context, dict) and isinstance(context.get("isRedelivery"), bool),
          "no delivery context")
    token = raw.get("replyToken")
    _need(token is None or _str(token), "reply token not a string")
    chat, user = _source(raw)
    inp = None
    if kind == "message":
        inp = _message(raw)
    elif kind == "postback":
        inp = _postback(raw)
    elif kind == "follow":
        inp = Input(kind="follow")
    elif kind == "unfollow":
        inp = Input(kind="unfollow")
    return Incoming(event_id=event_id, type=kind, mode=mode, timestamp_ms=raw["timestamp"],
                    chat=chat, user=user, reply_token=token or None,
                    redelivery=context["isRedelivery"], input=inp)
