"""The emulator alone in its own process, plus two bench endpoints: prepare events, count replies.

Both bots of a comparison reply to this one process, so the fake LINE platform costs the
same for each. The load generator asks it for signed-ready webhook bodies (so their reply
tokens are ones the emulator issued) and then posts them straight to the bot under test.
"""

from __future__ import annotations

import os
import threading
import time
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
        self.pushes = 0
        self.replied_at: dict[str, float] = {}
        self._count_lock = threading.Lock()

    def reply(self, body: dict[str, Any], request_id: str) -> ApiResult:
        result = super().reply(body, request_id)
        with self._count_lock:
            if result.status == 200:
                self.replies_ok += 1
                self.replied_at[str(body.get("replyToken"))] = time.time()
            else:
                self.replies_failed += 1
        return result

    def push(self, body: dict[str, Any], retry_key: str | None, request_id: str) -> ApiResult:
        result = super().push(body, retry_key, request_id)
        with self._count_lock:
            self.pushes += 1
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
        return {"replies_ok": emulator.replies_ok, "replies_failed": emulator.replies_failed,
                "pushes": emulator.pushes}

    @app.post("/bench/tokens")
    async def tokens(event_ids: list[str]) -> dict[str, dict[str, str]]:
        """The reply token each event was sent with (to tell which reply answered which)."""
        found = {e: emulator.event(e) for e in event_ids}
        return {"tokens": {e: str(ev.get("replyToken")) for e, ev in found.items() if ev}}

    @app.get("/bench/replied")
    async def replied() -> dict[str, dict[str, float]]:
        """When each reply token was used (wall clock), for reply latency."""
        return {"at": dict(emulator.replied_at)}

    @app.post("/bench/reset")
    async def reset() -> dict[str, bool]:
        emulator.reset()
        emulator.replies_ok = emulator.replies_failed = emulator.pushes = 0
        emulator.replied_at.clear()
        return {"ok": True}

    return app
