"""Sites in real headless Chromium: an admin describes the town hall booth on the sites page
(a bad time answered next to the form), lowers the capacity, and a user then chooses the town
hall in the chat page's carousel. Saves the README's pictures of both."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from devservices import PostgresServer, RedisServer
from logs import hash_line_user
from storage.db import transaction
from storage.models import LineUser
from tests.browser import chromium
from tests.conftest import LOG_DIR, LiveApp, running_app
from tests.staff.conftest import PASSWORD, add_staff

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE_DOCS = bool(os.environ.get("MADOGUCHI_UPDATE_SCREENSHOTS"))
WAIT = 30_000  # generous: the whole suite loads two cores
TOWN = "見本町役場 2階 相談室"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module, found by tests/browser.py (fails, never skips)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def app(redis_server: RedisServer, pg_server: PostgresServer) -> Iterator[LiveApp]:
    with running_app(pg_server, redis_server.url, "sbrowser", admin_mfa_required=False) as live:
        yield live


def _save(page, name: str) -> None:  # type: ignore[no-untyped-def]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(LOG_DIR / name), full_page=True)
    if UPDATE_DOCS or not (DOCS / name).exists():
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / name), full_page=True)


def test_an_admin_adds_a_site_and_a_user_chooses_it_in_the_chat(app, browser, user):
    login = add_staff(app, "admin", name="管理 太郎")
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{app.url}/staff/sites")
        page.fill("#login", login)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/staff/sites", timeout=WAIT)
        page.fill("#new-name", TOWN)
        page.fill("#new-address", "青森県見本郡見本町1-1")
        page.fill("#new-map_url", "https://maps.example/town")
        page.fill("#new-access_notes", "2階の総務課窓口へ")
        page.fill("#new-booths", "2")
        page.fill("#new-open_1", "8:00")  # before the office opens: refused with the reason
        page.fill("#new-close_1", "15:00")
        page.click("form[action='/staff/sites'] button[type=submit]")
        page.get_by_text("9:00〜17:00").first.wait_for(timeout=WAIT)
        page.go_back()
        page.wait_for_selector("#new-name", timeout=WAIT)
        page.fill("#new-name", TOWN)
        page.fill("#new-address", "青森県見本郡見本町1-1")
        page.fill("#new-map_url", "https://maps.example/town")
        page.fill("#new-booths", "2")
        for day in (1, 3):
            page.fill(f"#new-open_{day}", "10:00")
            page.fill(f"#new-close_{day}", "15:00")
        page.fill("#new-open_0", "")
        page.click("form[action='/staff/sites'] button[type=submit]")
        page.get_by_text("相談ブースの場所を保存しました").wait_for(timeout=WAIT)
        assert "火・木 10:00〜15:00" in page.content()
        _save(page, "staff-sites.png")

        page.goto(f"{app.url}/staff/capacity")
        page.fill("#day", "2026-12-04")
        page.fill("#starts", "14:00")
        page.fill("#ends", "15:00")
        page.fill("#capacity", "1")
        page.fill("#reason", "会議のため")
        page.click("form[action='/staff/capacity'] button[type=submit]")
        page.get_by_text("対応人数の制限を追加しました").wait_for(timeout=WAIT)
        assert "会議のため" in page.content()
    finally:
        page.close()

    chat = browser.new_page(viewport={"width": 420, "height": 860}, locale="ja-JP")  # type: ignore[attr-defined]
    chat.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        chat.goto(f"{app.url}/emulator/chat?user_id={user}")
        chat.click("#follow")
        chat.locator(".log").get_by_text("利用規約に同意しますか？").last.wait_for(timeout=WAIT)
        chat.get_by_role("button", name="同意する", exact=True).last.click(timeout=WAIT)
        chat.locator(".log").get_by_text("同意を記録しました").last.wait_for(timeout=WAIT)
        register(app, user)
        chat.fill("#text", "予約する")
        chat.press("#text", "Enter")
        for label in ("この内容で進む", "職業相談", "同席者なし"):
            chat.get_by_role("button", name=label, exact=True).last.click(timeout=WAIT)
        chat.locator(".log").get_by_text("相談ブースの場所を選んでください").last.wait_for(
            timeout=WAIT)
        assert TOWN in chat.content()
        _save(chat, "chat-site-choice.png")
    finally:
        chat.close()
    assert errors == []


def register(app: LiveApp, user: str) -> None:
    """The profile the form would have saved, so the chat goes straight to the booking."""
    async def save() -> None:
        async with transaction(app.services.sessions) as session:
            await session.execute(update(LineUser).where(
                LineUser.line_user_hash == hash_line_user(user)).values(
                name="見本 花子", phone="+819011112222", number="02040-00001234",
                role="jobseeker"))
    app.call(save())
