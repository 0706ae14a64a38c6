"""The emulator alone in its own process, plus two bench endpoints: prepare events, count replies.

Both bots of a comparison reply to this one process, so the fake LINE platform costs the
same for each. The load generator asks it for signed-ready webhook bodies (so their reply
tokens are ones the emulator issued) and then posts them straight to the bot under test.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from emulator.result import ApiResult
from emulator.standalone import ReplyWaitingEmulator
from emulator.standalone import create_app as standalone_app
from emulator.webhook_sender import encode, envelope


class CountingEmulator(ReplyWaitingEmulator):
    """The stand-alone emulator, counting accepted replies so completion can be polled cheaply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies_ok = 0
        self.replies_failed = 0
        self._count_lock = threading.Lock()

    def reply(self, body: dict[str, Any], request_id: str) -> ApiResult:
        result = super().reply(body, request_id)
        with self._count_lock:
            if result.status == 200:
                self.replies_ok += 1
            else:
                self.replies_failed += 1
        return result


class Prepare(BaseModel):
    """Events to build: each `{"user_id", "text"}` or `{"user_id", "event": "follow"}`."""

    events: list[dict[str, str]]


def create_app() -> FastAPI:
    """The app uvicorn serves: emulator at /emulator, bench helpers at /bench."""
    emulator = CountingEmulator(
        channel_secret=os.environ["BENCH_CHANNEL_SECRET"],
        webhook_url=os.environ.get("BENCH_WEBHOOK_URL", ""),
        access_token=os.environ.get("BENCH_ACCESS_TOKEN"),
        reply_token_ttl=3600.0,  # a long run must not see its tokens expire
    )
    app = standalone_app(emulator)

    @app.post("/bench/prepare")
    async def prepare(request: Prepare) -> dict[str, list[str]]:
        """One webhook body per event, built exactly as the driver API builds them."""
        bodies = []
        for spec in request.events:
            payload = emulator.new_event(spec["user_id"], text=spec.get("text"),
                                         postback=spec.get("postback"), event=spec.get("event"))
            bodies.append(encode(envelope(emulator.bot_user_id, [payload])).decode())
        return {"bodies": bodies}

    @app.get("/bench/stats")
    async def stats() -> dict[str, int]:
        return {"replies_ok": emulator.replies_ok, "replies_failed": emulator.replies_failed}

    @app.post("/bench/reset")
    async def reset() -> dict[str, bool]:
        emulator.reset()
        emulator.replies_ok = emulator.replies_failed = 0
        return {"ok": True}

    return app
