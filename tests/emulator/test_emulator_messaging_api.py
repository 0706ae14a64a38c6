"""The fake Messaging API, driven by the real line-bot-sdk async client."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from emulator_harness import Harness
from linebot.v3.messaging import (
    ApiException,
    MessageAction,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

AUTH = {"Authorization": "Bearer test-token"}


def body_of(exc: ApiException) -> dict[str, Any]:
    """The JSON body of an SDK ApiException."""
    return json.loads(exc.body)


async def used_reply_token(harness: Harness) -> tuple[str, str]:
    """A user and the reply token the echo bot already used for their message."""
    user = await harness.new_user()
    await harness.emulator.send(user, "hi")
    (entry,) = harness.emulator.log_for(user)
    return user, entry["reply_token"]


async def fresh_reply_token(harness: Harness) -> tuple[str, str]:
    """A user and an unused reply token (the bot stays silent on "silent")."""
    user = await harness.new_user()
    result = await harness.emulator.send(user, "silent")
    event = harness.emulator.event(result["webhook_event_id"])
    assert event is not None
    return user, event["replyToken"]


async def test_reply_token_cannot_be_used_twice(harness: Harness) -> None:
    user, token = await used_reply_token(harness)

    with pytest.raises(ApiException) as caught:
        await harness.api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="again")])
        )

    assert caught.value.status == 400
    assert body_of(caught.value) == {"message": "Invalid reply token"}
    assert harness.emulator.texts_for(user) == ["hi"]


async def test_reply_token_expires_after_sixty_seconds(harness: Harness) -> None:
    now = [1000.0]
    harness.emulator.clock = lambda: now[0]
    _, token = await fresh_reply_token(harness)
    now[0] += 60.5

    with pytest.raises(ApiException) as caught:
        await harness.api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="late")])
        )

    assert caught.value.status == 400 and body_of(caught.value)["message"] == "Invalid reply token"


async def test_unknown_reply_token_is_rejected(harness: Harness) -> None:
    with pytest.raises(ApiException) as caught:
        await harness.api.reply_message(
            ReplyMessageRequest(reply_token="0" * 32, messages=[TextMessage(text="x")])
        )
    assert caught.value.status == 400


async def test_reply_answers_sent_messages_with_ids_and_quote_tokens(harness: Harness) -> None:
    user, token = await fresh_reply_token(harness)

    response = await harness.api.reply_message(
        ReplyMessageRequest(
            reply_token=token, messages=[TextMessage(text="a"), TextMessage(text="b")]
        )
    )

    assert len(response.sent_messages) == 2
    assert all(m.id.isdigit() and m.quote_token for m in response.sent_messages)
    assert harness.emulator.texts_for(user) == ["a", "b"]


async def test_more_than_five_messages_are_rejected_and_the_token_survives(
    harness: Harness,
) -> None:
    user, token = await fresh_reply_token(harness)
    # The SDK checks the size itself; construct() skips that, as a raw-dict bot would.
    request = ReplyMessageRequest.construct(
        reply_token=token, messages=[TextMessage(text=str(i)) for i in range(6)]
    )

    with pytest.raises(ApiException) as caught:
        await harness.api.reply_message(request)

    assert caught.value.status == 400
    assert body_of(caught.value) == {
        "message": "The request body has 1 error(s)",
        "details": [{"message": "Size must be between 1 and 5", "property": "messages"}],
    }
    await harness.api.reply_message(
        ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="ok")])
    )
    assert harness.emulator.texts_for(user) == ["ok"]


async def test_more_than_thirteen_quick_reply_items_are_rejected(harness: Harness) -> None:
    user = await harness.new_user()
    items = [
        QuickReplyItem(action=MessageAction(label=f"候補{i}", text=f"候補{i}")) for i in range(14)
    ]
    quick = QuickReply.construct(items=items)

    with pytest.raises(ApiException) as caught:
        await harness.api.push_message(
            PushMessageRequest(
                to=user, messages=[TextMessage(text="選んでください", quick_reply=quick)]
            )
        )

    assert caught.value.status == 400
    assert body_of(caught.value)["details"] == [
        {"message": "Size must be between 1 and 13", "property": "messages[0].quickReply.items"}
    ]
    assert harness.emulator.messages_for(user) == []


async def test_thirteen_quick_reply_items_with_postbacks_are_accepted(harness: Harness) -> None:
    user = await harness.new_user()
    items = [
        QuickReplyItem(action=PostbackAction(label=f"{9 + i // 2}:{(i % 2) * 30:02d}",
                                             data=f"slot={i}", display_text=f"{i}番"))
        for i in range(13)
    ]

    await harness.api.push_message(
        PushMessageRequest(
            to=user, messages=[TextMessage(text="時間", quick_reply=QuickReply(items=items))]
        )
    )

    (message,) = harness.emulator.messages_for(user)
    assert len(message["quickReply"]["items"]) == 13
    assert message["quickReply"]["items"][0]["action"]["displayText"] == "0番"


def text(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": value, **extra}


def bubble(label: str = "b") -> dict[str, Any]:
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                       "contents": [{"type": "text", "text": label}]}}


INVALID_MESSAGES = [
    pytest.param([text("")], "messages[0].text", id="empty-text"),
    pytest.param([text("あ" * 5001)], "messages[0].text", id="text-over-5000"),
    pytest.param([text("😀" * 2501)], "messages[0].text", id="text-over-5000-utf16-units"),
    pytest.param([{"type": "video_call"}], "messages[0].type", id="unknown-type"),
    pytest.param([text("x", quickReply={"items": [{"type": "action", "action": {
        "type": "postback", "label": "l", "data": "d" * 301}}]})],
        "messages[0].quickReply.items[0].action.data", id="postback-data-over-300"),
    pytest.param([text("x", quickReply={"items": [{"type": "action", "action": {
        "type": "message", "label": "ラベルが二十文字を超えてしまう長いラベルです",
        "text": "t"}}]})],
        "messages[0].quickReply.items[0].action.label", id="quick-reply-label-over-20"),
    pytest.param([{"type": "flex", "altText": "a", "contents": {
        "type": "carousel", "contents": [bubble() for _ in range(13)]}}],
        "messages[0].contents.contents", id="carousel-over-12"),
    pytest.param([{"type": "flex", "contents": bubble()}], "messages[0].altText", id="flex-no-alt"),
    pytest.param([{"type": "flex", "altText": "a" * 1501, "contents": bubble()}],
                 "messages[0].altText", id="flex-alt-over-1500"),
    pytest.param([{"type": "template", "altText": "a" * 401, "template": {
        "type": "confirm", "text": "ok?", "actions": [
            {"type": "message", "label": "はい", "text": "はい"},
            {"type": "message", "label": "いいえ", "text": "いいえ"}]}}],
        "messages[0].altText", id="template-alt-over-400"),
    pytest.param([{"type": "template", "template": {
        "type": "confirm", "text": "ok?", "actions": [
            {"type": "message", "label": "はい", "text": "はい"},
            {"type": "message", "label": "いいえ", "text": "いいえ"}]}}],
        "messages[0].altText", id="template-no-alt"),
    pytest.param([{"type": "template", "altText": "a", "template": {
        "type": "buttons", "text": "t", "actions": [
            {"type": "message", "label": str(i), "text": "x"} for i in range(5)]}}],
        "messages[0].template.actions", id="buttons-over-4-actions"),
    pytest.param([{"type": "flex", "altText": "a", "contents": {
        "type": "bubble", "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "action": {"type": "datetimepicker", "label": "日付", "data": "d",
                                          "mode": "date", "min": "2026-12-10",
                                          "max": "2026-12-01"}}]}}}],
        "messages[0].contents.footer.contents[0].action.max", id="picker-min-after-max"),
    pytest.param([text("x", quickReply={"items": [{"type": "action", "action": {
        "type": "datetimepicker", "label": "日時", "data": "d", "mode": "datetime",
        "initial": "12/3"}}]})],
        "messages[0].quickReply.items[0].action.initial", id="picker-bad-format"),
    pytest.param([text("x", quickReply={"items": [{"type": "action", "action": {
        "type": "richmenuswitch", "label": "tab", "richMenuAliasId": "a", "data": "d"}}]})],
        "messages[0].quickReply.items[0].action.type", id="richmenuswitch-in-quick-reply"),
    pytest.param([{"type": "flex", "altText": "a", "contents": {
        "type": "bubble", "body": {"type": "box", "contents": []}}}],
        "messages[0].contents.body.layout", id="box-without-layout"),
    pytest.param([text("x", quickReply={"items": [{"type": "action", "action": {
        "type": "uri", "label": "開く", "uri": "javascript:alert(1)"}}]})],
        "messages[0].quickReply.items[0].action.uri", id="uri-bad-scheme"),
]


@pytest.mark.parametrize(("messages", "prop"), INVALID_MESSAGES)
async def test_push_rejects_what_line_rejects(
    harness: Harness, messages: list[Any], prop: str
) -> None:
    user = await harness.new_user()

    response = await harness.http.post(
        "/emulator/line/v2/bot/message/push", headers=AUTH, json={"to": user, "messages": messages}
    )

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] == f"The request body has {len(body['details'])} error(s)"
    assert prop in [d["property"] for d in body["details"]], body
    assert response.headers["x-line-request-id"]
    assert harness.emulator.messages_for(user) == []


def flex_with(bubble_extra: dict[str, Any] | None = None,
              component: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A flex bubble with one odd property on the bubble or on its one component."""
    body = {"type": "box", "layout": "vertical",
            "contents": [component or {"type": "text", "text": "x"}]}
    return [{"type": "flex", "altText": "a",
             "contents": {"type": "bubble", "body": body, **(bubble_extra or {})}}]


