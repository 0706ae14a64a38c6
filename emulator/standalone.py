"""The emulator in a process of its own: the LINE platform a production-mode app talks to.

Used by the production-path test and the benchmarks, where the app runs with the emulator
off and `MADOGUCHI_LINE_API_HOST` pointing here. Out of the app's process the driver API
cannot ask the app whether an event was handled, so `send` waits for the reply to that
event's reply token instead (every step replies).

    EMULATOR_CHANNEL_SECRET=… EMULATOR_WEBHOOK_URL=http://127.0.0.1:8000/line/webhook \\
        uvicorn emulator.standalone:create_app --factory --port 8100
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from fastapi import FastAPI

from emulator.platform import Emulator
from emulator.result import ApiResult
from emulator.routes import build_router


class ReplyWaitingEmulator(Emulator):
    """An emulator whose driver `send` returns once the bot replied to the event sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, wait_for=self.replied, **kwargs)
        self._replied: dict[str, asyncio.Event] = {}

    def reply(self, body: dict[str, Any], request_id: str) -> ApiResult:
        issued = self._reply_tokens.get(str(body.get("replyToken")))
        result = super().reply(body, request_id)
        if issued is not None:
            self._replied.setdefault(issued.event_id, asyncio.Event()).set()
        return result

    async def replied(self, event_id: str) -> None:
        """Return once the reply to that event arrived."""
        await self._replied.setdefault(event_id, asyncio.Event()).wait()
        self._replied.pop(event_id, None)


def create_app(emulator: Emulator | None = None) -> FastAPI:
    """The emulator at /emulator, configured from EMULATOR_* variables."""
    emulator = emulator or ReplyWaitingEmulator(
        channel_secret=os.environ["EMULATOR_CHANNEL_SECRET"],
        webhook_url=os.environ.get("EMULATOR_WEBHOOK_URL", ""),
        access_token=os.environ.get("EMULATOR_ACCESS_TOKEN"),
        wait_timeout=float(os.environ.get("EMULATOR_WAIT_SECONDS", "5")),
    )
    app = FastAPI(docs_url=None, redoc_url=None)
    app.state.emulator = emulator
    app.include_router(build_router(emulator), prefix="/emulator")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
