"""The SDK's spec check, answered from a cache: the same answers as checking afresh, every time."""

from __future__ import annotations

from typing import Any

from emulator import Emulator
from emulator.validation import Problem, check_messages, spec_problems


def day_picker(nonce: str, size: str = "giga", data_length: int = 0) -> dict[str, Any]:
    """A flex bubble with a nonce'd button, as the bot sends every user."""
    data = f"a=booking.day&d=2026-12-01&n={nonce}"
    data += "x" * max(0, data_length - len(data))
    return {
        "type": "flex", "altText": "日にちを選んでください",
        "contents": {"type": "bubble", "size": size, "body": {
            "type": "box", "layout": "vertical", "contents": [
                {"type": "text", "text": "12月1日（火）", "weight": "bold"},
                {"type": "button", "style": "primary", "action": {
                    "type": "postback", "label": "この日を選ぶ", "data": data}},
            ]}},
    }


def test_a_message_checked_again_gets_the_same_problems_and_a_changed_answer_does_not_leak(
) -> None:
    refused = day_picker("n1", size="large")

    first = spec_problems(refused, "messages[0]")
    first.append(Problem("added by a caller", "x"))
    first[0] = Problem("changed by a caller", "y")
    second = spec_problems(refused, "messages[0]")

    assert [p.property for p in second] == ["messages[0].size"]
    assert "must be one of enum values" in second[0].message
    assert spec_problems(refused, "messages[3]")[0].property == "messages[3].size"


def test_messages_differing_only_in_nonces_get_the_same_answer_and_a_longer_data_its_own(
) -> None:
    assert spec_problems(day_picker("n1"), "m") == spec_problems(day_picker("n2"), "m") == []
    assert spec_problems(day_picker("n3", size="large"), "m") == spec_problems(
        day_picker("n4", size="large"), "m")

    too_long = spec_problems(day_picker("n5", data_length=301), "m")
    longest = spec_problems(day_picker("n6", data_length=300), "m")

    assert [p.message for p in too_long] == ["ensure this value has at most 300 characters"]
    assert longest == []


def test_a_refused_reply_is_refused_the_same_way_twice() -> None:
    emulator = Emulator("secret", webhook_url="")
    user = emulator.create_user()
    messages = [day_picker("n7", size="large")]

    answers = []
    for _ in range(2):
        token = emulator.new_event(user, "hello")["replyToken"]
        answers.append(emulator.reply({"replyToken": token, "messages": messages}, "rid"))

    assert [a.status for a in answers] == [400, 400]
    assert answers[0].body == answers[1].body
    assert [d["property"] for d in answers[1].body["details"]] == ["messages[0].size"]
    assert check_messages(messages) == check_messages(messages)
    assert emulator.messages_for(user) == []