BUTTON = {"type": "button", "action": {"type": "message", "label": "a", "text": "a"}}
# Values our own rules let through but LINE's OpenAPI spec (the SDK's models) refuses.
OFF_SPEC = [
    pytest.param(flex_with({"size": "large"}), "nano", id="bubble-size-large"),
    pytest.param(flex_with({"direction": "up"}), "ltr", id="bubble-direction-up"),
    pytest.param(flex_with(component={**BUTTON, "height": "lg"}), "'sm'", id="button-height-lg"),
    pytest.param(flex_with(component={**BUTTON, "style": "fancy"}), "primary",
                 id="button-style-fancy"),
    pytest.param(flex_with(component={"type": "text", "text": "x", "flex": "2"}), "integer",
                 id="text-flex-string"),
    pytest.param(flex_with(component={"type": "text", "text": "x", "weight": "heavy"}), "bold",
                 id="text-weight-heavy"),
    pytest.param(flex_with(component={"type": "text", "text": "x", "wrap": "yes"}), "boolean",
                 id="text-wrap-yes"),
    pytest.param(flex_with(component={"type": "text", "text": "x", "align": "middle"}), "center",
                 id="text-align-middle"),
]


@pytest.mark.parametrize(("messages", "expected"), OFF_SPEC)
async def test_push_rejects_values_outside_lines_spec(harness: Harness, messages: list[Any],
                                                      expected: str) -> None:
    user = await harness.new_user()

    response = await harness.http.post(
        "/emulator/line/v2/bot/message/push", headers=AUTH, json={"to": user, "messages": messages}
    )

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] == f"The request body has {len(body['details'])} error(s)"
    (detail,) = body["details"]
    assert detail["property"].startswith("messages[0].") and expected in detail["message"]
    assert harness.emulator.messages_for(user) == []


