"""The driver API that tests, benchmarks and the chat page use to act as LINE users."""

from __future__ import annotations

import asyncio

import pytest
from emulator_harness import Harness, until

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_send_text_answers_the_echoed_reply(harness: Harness) -> None:
    user = await harness.new_user()

    response = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "text": "予約したい"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["messages"] == [{"type": "text", "text": "予約したい"}]
    assert body["webhook_status"] == 200 and len(body["webhook_event_id"]) == 26
    assert body["timed_out"] is False


async def test_send_collects_reply_and_push_in_order(harness: Harness) -> None:
    user = await harness.new_user()
    await harness.emulator.send(user, "earlier")

    result = await harness.emulator.send(user, "push too")

    assert [m["text"] for m in result["messages"]] == ["reply first", "then a push"]
    assert [e["kind"] for e in harness.emulator.log_for(user)] == ["reply", "reply", "push"]


async def test_messages_endpoint_lists_everything_sent_to_the_user(harness: Harness) -> None:
    user = await harness.new_user()
    other = await harness.new_user()
    await harness.emulator.send(user, "one")
    await harness.emulator.send(other, "not yours")
    await harness.emulator.send(user, "many 3")

    everything = await harness.http.get("/emulator/api/messages", params={"user_id": user})
    tail = await harness.http.get("/emulator/api/messages", params={"user_id": user, "since": 2})

    assert [m["text"] for m in everything.json()["messages"]] == ["one", "0", "1", "2"]
    assert [m["text"] for m in tail.json()["messages"]] == ["1", "2"]
    assert tail.json()["total"] == 4


async def test_log_endpoint_shows_kind_retry_key_timestamp_and_messages(harness: Harness) -> None:
    user = await harness.new_user()
    await harness.emulator.send(user, "push too")

    response = await harness.http.get("/emulator/api/log", params={"user_id": user})

    entries = response.json()["entries"]
    assert [e["kind"] for e in entries] == ["reply", "push"]
    assert entries[0]["retry_key"] is None and len(entries[1]["retry_key"]) == 36
    assert entries[1]["timestamp"].endswith("+00:00")
    assert entries[1]["messages"] == [{"type": "text", "text": "then a push"}]
    assert entries[1]["to"] == [user]


async def test_postback_datetime_params_are_passed_through(harness: Harness) -> None:
    user = await harness.new_user()

    response = await harness.http.post("/emulator/api/send", json={
        "user_id": user, "postback": "act=pick", "params": {"datetime": "2026-12-03T10:00"},
    })

    assert response.json()["messages"][0]["text"] == (
        'postback act=pick {"datetime": "2026-12-03T10:00"}'
    )


async def test_send_rejects_ambiguous_or_malformed_requests(harness: Harness) -> None:
    user = await harness.new_user()

    both = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "text": "a", "postback": "b"}
    )
    neither = await harness.http.post("/emulator/api/send", json={"user_id": user})
    bad_user = await harness.http.post("/emulator/api/send", json={"user_id": "alice", "text": "a"})
    bad_event = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "event": "join"}
    )

    assert both.status_code == 400 and neither.status_code == 400
    assert bad_user.status_code == 400
    assert bad_event.status_code == 422


async def test_without_wait_hook_send_returns_after_the_webhook_answers(harness: Harness) -> None:
    harness.emulator.wait_for = None
    user = await harness.new_user()

    result = await harness.emulator.send(user, "hello")
    await until(lambda: harness.emulator.texts_for(user) != [])  # the bot answers later

    assert result["webhook_status"] == 200
    assert harness.emulator.texts_for(user) == ["hello"]


async def test_a_bot_that_never_finishes_times_out_without_failing(harness: Harness) -> None:
    async def never(event_id: str) -> None:
        await asyncio.Event().wait()

    harness.emulator.wait_for = never
    harness.emulator.wait_timeout = 0.2
    user = await harness.new_user()

    result = await harness.emulator.send(user, "hello")

    assert result["timed_out"] is True


async def test_unreachable_webhook_reports_status_zero(harness: Harness) -> None:
    harness.emulator.webhook_url = "http://127.0.0.1:9/nowhere"
    user = await harness.new_user()

    result = await harness.emulator.send(user, "hello")

    assert result["webhook_status"] == 0 and result["messages"] == []


async def test_users_are_line_shaped_and_reset_forgets_messages(harness: Harness) -> None:
    first = await harness.new_user()
    second = await harness.new_user()
    await harness.emulator.send(first, "hello")

    reset = await harness.http.post("/emulator/api/reset")
    after = await harness.http.get("/emulator/api/messages", params={"user_id": first})

    assert first != second and first.startswith("U") and len(first) == 33
    assert int(first[1:], 16) >= 0
    assert reset.json() == {"ok": True}
    assert after.json()["messages"] == [] and harness.emulator.log == []


async def test_transcript_keeps_user_actions_and_bot_messages_in_order(harness: Harness) -> None:
    user = await harness.new_user()
    await harness.emulator.send(user, event="follow")
    await harness.http.post("/emulator/api/send", json={
        "user_id": user, "postback": "purpose=consult", "display_text": "職業相談",
    })

    response = await harness.http.get("/emulator/api/transcript", params={"user_id": user})

    entries = response.json()["entries"]
    assert [e["from"] for e in entries] == ["system", "bot", "user", "bot"]
    assert entries[2]["displayText"] == "職業相談"
    assert entries[3]["message"]["text"].startswith("postback purpose=consult")


async def test_many_users_at_once_each_get_their_own_answer(harness: Harness) -> None:
    users = [await harness.new_user() for _ in range(30)]

    results = await asyncio.gather(*(harness.emulator.send(u, f"hi {u[-6:]}") for u in users))

    for user, result in zip(users, results, strict=True):
        assert [m["text"] for m in result["messages"]] == [f"hi {user[-6:]}"]
