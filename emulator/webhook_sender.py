"""Webhook events built and signed the way the LINE platform builds and signs them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp

from emulator import ids

USER_AGENT = "LineBotWebhook/2.0"


def sign(channel_secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(channel secret, body)): the `X-Line-Signature` header value."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def encode(payload: dict[str, Any]) -> bytes:
    """Serialise a webhook body once; these exact bytes are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def envelope(destination: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The webhook body: the bot's user id and the events."""
    return {"destination": destination, "events": events}


def base_event(kind: str, user_id: str, *, mode: str = "active") -> dict[str, Any]:
    """Fields every event carries: type, mode, timestamp, source, id, delivery context."""
    return {
        "type": kind,
        "mode": mode,
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": ids.ulid(),
        "deliveryContext": {"isRedelivery": False},
    }


def text_message(text: str) -> dict[str, Any]:
    """The `message` of a text message event."""
    return {
        "id": ids.message_id(), "type": "text", "quoteToken": ids.quote_token(),
        "markAsReadToken": ids.quote_token(), "text": text,
    }


def sticker_message(package_id: str = "11537", sticker_id: str = "52002734") -> dict[str, Any]:
    """The `message` of a sticker message event."""
    return {
        "id": ids.message_id(), "type": "sticker", "quoteToken": ids.quote_token(),
        "markAsReadToken": ids.quote_token(), "packageId": package_id,
        "stickerId": sticker_id, "stickerResourceType": "STATIC", "keywords": ["OK"],
    }


def image_message() -> dict[str, Any]:
    """The `message` of an image message event (content kept by LINE)."""
    return {
        "id": ids.message_id(), "type": "image", "quoteToken": ids.quote_token(),
        "markAsReadToken": ids.quote_token(), "contentProvider": {"type": "line"},
    }


def postback_content(data: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The `postback` of a postback event; `params` only when the picker or switch set it."""
    content: dict[str, Any] = {"data": data}
    if params:
        content["params"] = params
    return content


class WebhookSender:
    """Posts signed webhook bodies to the bot, reusing one aiohttp session per event loop.

    aiohttp rather than httpx: httpx walks its whole connection pool and checks each
    connection's expiry for every request, which made the emulator the busiest process of
    bench.hundred_users; aiohttp's pool is a queue of idle connections. Its TLS context is
    built once per process (aiohttp's own verified default), loopback webhooks being plain http.
    """

    def __init__(self, channel_secret: str, timeout: float = 10.0) -> None:
        """Remember the secret used to sign and the timeout of one delivery."""
        self.channel_secret = channel_secret
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _session_for_loop(self) -> tuple[aiohttp.ClientSession, bool]:
        """The shared session, or a one-off session when called from another event loop."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed:
            self._session = self._new_session()
            self._loop = loop
        if self._loop is loop:
            return self._session, False
        return self._new_session(), True

    def _new_session(self) -> aiohttp.ClientSession:
        # trust_env=False (aiohttp's default, said here on purpose): a proxy from the
        # environment must never see loopback webhooks. Idle connections are dropped after 2 s,
        # before a server's own keep-alive timeout (uvicorn: 5 s) closes them under a POST,
        # which aiohttp does not retry. LINE keeps no cookies of the bot's: no cookie jar.
        connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=2.0)
        return aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout),
            trust_env=False, cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def deliver(self, url: str, body: bytes) -> int:
        """POST `body` signed to `url`; return the HTTP status (0 when unreachable)."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Line-Signature": sign(self.channel_secret, body),
        }
        session, one_off = self._session_for_loop()
        try:
            # LINE follows no redirect; reading the answer returns the connection to the pool.
            async with session.post(url, data=body, headers=headers,
                                    allow_redirects=False) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0
        finally:
            if one_off:
                await session.close()

    async def aclose(self) -> None:
        """Close the shared session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
