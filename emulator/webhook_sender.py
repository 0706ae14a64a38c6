"""Webhook events built and signed the way the LINE platform builds and signs them."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import ssl
import time
from typing import Any

import httpx

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



@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process (httpx loads the CA bundle for each client otherwise)."""
    return httpx.create_ssl_context(trust_env=False)

class WebhookSender:
    """Posts signed webhook bodies to the bot, reusing one HTTP client per event loop."""

    def __init__(self, channel_secret: str, timeout: float = 10.0) -> None:
        """Remember the secret used to sign and the timeout of one delivery."""
        self.channel_secret = channel_secret
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _client_for_loop(self) -> tuple[httpx.AsyncClient, bool]:
        """The shared client, or a one-off client when called from another event loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client.is_closed:
            self._client = self._new_client()
            self._loop = loop
        if self._loop is loop:
            return self._client, False
        return self._new_client(), True

    def _new_client(self) -> httpx.AsyncClient:
        # trust_env=False: a proxy from the environment must never see loopback webhooks.
        # 32 connections carry thousands of webhooks a second (each is answered in a few ms);
        # httpx walks its whole pool for every request, and 256 made the emulator the busiest
        # process of bench.hundred_users.
        return httpx.AsyncClient(
            timeout=self.timeout, trust_env=False, verify=_tls_context(),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
        )

    async def deliver(self, url: str, body: bytes) -> int:
        """POST `body` signed to `url`; return the HTTP status (0 when unreachable)."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Line-Signature": sign(self.channel_secret, body),
        }
        client, one_off = self._client_for_loop()
        try:
            response = await client.post(url, content=body, headers=headers)
            return response.status_code
        except httpx.HTTPError:
            return 0
        finally:
            if one_off:
                await client.aclose()

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
