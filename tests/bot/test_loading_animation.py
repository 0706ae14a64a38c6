"""The loading animation (DESIGN.md §11): shown while a step waits on something slow, before
its reply, and never for a quick step."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg

from tests.helpers import tap, texts

PATIENCE = 60.0  # seconds: a generous cap on waiting for what the emulator records


def loading(live: Any, user: str) -> list[dict[str, Any]]:
    response = live.http.get("/emulator/api/loading", params={"user_id": user})
    response.raise_for_status()
    return response.json()["entries"]


def wait_until(check: Any) -> Any:
    deadline = time.monotonic() + PATIENCE
    while not (found := check()):
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.02)
    return found


class TableLock:
    """Another session holding `consents` locked, as a long transaction would: inserts wait."""

    def __init__(self, live: Any) -> None:
        self.live = live
        self.conn: asyncpg.Connection | None = None

    async def take(self) -> None:
        dsn = self.live.settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
        self.conn = await asyncpg.connect(dsn)
        await self.conn.execute("BEGIN")
        await self.conn.execute("LOCK TABLE consents IN EXCLUSIVE MODE")

    async def release(self) -> None:
        assert self.conn is not None
        await self.conn.execute("ROLLBACK")
        await self.conn.close()


def test_a_step_waiting_on_the_database_shows_the_loading_animation_then_replies(live, user):
    asked = live.send(user, event="follow")
    lock = TableLock(live)
    live.call(lock.take())
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(tap, live, user, asked, "同意する")
            (entry,) = wait_until(lambda: loading(live, user))
            assert entry["seconds"] >= 5
            assert not any("同意を記録しました" in texts([m]) for m in live.messages(user))
            live.call(lock.release())
            lock.conn = None
            pending.result(timeout=PATIENCE)
    finally:
        if lock.conn is not None:
            live.call(lock.release())
    wait_until(lambda: "同意を記録しました" in texts(live.messages(user)))


def test_a_quick_step_sends_no_loading_animation(live, user):
    asked = live.send(user, event="follow")
    assert "同意" in texts(asked)
    assert loading(live, user) == []
