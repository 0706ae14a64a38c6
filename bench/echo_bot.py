"""The baseline: a bare line-bot-sdk v3 echo bot, as in the SDK's fastapi/aiohttp examples.

Signature check with `WebhookParser`, then `AsyncMessagingApi.reply_message` for each event,
awaited before answering 200 (as the SDK's example does). It replies to the same emulator
process our app replies to; `bench.common.Served` runs it with the same uvicorn flags.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent

GREETING = "友だち追加ありがとうございます。"


def create_app() -> FastAPI:
    """The echo bot, configured from BENCH_* environment variables."""
    parser = WebhookParser(os.environ["BENCH_CHANNEL_SECRET"])
    config = Configuration(host=os.environ["BENCH_LINE_HOST"],
                           access_token=os.environ["BENCH_ACCESS_TOKEN"])
    clients: dict[str, AsyncMessagingApi] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = AsyncApiClient(config)
        clients["api"] = AsyncMessagingApi(client)
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.post("/line/webhook")
    async def callback(request: Request) -> str:
        signature = request.headers.get("X-Line-Signature", "")
        body = (await request.body()).decode()
        try:
            events = parser.parse(body, signature)
        except InvalidSignatureError:
            raise HTTPException(status_code=400, detail="Invalid signature") from None
        for event in events:
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                text = event.message.text
            elif isinstance(event, FollowEvent):
                text = GREETING
            else:
                continue
            await clients["api"].reply_message(ReplyMessageRequest(
                reply_token=event.reply_token, messages=[TextMessage(text=text)]))
        return "OK"

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_ack_only_app() -> FastAPI:
    """Only the signature check and 200 (DESIGN.md §10's "bare signature-checking endpoint")."""
    parser = WebhookParser(os.environ["BENCH_CHANNEL_SECRET"])
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.post("/line/webhook")
    async def callback(request: Request) -> str:
        try:
            parser.parse((await request.body()).decode(),
                         request.headers.get("X-Line-Signature", ""))
        except InvalidSignatureError:
            raise HTTPException(status_code=400, detail="Invalid signature") from None
        return "OK"

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
