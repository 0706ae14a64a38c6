"""Signing, ids and event shapes, checked against the real SDK without a server."""

from __future__ import annotations

import re

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import MessageEvent, TextMessageContent

from emulator import Emulator, sign
from emulator.ids import ulid
from emulator.webhook_sender import base_event, encode, envelope, text_message

ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def test_signature_is_accepted_by_the_sdk_parser_and_tampering_is_not(secret: str) -> None:
    event = base_event("message", "U" + "a" * 32)
    event["replyToken"] = "t" * 32
    event["message"] = text_message("こんにちは 12/3 10時")
    body = encode(envelope("Ubot", [event]))
    parser = WebhookParser(secret)

    events = parser.parse(body.decode("utf-8"), sign(secret, body))

    assert isinstance(events[0], MessageEvent)
    assert events[0].message.text == "こんにちは 12/3 10時"
    with pytest.raises(InvalidSignatureError):
        parser.parse(body.decode("utf-8").replace("10時", "11時"), sign(secret, body))
    with pytest.raises(InvalidSignatureError):
        parser.parse(body.decode("utf-8"), sign("another-secret", body))

def test_webhook_event_ids_are_26_character_ulids() -> None:
    first, second = ulid(), ulid()
    assert ULID_RE.match(first) and ULID_RE.match(second)
    assert first != second

def test_text_message_content_is_an_sdk_text_message() -> None:
    event = base_event("message", "U" + "b" * 32)
    event["replyToken"] = "r"
    event["message"] = text_message("x")
    parsed = WebhookParser("x", skip_signature_verification=lambda: True).parse(
        encode(envelope("Ubot", [event])).decode(), ""
    )
    assert isinstance(parsed[0].message, TextMessageContent)


def test_new_event_builds_a_signed_ready_event_with_a_usable_reply_token() -> None:
    emulator = Emulator("secret", webhook_url="")
    event = emulator.new_event("U" + "c" * 32, "hello")
    body = encode(envelope(emulator.bot_user_id, [event]))

    parsed = WebhookParser("secret").parse(body.decode(), sign("secret", body))
    result = emulator.reply(
        {"replyToken": event["replyToken"], "messages": [{"type": "text", "text": "hi"}]}, "rid"
    )

    assert isinstance(parsed[0].message, TextMessageContent)
    assert result.status == 200
    assert emulator.texts_for("U" + "c" * 32) == ["hi"]
    with pytest.raises(ValueError):
        emulator.new_event("U" + "c" * 32)


def test_what_was_sent_cannot_be_changed_by_the_sender_or_by_a_reader() -> None:
    emulator = Emulator("secret", webhook_url="")
    user = emulator.create_user()
    token = emulator.new_event(user, "hello")["replyToken"]
    messages = [{"type": "text", "text": "hi",
                 "quickReply": {"items": [{"type": "action", "action": {
                     "type": "message", "label": "はい", "text": "はい"}}]}}]
    assert emulator.reply({"replyToken": token, "messages": messages}, "rid").status == 200

    messages[0]["quickReply"]["items"].clear()
    emulator.messages_for(user)[0]["text"] = "changed"
    emulator.transcript_for(user)[-1]["message"]["quickReply"]["items"].clear()
    emulator.log[0]["messages"][0]["text"] = "changed"
    emulator.log_for(user)[0]["messages"].clear()

    expected = [{"type": "text", "text": "hi", "quickReply": {"items": [{
        "type": "action", "action": {"type": "message", "label": "はい", "text": "はい"}}]}}]
    assert emulator.messages_for(user) == expected
    assert emulator.transcript_for(user)[-1] == {"from": "bot", "message": expected[0]}
    assert emulator.log[0]["messages"] == expected == emulator.log_for(user)[0]["messages"]
