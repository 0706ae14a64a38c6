"""Readers and senders the fault tests share."""

from __future__ import annotations

import asyncio
from typing import Any

from emulator import sign
from emulator.webhook_sender import encode, envelope
from tests import loopback


def signed_body(app: Any, events: list[dict[str, Any]]) -> tuple[bytes, dict[str, str]]:
    """A webhook body as LINE would post it, signed with the app's channel secret."""
    body = encode(envelope(app.services.emulator.bot_user_id, events))
    return body, {"Content-Type": "application/json",
                  "X-Line-Signature": sign(app.settings.line_channel_secret, body)}


def post_at_once(app: Any, requests: list[tuple[bytes, dict[str, str]]]) -> list[int]:
    """Post webhook bodies concurrently; their statuses, once every handler has finished."""
    async def fire() -> list[int]:
        async with loopback.async_client(base_url=app.url, timeout=15) as http:
            answers = await asyncio.gather(*(http.post("/line/webhook", content=body, headers=h)
                                             for body, h in requests))
        return [a.status_code for a in answers]
    statuses = asyncio.run(fire())
    app.call(app.services.tracker.drain())
    return statuses
