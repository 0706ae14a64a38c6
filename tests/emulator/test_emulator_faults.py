"""Fault injection: errors, delays and holds on reply, push and multicast, for retry logic."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from emulator_harness import Harness, until
from linebot.v3.messaging import ApiException, PushMessageRequest, TextMessage

pytestmark = pytest.mark.asyncio(loop_scope="session")

AUTH = {"Authorization": "Bearer test-token"}


def push_request(user: str, text: str = "お知らせ") -> PushMessageRequest:
    return PushMessageRequest(to=user, messages=[TextMessage(text=text)])


async def test_500_then_429_then_success_records_only_the_success(harness: Harness) -> None:
    user = await harness.new_user()
    key = str(uuid.uuid4())
    await harness.http.post("/emulator/api/faults", json={"status": 500, "count": 1})
    await harness.http.post("/emulator/api/faults", json={"status": 429, "count": 1})

    statuses = []
    for _ in range(3):
        try:
            await harness.api.push_message(push_request(user), x_line_retry_key=key)
            statuses.append(200)
        except ApiException as exc:
            statuses.append(exc.status)
            if exc.status == 429:
                assert '"Too Many Requests"' in exc.body
            assert exc.headers["x-line-request-id"]

    assert statuses == [500, 429, 200]
    assert harness.emulator.texts_for(user) == ["お知らせ"]
    assert len(harness.emulator.log_for(user)) == 1
    with pytest.raises(ApiException) as again:
        await harness.api.push_message(push_request(user), x_line_retry_key=key)
    assert again.value.status == 409


async def test_fault_count_applies_to_the_next_n_calls_then_stops(harness: Harness) -> None:
    user = await harness.new_user()
    harness.emulator.inject_fault(status=503, count=2)

    outcomes = []
    for _ in range(3):
        try:
            await harness.api.push_message(push_request(user))
            outcomes.append(200)
        except ApiException as exc:
            outcomes.append(exc.status)

    assert outcomes == [503, 503, 200]
    assert harness.emulator.pending_faults() == []


async def test_a_faulted_reply_keeps_the_reply_token_usable(harness: Harness) -> None:
    user = await harness.new_user()
    harness.emulator.inject_fault(status=500, count=1, kinds=["reply"])

    failed = await harness.emulator.send(user, "hello")
    retried = await harness.http.post(
        "/emulator/api/send", json={"user_id": user, "redeliver": failed["webhook_event_id"]}
    )

    assert failed["messages"] == []
    assert [m["text"] for m in retried.json()["messages"]] == ["hello"]


async def test_faults_can_target_one_kind(harness: Harness) -> None:
    user = await harness.new_user()
    harness.emulator.inject_fault(status=500, count=1, kinds=["multicast"])

    await harness.api.push_message(push_request(user, "push is unaffected"))

    assert harness.emulator.texts_for(user) == ["push is unaffected"]
    assert harness.emulator.pending_faults()[0]["kinds"] == ["multicast"]


async def test_a_held_push_makes_the_client_time_out_and_the_retry_gets_409(
    harness: Harness,
) -> None:
    user = await harness.new_user()
    key = str(uuid.uuid4())
    body = {"to": user, "messages": [{"type": "text", "text": "リマインダー"}]}
    headers = {**AUTH, "X-Line-Retry-Key": key}
    response = await harness.http.post("/emulator/api/faults", json={"hold": True, "count": 1})
    assert response.json()["faults"] == [{"status": None, "delay": 0.0, "hold": True, "count": 1,
                                          "kinds": ["multicast", "push", "reply"]}]

    # Held until released, so even a generous time-out runs out first.
    with pytest.raises(httpx.TimeoutException):
        await harness.http.post("/emulator/line/v2/bot/message/push", json=body, headers=headers,
                                timeout=2.0)
    listed = await harness.http.get("/emulator/api/faults")
    assert listed.json() == {"faults": [], "held": 1}
    assert harness.emulator.messages_for(user) == []  # nothing before the release
    released = await harness.http.post("/emulator/api/faults/release")
    assert released.json() == {"released": 1}
    await until(lambda: harness.emulator.texts_for(user) == ["リマインダー"])
    retry = await harness.http.post(
        "/emulator/line/v2/bot/message/push", json=body, headers=headers
    )

    # LINE accepted the first attempt even though the client gave up on it.
    assert retry.status_code == 409
    assert harness.emulator.texts_for(user) == ["リマインダー"]
    assert harness.emulator.held_count() == 0


async def test_a_held_call_with_a_status_fails_after_the_release(harness: Harness) -> None:
    user = await harness.new_user()
    harness.emulator.inject_fault(status=503, count=2, hold=True)

    calls = [asyncio.create_task(harness.api.push_message(push_request(user, f"{i}")))
             for i in range(2)]
    await until(lambda: harness.emulator.held_count() == 2)
    assert not any(call.done() for call in calls)
    assert harness.emulator.release_held() == 2
    outcomes = await asyncio.gather(*calls, return_exceptions=True)

    assert [getattr(o, "status", o) for o in outcomes] == [503, 503]
    assert harness.emulator.messages_for(user) == []
    await harness.api.push_message(push_request(user, "after"))  # the fault is used up
    assert harness.emulator.texts_for(user) == ["after"]


async def test_clearing_faults_releases_held_calls(harness: Harness) -> None:
    user = await harness.new_user()
    harness.emulator.inject_hold(count=3, kinds=["push"])

    call = asyncio.create_task(harness.api.push_message(push_request(user, "held")))
    await until(lambda: harness.emulator.held_count() == 1)
    cleared = await harness.http.delete("/emulator/api/faults")
    await call

    assert cleared.json() == {"faults": [], "held": 0}
    assert harness.emulator.texts_for(user) == ["held"]
    assert harness.emulator.release_held() == 0


async def test_delay_with_status_sleeps_then_fails(harness: Harness) -> None:
    user = await harness.new_user()
    response = await harness.http.post("/emulator/api/faults",
                                       json={"status": 500, "delay": 0.2, "count": 1})
    assert response.json()["faults"][0]["delay"] == 0.2

    started = time.monotonic()
    with pytest.raises(ApiException) as caught:
        await harness.api.push_message(push_request(user))

    assert caught.value.status == 500
    assert time.monotonic() - started >= 0.2
    assert harness.emulator.messages_for(user) == []


async def test_clearing_faults_over_http(harness: Harness) -> None:
    await harness.http.post("/emulator/api/faults", json={"status": 500, "count": 5})

    cleared = await harness.http.delete("/emulator/api/faults")
    listed = await harness.http.get("/emulator/api/faults")
    invalid = await harness.http.post("/emulator/api/faults", json={"count": 1})

    assert cleared.status_code == 200 and listed.json() == {"faults": [], "held": 0}
    assert invalid.status_code == 400
