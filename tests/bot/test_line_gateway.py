"""bot/line_api.LineGateway against the emulator's Messaging API: the requests it builds itself
(no SDK call_api) are the ones LINE takes, and LINE's refusals come back as SendError with the
status, so the dispatcher and the outbox keep their error handling."""

from __future__ import annotations

from typing import Any

import pytest

from bot.line_api import LineGateway, SendError

HELLO = [{"type": "text", "text": "こんにちは（テスト）"}]


def gateway(live: Any, token: str | None = None) -> LineGateway:
    return LineGateway(host=live.services.line_host,
                       access_token=token or live.settings.line_channel_access_token)


def test_a_push_is_delivered_once_per_retry_key(live: Any, user: str):
    async def run() -> SendError:
        line = gateway(live)
        try:
            await line.push(user, HELLO, retry_key="7f1d9a4e-3c1b-4b2a-9d55-0c6a1e2b3f40")
            with pytest.raises(SendError) as again:
                await line.push(user, HELLO, retry_key="7f1d9a4e-3c1b-4b2a-9d55-0c6a1e2b3f40")
            return again.value
        finally:
            await line.close()

    again = live.call(run())
    assert again.status == 409 and again.already_accepted and not again.retryable
    assert [m["text"] for m in live.messages(user)] == ["こんにちは（テスト）"]


def test_refusals_come_back_with_their_status(live: Any, user: str):
    fault = live.http.post("/emulator/api/faults",
                           json={"status": 503, "count": 1, "kinds": ["push"]})
    assert fault.status_code == 200, fault.text

    async def run() -> tuple[SendError, SendError]:
        line = gateway(live)
        try:
            with pytest.raises(SendError) as used:
                await line.reply("no-such-reply-token", HELLO)
            with pytest.raises(SendError) as busy:
                await line.push(user, HELLO, retry_key="0b7e4c2a-9f3d-4e1b-8a6c-5d2f1e0a9b87")
            return used.value, busy.value
        finally:
            await line.close()

    used, busy = live.call(run())
    assert used.status == 400 and not used.retryable and used.detail
    assert busy.status == 503 and busy.retryable
    assert live.messages(user) == []


def test_the_profile_language_is_read_and_a_missing_profile_is_none(live: Any, user: str):
    live.send(user, event="follow")  # the emulator knows the user from now on
    response = live.http.post("/emulator/api/language", json={"user_id": user, "language": "en"})
    assert response.status_code == 200

    async def run() -> tuple[str | None, str | None]:
        line = gateway(live)
        try:
            return await line.profile_language(user), await line.profile_language("nobody")
        finally:
            await line.close()

    assert live.call(run()) == ("en", None)