async def test_rich_flex_and_template_messages_are_accepted(harness: Harness) -> None:
    user = await harness.new_user()
    picker = {"type": "datetimepicker", "label": "日付を選ぶ", "data": "pick", "mode": "date",
              "initial": "2026-12-03", "min": "2026-12-01", "max": "2027-01-31"}
    flex = {"type": "flex", "altText": "空き枠", "contents": {"type": "carousel", "contents": [
        {"type": "bubble", "size": "kilo",
         "header": {"type": "box", "layout": "vertical", "contents": [
             {"type": "text", "text": "12月3日(木)", "weight": "bold"}]},
         "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
             {"type": "button", "style": "primary", "action": {
                 "type": "postback", "label": "10:00", "data": "slot=1000",
                 "displayText": "10:00"}},
             {"type": "separator"},
             {"type": "button", "action": picker}]}}
        for _ in range(12)]}}
    template = {"type": "template", "altText": "確認", "template": {
        "type": "confirm", "text": "この内容で申し込みますか？", "actions": [
            {"type": "postback", "label": "はい", "data": "yes", "displayText": "はい"},
            {"type": "postback", "label": "いいえ", "data": "no", "displayText": "いいえ"}]}}

    response = await harness.http.post(
        "/emulator/line/v2/bot/message/push", headers=AUTH,
        json={"to": user, "messages": [flex, template, text("a" * 5000)]},
    )

    assert response.status_code == 200, response.text
    sent = response.json()["sentMessages"]
    assert len(sent) == 3 and "quoteToken" not in sent[0] and "quoteToken" in sent[2]
    assert harness.emulator.texts_for(user) == ["空き枠", "確認", "a" * 5000]


