"""The webhook sender against a small bot of its own on loopback: what it sends, what it reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest_asyncio
from aiohttp import web

from emulator.webhook_sender import USER_AGENT, WebhookSender, sign

SECRET = "sender-test-secret"
BODY = '{"destination":"Ubot","events":[{"text":"こんにちは"}]}'.encode()


@dataclass
class Bot:
    """A webhook endpoint that records each request and answers with the status asked for."""

    url: str
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[Bot]:
    found = Bot("")

    async def webhook(request: web.Request) -> web.Response:
        found.requests.append((dict(request.headers), await request.read()))
        status = int(request.query.get("status", "200"))
        headers = {"Location": "/elsewhere"} if 300 <= status < 400 else None
        return web.Response(status=status, text="OK", headers=headers)

    app = web.Application()
    app.router.add_post("/callback", webhook)
    app.router.add_post("/elsewhere", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}/callback"
    try:
        yield found
    finally:
        await runner.cleanup()


async def deliver_once(url: str) -> int:
    """One delivery by a sender of its own, closed after."""
    sender = WebhookSender(SECRET)
    try:
        return await sender.deliver(url, BODY)
    finally:
        await sender.aclose()


async def test_the_body_goes_out_signed_with_lines_headers_and_the_status_comes_back(
    bot: Bot,
) -> None:
    assert await deliver_once(bot.url + "?status=418") == 418
    ((headers, body),) = bot.requests
    assert body == BODY
    assert headers["X-Line-Signature"] == sign(SECRET, BODY)
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Content-Type"] == "application/json; charset=utf-8"


async def test_a_redirect_is_reported_as_it_is_and_not_followed(bot: Bot) -> None:
    assert await deliver_once(bot.url + "?status=307") == 307
    assert len(bot.requests) == 1


async def test_an_unreachable_or_malformed_url_is_status_zero() -> None:
    sender = WebhookSender(SECRET, timeout=30)
    try:
        statuses = [await sender.deliver(url, BODY)
                    for url in ("http://127.0.0.1:9/nowhere", "", "ftp://127.0.0.1/x")]
    finally:
        await sender.aclose()

    assert statuses == [0, 0, 0]


async def test_many_deliveries_share_one_session_and_another_loop_gets_its_own(bot: Bot) -> None:
    sender = WebhookSender(SECRET)
    try:
        here = await asyncio.gather(*(sender.deliver(bot.url, BODY) for _ in range(20)))
        # asyncio.run in a thread: another event loop, which must not use this loop's session.
        elsewhere = await asyncio.to_thread(asyncio.run, sender.deliver(bot.url, BODY))
        again = await sender.deliver(bot.url, BODY)
    finally:
        await sender.aclose()

    assert here == [200] * 20 and elsewhere == 200 and again == 200
    assert len(bot.requests) == 22
