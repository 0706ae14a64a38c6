"""An app whose web process hands events off and handles none itself, and `python main.py
handle` processes (or in-process handlers) started and stopped by the tests."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devservices import PostgresServer, RedisServer
from emulator import sign
from emulator.webhook_sender import encode, envelope
from storage.event_stream import partition_of
from storage.keys import RedisKeys
from tests.conftest import LiveApp, running_app
from tests.evidence import subprocess_log

ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture
def quiet_app(pg_server: PostgresServer, redis_server: RedisServer) -> Iterator[LiveApp]:
    """The app with no handler of its own: events wait in the stream until one is started."""
    with running_app(pg_server, redis_server.url, "pipe", handlers_in_process=False,
                     handler_lease_seconds=1.0) as app:
        yield app


def post(app: LiveApp, events: list[dict[str, Any]]) -> int:
    """Post one signed webhook body carrying `events`; its HTTP status."""
    body = encode(envelope(app.services.emulator.bot_user_id, events))
    headers = {"Content-Type": "application/json",
               "X-Line-Signature": sign(app.settings.line_channel_secret, body)}
    return app.http.post("/line/webhook", content=body, headers=headers).status_code


def stream_ids(app: LiveApp, user: str) -> list[str]:
    """The webhook event ids waiting in the user's partition of the stream."""
    stream = RedisKeys(app.settings.redis_prefix).stream(
        partition_of(user, app.settings.event_partitions))
    rows = app.call(app.services.redis.xrange(stream))
    return [json.loads(fields[b"e"])["webhookEventId"] for _, fields in rows]


def backlog(app: LiveApp) -> int:
    return int(app.call(app.services.stream.backlog()))


def start_in_process(app: LiveApp) -> Any:
    """One handler in the app's own process (as the demo runs it)."""
    async def start() -> Any:
        return app.services.start_handler()
    return app.call(start())


def stop_in_process(app: LiveApp) -> None:
    """Stop the app's in-process handlers cleanly (batch finished, leases given back)."""
    async def stop() -> None:
        for consumer, _ in app.services.consumers:
            consumer.stop()
        await asyncio.gather(*(task for _, task in app.services.consumers))
        app.services.consumers.clear()
    app.call(stop())


def handler_env(app: LiveApp, **overrides: Any) -> dict[str, str]:
    """The app's settings as a `handle` process reads them (same Redis prefix and database)."""
    values = {**app.settings.model_dump(), "auto_migrate": False, **overrides}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env |= {f"MADOGUCHI_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in values.items() if v is not None}
    return {**env, "PYTHONPATH": str(ROOT)}


def start_handler(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python main.py handle` as a process of its own."""
    with subprocess_log(log).open("wb") as out:
        return subprocess.Popen([sys.executable, "main.py", "handle"], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


def lease_owners(app: LiveApp) -> dict[int, str]:
    """Which consumer holds each partition's lease now."""
    keys = RedisKeys(app.settings.redis_prefix)
    owners = {}
    for partition in range(app.settings.event_partitions):
        owner = app.call(app.services.redis.get(keys.partition_lease(partition)))
        if owner:
            owners[partition] = owner.decode()
    return owners


def emulator_log(app: LiveApp) -> list[dict[str, Any]]:
    response = app.http.get("/emulator/api/log")
    response.raise_for_status()
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def hold_replies(app: LiveApp, count: int) -> None:
    """LINE holds the next `count` replies unanswered until `release_replies`."""
    app.http.post("/emulator/api/faults",
                  json={"kinds": ["reply"], "hold": True, "count": count}).raise_for_status()


def held(app: LiveApp) -> int:
    response = app.http.get("/emulator/api/faults")
    response.raise_for_status()
    return int(response.json()["held"])


def release_replies(app: LiveApp) -> None:
    app.http.post("/emulator/api/faults/release").raise_for_status()
    app.http.delete("/emulator/api/faults").raise_for_status()


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode

