"""Fault injection: errors and delays on reply, push and multicast, for retry logic."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from emulator_harness import Harness
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


async def test_delay_makes_a_client_time_out_and_the_retry_gets_409(harness: Harness) -> None:
    user = await harness.new_user()
    key = str(uuid.uuid4())
    body = {"to": user, "messages": [{"type": "text", "text": "リマインダー"}]}
    headers = {**AUTH, "X-Line-Retry-Key": key}
    response = await harness.http.post("/emulator/api/faults", json={"delay": 0.4, "count": 1})
    assert response.json()["faults"][0]["delay"] == 0.4

    with pytest.raises(httpx.TimeoutException):
        await harness.http.post("/emulator/line/v2/bot/message/push", json=body, headers=headers,
                                timeout=0.1)
    await asyncio.sleep(0.5)
    retry = await harness.http.post(
        "/emulator/line/v2/bot/message/push", json=body, headers=headers
    )

    # LINE accepted the first attempt even though the client gave up on it.
    assert retry.status_code == 409
    assert harness.emulator.texts_for(user) == ["リマインダー"]


async def test_delay_with_status_sleeps_then_fails(harness: Harness) -> None:
    user = await harness.new_user()
    harness.emulator.inject_fault(status=500, count=1, delay=0.2)

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

    assert cleared.status_code == 200 and listed.json() == {"faults": []}
    assert invalid.status_code == 400