async def test_bad_json_is_400_and_missing_bearer_token_is_401(harness: Harness) -> None:
    bad = await harness.http.post(
        "/emulator/line/v2/bot/message/push", headers={**AUTH, "Content-Type": "application/json"},
        content=b"{not json",
    )
    unauthenticated = await harness.http.post(
        "/emulator/line/v2/bot/message/push", json={"to": "U1", "messages": [text("x")]}
    )
    harness.emulator.access_token = "the-right-token"
    wrong = await harness.http.get("/emulator/line/v2/bot/message/quota", headers=AUTH)

    assert bad.status_code == 400 and "JSON" in bad.json()["message"]
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["message"].startswith("Authorization header required")
    assert unauthenticated.headers["x-line-request-id"]
    assert wrong.status_code == 401


async def test_retry_key_already_accepted_answers_409_and_records_once(harness: Harness) -> None:
    user = await harness.new_user()
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=user, messages=[TextMessage(text="予約を受け付けました")])

    first = await harness.api.push_message_with_http_info(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as caught:
        await harness.api.push_message(request, x_line_retry_key=key)

    assert caught.value.status == 409
    body = body_of(caught.value)
    assert body["message"] == "The retry key is already accepted"
    assert body["sentMessages"] == [m.to_dict() for m in first.data.sent_messages]
    assert caught.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert harness.emulator.texts_for(user) == ["予約を受け付けました"]
    pushes = [e for e in harness.emulator.log_for(user) if e["kind"] == "push"]
    assert len(pushes) == 1 and pushes[0]["retry_key"] == key


async def test_retry_key_must_be_a_uuid(harness: Harness) -> None:
    user = await harness.new_user()

    response = await harness.http.post(
        "/emulator/line/v2/bot/message/push", headers={**AUTH, "X-Line-Retry-Key": "outbox-1"},
        json={"to": user, "messages": [text("x")]},
    )

    assert response.status_code == 400
    assert harness.emulator.messages_for(user) == []


async def test_multicast_reaches_every_user_once_and_honours_retry_key(harness: Harness) -> None:
    users = [await harness.new_user() for _ in range(3)]
    key = str(uuid.uuid4())
    request = MulticastRequest(to=users, messages=[TextMessage(text="臨時休業のお知らせ")])

    await harness.api.multicast(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as caught:
        await harness.api.multicast(request, x_line_retry_key=key)

    assert caught.value.status == 409
    for user in users:
        assert harness.emulator.texts_for(user) == ["臨時休業のお知らせ"]
    assert [e["kind"] for e in harness.emulator.log] == ["multicast"]
    consumption = await harness.api.get_message_quota_consumption()
    assert consumption.total_usage == 3


async def test_profile_loading_quota_and_bot_info(harness: Harness) -> None:
    response = await harness.http.post("/emulator/api/users", json={"display_name": "山田"})
    user = response.json()["user_id"]

    profile = await harness.api.get_profile(user)
    await harness.api.show_loading_animation(
        ShowLoadingAnimationRequest(chat_id=user, loading_seconds=10)
    )
    quota = await harness.api.get_message_quota()
    harness.emulator.monthly_quota = 1
    await harness.api.push_message(PushMessageRequest(to=user, messages=[TextMessage(text="1")]))
    with pytest.raises(ApiException) as over:
        await harness.api.push_message(
            PushMessageRequest(to=user, messages=[TextMessage(text="2")])
        )
    info = await harness.api.get_bot_info()

    assert (profile.display_name, profile.user_id, profile.language) == ("山田", user, "ja")
    assert [e["seconds"] for e in harness.emulator.loading_for(user)] == [10]
    assert quota.type == "none"
    assert over.value.status == 429
    assert harness.emulator.texts_for(user) == ["1"]
    assert info.display_name == "ハローワーク五所川原"


async def test_profile_of_a_user_who_blocked_is_404(harness: Harness) -> None:
    user = await harness.new_user()
    await harness.emulator.send(user, event="unfollow")

    with pytest.raises(ApiException) as caught:
        await harness.api.get_profile(user)

    assert caught.value.status == 404
