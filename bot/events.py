"""LINE webhook events → the engine's neutral inputs, by a registry keyed on event class."""

from __future__ import annotations

import re
from collections.abc import Callable

from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)

from dialogs.flow import Input
from dialogs.postback import Postback


def _message(event: MessageEvent) -> Input:
    content = event.message
    if isinstance(content, TextMessageContent):
        return Input(kind="text", text=content.text)
    return Input(kind="other", other=str(getattr(content, "type", "unknown")))


def _postback(event: PostbackEvent) -> Input:
    params = {k: v for k, v in (event.postback.params or {}).items() if isinstance(v, str)}
    parsed = Postback.parse(event.postback.data)
    if parsed is None:  # not ours (or tampered): answer as an expired button
        parsed = Postback(action="unknown", nonce="-")
    return Input(kind="postback", postback=parsed, params=params)


CONVERTERS: dict[type, Callable[[Event], Input]] = {
    MessageEvent: _message,  # type: ignore[dict-item]
    PostbackEvent: _postback,  # type: ignore[dict-item]
    FollowEvent: lambda e: Input(kind="follow"),
    UnfollowEvent: lambda e: Input(kind="unfollow"),
}


# LINE user ids are "U" and 32 hex digits; anything not even id-shaped (no letters and digits
# only, or longer than the database keeps) is not from LINE and is ignored, never stored.
LINE_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def user_id_of(event: Event) -> str | None:
    """The LINE user behind an event from a one-to-one chat, else None."""
    source = getattr(event, "source", None)
    user = getattr(source, "user_id", None) if getattr(source, "type", None) == "user" else None
    return user if isinstance(user, str) and LINE_ID.fullmatch(user) else None


def to_input(event: Event) -> Input | None:
    """The engine input for an event we handle, or None for events we ignore."""
    converter = CONVERTERS.get(type(event))
    return converter(event) if converter else None
