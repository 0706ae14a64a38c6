"""A tiny echo bot built on the real line-bot-sdk, and the app that serves it with the emulator."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    DatetimePickerAction,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
)

from emulator import Emulator, build_router

CHANNEL_SECRET = "emulator-test-channel-secret"
ACCESS_TOKEN = "emulator-test-access-token"


@dataclass
class EchoBot:
    """Answers 200 at once, then handles events in the background, like the real bot."""

    parser: WebhookParser
    api: AsyncMessagingApi | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    errors: list[int] = field(default_factory=list)
    _done: dict[str, asyncio.Event] = field(default_factory=dict)

    def _flag(self, event_id: str) -> asyncio.Event:
        return self._done.setdefault(event_id, asyncio.Event())

    async def wait_for(self, event_id: str) -> None:
        """Return once the event has been handled (the app's `wait_for` hook)."""
        await self._flag(event_id).wait()

    def received(self, events: list[Any]) -> None:
        """Start a fresh "done" flag per event: a redelivery reuses the event id."""
        for event in events:
            self._done[event.webhook_event_id] = asyncio.Event()

    async def handle(self, events: list[Any]) -> None:
        """Reply to each event; mark it done even when the reply fails."""
        for event in events:
            try:
                await self._answer(event)
            except ApiException as exc:
                self.errors.append(exc.status)
            finally:
                self._flag(event.webhook_event_id).set()

    async def _answer(self, event: Any) -> None:
        assert self.api is not None
        token = getattr(event, "reply_token", None)
        if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
            text = event.message.text
            if text == "push too":
                await self._reply(token, "reply first")
                await self.api.push_message(
                    PushMessageRequest(
                        to=event.source.user_id, messages=[TextMessage(text="then a push")]
                    ),
                    x_line_retry_key=str(uuid.uuid4()),
                )
            elif text.startswith("many "):
                count = int(text.split()[1])
                await self.api.reply_message(ReplyMessageRequest(
                    reply_token=token, messages=[TextMessage(text=str(i)) for i in range(count)],
                ))
            elif text == "silent":
                return
            elif text == "choices":
                await self.api.reply_message(ReplyMessageRequest(reply_token=token, messages=[
                    TextMessage(text="選んでください", quick_reply=QuickReply(items=[
                        QuickReplyItem(action=PostbackAction(
                            label="職業相談", data="purpose=consult", display_text="職業相談です")),
                        QuickReplyItem(action=DatetimePickerAction(
                            label="日付", data="pick=day", mode="date",
                            initial="2026-12-03", min="2026-12-01", max="2027-01-31")),
                    ])),
                ]))
            else:
                await self._reply(token, text)
        elif isinstance(event, MessageEvent) and isinstance(event.message, StickerMessageContent):
            await self._reply(token, "sticker received")
        elif isinstance(event, MessageEvent) and isinstance(event.message, ImageMessageContent):
            await self._reply(token, "image received")
        elif isinstance(event, PostbackEvent):
            params = event.postback.params or {}
            await self._reply(
                token, f"postback {event.postback.data} {json.dumps(params, sort_keys=True)}"
            )
        elif isinstance(event, FollowEvent):
            await self._reply(token, "welcome back" if event.follow.is_unblocked else "welcome")

    async def _reply(self, token: str | None, text: str) -> None:
        if token is None:
            return
        assert self.api is not None
        await self.api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text=text)])
        )


def make_app(emulator: Emulator, bot: EchoBot) -> FastAPI:
    """The emulator router plus a webhook endpoint verified by the SDK's WebhookParser."""
    app = FastAPI()
    app.include_router(build_router(emulator), prefix="/emulator")
    tasks: set[asyncio.Task[None]] = set()

    @app.post("/callback")
    async def callback(request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        try:
            events = bot.parser.parse(body, request.headers.get("x-line-signature", ""))
        except InvalidSignatureError:
            bot.rejected += 1
            return Response("invalid signature", status_code=400)
        bot.bodies.append(json.loads(body))
        bot.received(events)
        task = asyncio.create_task(bot.handle(events))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return Response("OK")

    return app


@dataclass
class Harness:
    """Everything a test needs: the emulator, the bot, an HTTP client and the SDK API."""

    emulator: Emulator
    bot: EchoBot
    base_url: str
    http: httpx.AsyncClient
    api: AsyncMessagingApi
    api_client: AsyncApiClient

    async def new_user(self) -> str:
        """A fresh user id from the driver API."""
        response = await self.http.post("/emulator/api/users")
        return response.json()["user_id"]




async def until(condition: Callable[[], bool], cap: float = 30.0) -> None:
    """Wait until something observable has happened: a generous cap, never a fixed sleep."""
    deadline = time.monotonic() + cap
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)
