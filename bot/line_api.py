"""The Messaging API client (real line-bot-sdk v3, pointed at LINE or at the emulator)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from linebot.v3.messaging.exceptions import ApiException

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


class LineGateway:
    """Reply, push and loading animation; built in the lifespan, closed on shutdown."""

    def __init__(self, *, host: str, access_token: str, timeout: float = 5.0) -> None:
        config = Configuration(host=host, access_token=access_token)
        self._client = AsyncApiClient(config)
        self._api = AsyncMessagingApi(self._client)
        self._timeout = timeout

    async def close(self) -> None:
        await self._client.close()

    async def _call(self, coro: Any) -> None:
        try:
            await asyncio.wait_for(coro, self._timeout)
        except ApiException as exc:
            raise SendError(exc.status, str(exc.body or exc.reason)[:300]) from exc
        except (TimeoutError, OSError) as exc:
            raise SendError(None, type(exc).__name__) from exc

    async def reply(self, token: str, messages: list[dict[str, Any]]) -> None:
        """Answer with the event's reply token (free, single use, about a minute).

        Sent as the JSON bot/render.py made, like `push`: the round trip through the SDK's
        models was 13% of the webhook path's CPU (bench/RESULTS.md).
        """
        await self._post_json("/v2/bot/message/reply",
                              {"replyToken": token, "messages": messages}, {})

    async def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> None:
        """Push with a retry key derived from the outbox row, so LINE delivers it once.

        The messages are already LINE JSON (bot/render.py), so they go through the SDK's
        client as they are: rebuilding them as the SDK's pydantic models and serialising them
        back cost more CPU than the rest of a push, and the outbox worker sends hundreds a second.
        """
        await self._post_json("/v2/bot/message/push", {"to": to, "messages": messages},
                              {"X-Line-Retry-Key": retry_key})

    async def _post_json(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        """POST ready LINE JSON through the SDK's client (auth, host, errors as ApiException)."""
        headers = {**headers, "Accept": "application/json", "Content-Type": "application/json"}
        await self._call(self._client.call_api(
            path, "POST", {}, [], headers, body=body, post_params=[], files={},
            response_types_map={}, auth_settings=["Bearer"], _return_http_data_only=True))

    async def profile_language(self, user: str) -> str | None:
        """The `language` of the user's LINE profile (BCP 47), or None when LINE cannot say."""
        try:
            profile = await asyncio.wait_for(self._api.get_profile(user), self._timeout)
        except (ApiException, TimeoutError, OSError):
            log.info("profile language not read")
            return None
        return getattr(profile, "language", None)

    async def show_loading(self, user: str, seconds: int = 20) -> None:
        """The typing dots, for steps that take a moment (dialogs.engine.SLOW_STEP_SECONDS);
        LINE takes them away as soon as the reply arrives."""
        try:
            await self._post_json("/v2/bot/chat/loading/start",
                                  {"chatId": user, "loadingSeconds": seconds}, {})
        except SendError:
            log.info("loading animation not shown")
