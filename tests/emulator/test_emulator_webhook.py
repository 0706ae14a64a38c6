"""Webhook events: built like LINE's, signed so the real SDK parser accepts them."""

from __future__ import annotations

import re

import pytest
from emulator_harness import Harness
from linebot.v3 import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    PostbackEvent,
    StickerMessageContent,
    UnfollowEvent,
)

from emulator.ids import ulid
from emulator.webhook_sender import encode

pytestmark = pytest.mark.asyncio(loop_scope="session")

ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


async def test_text_event_reaches_the_bot_signed_and_shaped_like_line(harness: Harness) -> None:
    user = await harness.new_user()
    before = harness.bot.rejected

    result = await harness.emulator.send(user, "hello")

    assert harness.bot.rejected == before
    body = harness.bot.bodies[-1]
    assert body["destination"] == harness.emulator.bot_user_id
    (event,) = body["events"]
    assert event["type"] == "message" and event["mode"] == "active"
    assert event["source"] == {"type": "user", "userId": user}
    assert event["webhookEventId"] == result["webhook_event_id"]
    assert ULID_RE.match(event["webhookEventId"])
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert isinstance(event["timestamp"], int) and event["timestamp"] > 1_700_000_000_000
    assert re.fullmatch(r"[0-9a-f]{32}", event["replyToken"])
    assert event["message"]["type"] == "text" and event["message"]["text"] == "hello"
    assert event["message"]["id"].isdigit() and event["message"]["quoteToken"]
    assert result["webhook_status"] == 200


async def test_postback_with_datetimepicker_params_is_parsed_by_the_sdk(harness: Harness) -> None:
    user = await harness.new_user()

    result = await harness.emulator.send(user, postback="pick=day", params={"date": "2026-12-03"})

    event = harness.bot.bodies[-1]["events"][0]
    assert event["postback"] == {"data": "pick=day", "params": {"date": "2026-12-03"}}
    parsed = WebhookParser("x", skip_signature_verification=lambda: True).parse(
        encode(harness.bot.bodies[-1]).decode(), ""
    )
    assert isinstance(parsed[0], PostbackEvent)
    assert [m["text"] for m in result["messages"]] == ['postback pick=day {"date": "2026-12-03"}']


async def test_postback_without_params_has_no_params_key(harness: Harness) -> None:
    user = await harness.new_user()

    await harness.emulator.send(user, postback="menu")

    assert harness.bot.bodies[-1]["events"][0]["postback"] == {"data": "menu"}


async def test_follow_after_unfollow_is_an_unblock_and_unfollow_has_no_reply_token(
    harness: Harness,
) -> None:
    user = await harness.new_user()

    first = await harness.emulator.send(user, event="follow")
    await harness.emulator.send(user, event="unfollow")
    unfollow = harness.bot.bodies[-1]["events"][0]
    again = await harness.emulator.send(user, event="follow")

    assert [m["text"] for m in first["messages"]] == ["welcome"]
    assert unfollow["type"] == "unfollow" and "replyToken" not in unfollow
    assert [m["text"] for m in again["messages"]] == ["welcome back"]
    assert harness.bot.bodies[-1]["events"][0]["follow"] == {"isUnblocked": True}


async def test_sticker_and_image_events_parse_as_sdk_content_classes(harness: Harness) -> None:
    user = await harness.new_user()
    parser = WebhookParser("x", skip_signature_verification=lambda: True)

    sticker = await harness.emulator.send(user, sticker=True)
    sticker_event = parser.parse(encode(harness.bot.bodies[-1]).decode(), "")[0]
    image = await harness.emulator.send(user, image=True)
    image_event = parser.parse(encode(harness.bot.bodies[-1]).decode(), "")[0]

    assert isinstance(sticker_event.message, StickerMessageContent)
    assert isinstance(image_event.message, ImageMessageContent)
    assert sticker["messages"][0]["text"] == "sticker received"
    assert image["messages"][0]["text"] == "image received"
    content = await harness.http.get(
        f"/emulator/line/v2/bot/message/{image_event.message.id}/content",
        headers={"Authorization": "Bearer t"},
    )
    assert content.status_code == 200 and content.headers["content-type"] == "image/png"


async def test_standby_event_has_no_reply_token(harness: Harness) -> None:
    user = await harness.new_user()

    result = await harness.emulator.send(user, "hello", mode="standby")

    event = harness.bot.bodies[-1]["events"][0]
    assert event["mode"] == "standby" and "replyToken" not in event
    assert result["messages"] == []


async def test_redelivery_keeps_the_event_id_and_sets_is_redelivery(harness: Harness) -> None:
    user = await harness.new_user()
    first = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "postback": "ok=1"}
    )
    event_id = first.json()["webhook_event_id"]
    original = harness.bot.bodies[-1]["events"][0]

    again = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "redeliver": event_id}
    )

    assert again.status_code == 200
    assert again.json()["webhook_event_id"] == event_id
    redelivered = harness.bot.bodies[-1]["events"][0]
    assert redelivered["webhookEventId"] == event_id
    assert redelivered["deliveryContext"] == {"isRedelivery": True}
    assert redelivered["timestamp"] == original["timestamp"]
    assert redelivered["postback"] == original["postback"]
    # The reply token was used by the first delivery, so the bot's second reply fails.
    assert again.json()["messages"] == []
    assert harness.bot.errors[-1] == 400
    parsed = WebhookParser("x", skip_signature_verification=lambda: True).parse(
        encode(harness.bot.bodies[-1]).decode(), ""
    )
    assert parsed[0].delivery_context.is_redelivery is True


async def test_redelivering_an_unknown_event_is_404(harness: Harness) -> None:
    user = await harness.new_user()

    response = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "redeliver": ulid()}
    )

    assert response.status_code == 404


async def test_follow_event_parses_as_sdk_follow_event(harness: Harness) -> None:
    user = await harness.new_user()
    parser = WebhookParser("x", skip_signature_verification=lambda: True)

    await harness.emulator.send(user, event="follow")
    follow = parser.parse(encode(harness.bot.bodies[-1]).decode(), "")[0]
    await harness.emulator.send(user, event="unfollow")
    unfollow = parser.parse(encode(harness.bot.bodies[-1]).decode(), "")[0]

    assert isinstance(follow, FollowEvent) and follow.follow.is_unblocked is False
    assert isinstance(unfollow, UnfollowEvent)
