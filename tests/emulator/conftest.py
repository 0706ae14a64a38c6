"""Fixtures: the echo bot and the emulator served by uvicorn on a free loopback port.

The server runs as a task on the session event loop, so the tests (marked with
`loop_scope="session"`) share that loop with it and can call `Emulator.send` in-process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import uvicorn
from emulator_harness import ACCESS_TOKEN, CHANNEL_SECRET, EchoBot, Harness, make_app, until
from linebot.v3 import WebhookParser
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from emulator import Emulator
from tests import loopback


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _server() -> AsyncIterator[Harness]:
    emulator = Emulator(CHANNEL_SECRET, webhook_url="http://127.0.0.1:9/unset")
    bot = EchoBot(WebhookParser(CHANNEL_SECRET))
    app = make_app(emulator, bot)
    # Port 0 and read it back: a pre-bound socket handed to serve() lacks TCP_NODELAY
    # here, which costs ~40 ms per request (Nagle against delayed ACKs).
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                            log_config=None)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    await until(lambda: server.started or serving.done())  # 30 s: a busy machine starts slowly
    assert server.started, "the emulator's server did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    # The webhook URL and the wait hook are learnt late, as the real app learns its port.
    emulator.webhook_url = base_url + "/callback"
    emulator.wait_for = bot.wait_for
    api_client = AsyncApiClient(
        Configuration(host=base_url + "/emulator/line", access_token=ACCESS_TOKEN)
    )
    bot.api = AsyncMessagingApi(api_client)
    http = loopback.async_client(base_url=base_url, trust_env=False, timeout=10)
    try:
        yield Harness(emulator, bot, base_url, http, AsyncMessagingApi(api_client), api_client)
    finally:
        await http.aclose()
        await api_client.close()
        await emulator.aclose()
        server.should_exit = True
        await serving


@pytest_asyncio.fixture(loop_scope="session", autouse=True)
async def _session_loop_is_current() -> None:
    """Make the session loop the thread's current loop again before each test here.

    A sync test elsewhere that calls `asyncio.run` leaves no current loop behind; when such a
    test runs between two of these files (pytest-xdist deals files out in any order), the next
    session-loop test would find none and never run.
    """
    asyncio.set_event_loop(asyncio.get_running_loop())


@pytest_asyncio.fixture(loop_scope="session")
async def harness(_server: Harness) -> AsyncIterator[Harness]:
    """The shared server with the emulator's recorded state wiped before each test."""
    emulator = _server.emulator
    emulator.reset(richmenus=True)
    yield _server
    emulator.clear_faults()
    emulator.wait_for = _server.bot.wait_for
    emulator.webhook_url = _server.base_url + "/callback"
    emulator.access_token = None
    emulator.monthly_quota = None
    emulator.wait_timeout = 5.0
    emulator.reply_token_ttl = 60.0
    emulator.clock = time.monotonic


@pytest.fixture
def secret() -> str:
    """The channel secret the emulator signs with."""
    return CHANNEL_SECRET
