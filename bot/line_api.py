"""The Messaging API client: reply, push, loading animation and profile, pointed at LINE or at
the emulator.

The requests are the ones line-bot-sdk v3 sends (same URL, headers and JSON), made on one
aiohttp session built here rather than through the SDK's generic `call_api`: its session trusts
the environment, so every request read ~/.netrc and the proxy variables in a worker thread (two
thread hops per reply), and its serialiser walked the ready JSON again — together most of the
reply's CPU on the hot path (bench/RESULTS.md). The proxy settings are read once, here.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from linebot.__about__ import __version__ as sdk_version

log = logging.getLogger(__name__)


@dataclass
class SendError(Exception):
    """A send that failed; `retryable` for 5xx, 429 and time-outs, as LINE advises."""

    status: int | None
    detail: str

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def already_accepted(self) -> bool:
        """409 on a retry key: the first attempt was accepted, so this one is done too."""
        return self.status == 409


def env_proxy(host: str) -> str | None:
    """The proxy the environment names for `host` (HTTPS_PROXY, NO_PROXY…), read once at start
    instead of on every request."""
    parts = urlsplit(host)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme or "https")


class LineGateway:
    """Reply, push and loading animation; built in the lifespan, closed on shutdown."""

    def __init__(self, *, host: str, access_token: str, timeout: float = 5.0) -> None:
        self._host = host.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}",
                         "User-Agent": f"line-bot-sdk-python/{sdk_version}",
                         "Accept": "application/json"}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._proxy = env_proxy(self._host)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        """One session per gateway, opened on first use (inside the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                trust_env=False, timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=100))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def reply(self, token: str, messages: list[dict[str, Any]]) -> None:
        """Answer with the event's reply token (free, single use, about a minute).

        Sent as the JSON bot/render.py made, like `push`: the round trip through the SDK's
        models was 13% of the webhook path's CPU (bench/RESULTS.md).
        """
        await self._post_json("/v2/bot/message/reply",
                              {"replyToken": token, "messages": messages})

    async def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> None:
        """Push with a retry key derived from the outbox row, so LINE delivers it once.

        The messages are already LINE JSON (bot/render.py): rebuilding them as the SDK's
        pydantic models and serialising them back cost more CPU than the rest of a push, and
        the outbox worker sends hundreds a second.
        """
        await self._post_json("/v2/bot/message/push", {"to": to, "messages": messages},
                              {"X-Line-Retry-Key": retry_key})

    async def _post_json(self, path: str, body: dict[str, Any],
                         extra: dict[str, str] | None = None) -> None:
        """POST ready LINE JSON; a non-2xx answer, a time-out or a broken connection is a
        `SendError` (with the status when LINE gave one)."""
        headers = {**self._json_headers, **extra} if extra else self._json_headers
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        await self._send("POST", path, headers, data)

    async def _send(self, method: str, path: str, headers: dict[str, str],
                    data: bytes | None = None) -> bytes:
        try:
            async with self._client().request(method, self._host + path, data=data,
                                              headers=headers, proxy=self._proxy) as resp:
                payload = await resp.read()
                if not 200 <= resp.status <= 299:
                    detail = payload.decode("utf-8", "replace") or resp.reason or ""
                    raise SendError(resp.status, detail[:300])
                return payload
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            name = "TimeoutError" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise SendError(None, name) from exc

    async def profile_language(self, user: str) -> str | None:
        """The `language` of the user's LINE profile (BCP 47), or None when LINE cannot say."""
        try:
            raw = await self._send("GET", "/v2/bot/profile/" + quote(user, safe=""),
                                   self._headers)
            language = json.loads(raw).get("language")
        except (SendError, ValueError, AttributeError):
            log.info("profile language not read")
            return None
        return language if isinstance(language, str) else None

    async def show_loading(self, user: str, seconds: int = 20) -> None:
        """The typing dots, for steps that take a moment (dialogs.engine.SLOW_STEP_SECONDS);
        LINE takes them away as soon as the reply arrives."""
        try:
            await self._post_json("/v2/bot/chat/loading/start",
                                  {"chatId": user, "loadingSeconds": seconds})
        except SendError:
            log.info("loading animation not shown")
