"""The chat page: self-contained, Japanese, and working in a real browser when one is here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from emulator_harness import Harness

from tests.browser import WAIT, async_chromium

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _script_of(page: str) -> str:
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    return scripts[0]


async def test_chat_page_is_self_contained_japanese_and_configured(harness: Harness) -> None:
    root = await harness.http.get("/emulator/")
    chat = await harness.http.get("/emulator/chat", params={"user_id": "U" + "0" * 32})

    for response in (root, chat):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        page = response.text
        assert '<html lang="ja">' in page
        assert "ハローワーク五所川原" in page
        assert '"base": "/emulator"' in page
        assert "__CONFIG_JSON__" not in page and "__ACCOUNT_NAME__" not in page
        # No CDN or other outside resource: the page must work offline.
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", page)
        for label in ("友だち追加", "ブロック", "送信"):
            assert label in page


async def test_chat_page_script_is_valid_javascript(harness: Harness, tmp_path: Path) -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed")
    page = (await harness.http.get("/emulator/")).text
    script = tmp_path / "chat.js"
    script.write_text(_script_of(page), encoding="utf-8")

    result = subprocess.run(
        [node, "--check", str(script)], capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 0, result.stderr


async def test_chat_page_talks_to_the_bot_in_a_browser(harness: Harness) -> None:
    user = await harness.new_user()
    errors: list[str] = []

    async with async_chromium() as browser:
        page = await browser.new_page(viewport={"width": 400, "height": 800})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{harness.base_url}/emulator/chat?user_id={user}")
        await page.click("#follow")
        await page.wait_for_selector(".row.bot .bubble >> text=welcome", timeout=WAIT)
        await page.fill("#text", "choices")
        await page.press("#text", "Enter")
        await page.click(".chip >> text=職業相談", timeout=WAIT)
        await page.wait_for_selector(".row.user .bubble >> text=職業相談です", timeout=WAIT)
        await page.wait_for_selector("text=postback purpose=consult {}", timeout=WAIT)
        await page.fill("#text", "choices")
        await page.press("#text", "Enter")
        await page.click(".chip >> text=日付", timeout=WAIT)
        picker = page.locator("#picker-input")
        assert await picker.get_attribute("type") == "date"
        assert await picker.get_attribute("min") == "2026-12-01"
        await picker.fill("2026-12-10")
        await page.click("#picker-form button.ok")
        await page.wait_for_selector(
            'text=postback pick=day {"date": "2026-12-10"}', timeout=WAIT
        )

    assert errors == []
    assert harness.emulator.texts_for(user)[0] == "welcome"


async def test_the_header_language_switch_sets_the_users_line_language(harness: Harness) -> None:
    user = await harness.new_user()
    async with async_chromium() as browser:
        page = await browser.new_page(viewport={"width": 400, "height": 800})
        await page.goto(f"{harness.base_url}/emulator/chat?user_id={user}")
        switch = page.locator("#line-language")
        assert await page.locator("label[for=line-language]").count() == 1
        await page.wait_for_function(
            "document.getElementById('line-language').value === 'ja'", timeout=WAIT)
        await switch.select_option("en")
        await page.wait_for_selector(".note >> text=LINEの言語設定: en", timeout=WAIT)
    assert harness.emulator.language_of(user) == "en"
    profile = await harness.api.get_profile(user)
    assert profile.language == "en"
    shown = await harness.http.get("/emulator/api/language", params={"user_id": user})
    assert shown.json() == {"user_id": user, "language": "en"}


async def test_the_driver_sets_a_users_line_language_and_refuses_a_malformed_tag(
        harness: Harness) -> None:
    created = await harness.http.post("/emulator/api/users", json={"language": "pt-BR"})
    user = created.json()["user_id"]
    assert (await harness.api.get_profile(user)).language == "pt-BR"
    bad = await harness.http.post("/emulator/api/language",
                                  json={"user_id": user, "language": "en; drop"})
    assert bad.status_code == 422
    assert (await harness.api.get_profile(user)).language == "pt-BR"
