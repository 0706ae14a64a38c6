"""The chat page's "QRを読み取る": a walk-up poster's LINE URL is pasted and its message is sent
as the user, as LINE does once the QR code has opened the chat (in a real browser)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from emulator_harness import Harness, until

from tests.browser import WAIT, async_chromium

pytestmark = pytest.mark.asyncio(loop_scope="session")

MESSAGE = "今すぐ相談：見本町役場 2階 相談室（K7P3QX）"
URL = f"https://line.me/R/oaMessage/{quote('@madoguchi-demo', safe='')}/?{quote(MESSAGE, safe='')}"


async def test_scanning_a_poster_url_sends_its_message_as_the_user(harness: Harness) -> None:
    user = await harness.new_user()
    errors: list[str] = []
    async with async_chromium() as browser:
        page = await browser.new_page(viewport={"width": 400, "height": 800})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{harness.base_url}/emulator/chat?user_id={user}")
        await page.click("#scan")
        await page.fill("#scan-input", URL)
        await page.click("#scan-form button.ok")
        await page.wait_for_selector(f".row.user .bubble >> text={MESSAGE}", timeout=WAIT)
        # The echo bot answers with what it received: the decoded message, not the URL.
        await page.wait_for_selector(f".row.bot .bubble >> text={MESSAGE}", timeout=WAIT)
        assert await page.locator("#scanner").is_hidden()
        await page.click("#scan")
        await page.fill("#scan-input", "今すぐ相談：公民館（ABCD23）")  # the bare text works too
        await page.press("#scan-input", "Enter")
        await page.wait_for_selector(".row.bot .bubble >> text=今すぐ相談：公民館（ABCD23）",
                                     timeout=WAIT)
    await until(lambda: MESSAGE in harness.emulator.texts_for(user))
    assert errors == []
