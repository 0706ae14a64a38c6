"""A newcomer's walk in real headless Chromium: a whole booking in the chat page, then staff
confirm it in the console and the user is told. Saves the screenshots the README shows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from logs import hash_line_user
from storage.db import transaction
from storage.models import Booking, LineUser
from storage.staff_accounts import create_account
from tests.browser import WAIT, chromium
from tests.conftest import LOG_DIR
from tests.helpers import texts

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE_DOCS = bool(os.environ.get("MADOGUCHI_UPDATE_SCREENSHOTS"))
PASSWORD = "walkthrough-password-1"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module, found by tests/browser.py (fails, never skips)."""
    with chromium() as launched:
        yield launched


def _save(page, name: str) -> None:  # type: ignore[no-untyped-def]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(LOG_DIR / name))
    if UPDATE_DOCS or not (DOCS / name).exists():
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / name))


def _tap(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """Tap the newest button or chip with this label, as a user scrolling down would."""
    page.get_by_role("button", name=label, exact=True).last.click(timeout=WAIT)


def _see(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(".log").get_by_text(text).last.wait_for(timeout=WAIT)


def _booking_of(live, user: str) -> Booking:  # type: ignore[no-untyped-def]
    async def query() -> Booking:
        async with live.services.sessions() as session:
            row = (await session.scalars(select(LineUser).where(
                LineUser.line_user_hash == hash_line_user(user)))).one()
            return (await session.scalars(select(Booking).where(Booking.user_id == row.id))).one()
    return live.call(query())


def _staff_login(live) -> str:  # type: ignore[no-untyped-def]
    login = f"walk-{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        async with transaction(live.services.sessions) as session:
            await create_account(session=session, office_id=live.services.office_id, login=login,
                                 name="窓口 花子", role="staff", password=PASSWORD,
                                 now=live.clock.now())
    live.call(create())
    return login


def test_a_newcomer_books_in_the_chat_page_and_staff_confirm_it(live, user, browser):
    page = browser.new_page(viewport={"width": 420, "height": 860}, locale="ja-JP")  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live.url}/emulator/chat?user_id={user}")
        page.click("#follow")
        _see(page, "利用規約に同意しますか？")
        _tap(page, "同意する")
        _see(page, "同意を記録しました")
        page.fill("#text", "予約する")
        page.press("#text", "Enter")
        _tap(page, "求職者（仕事を探している方）")
        _tap(page, "登録しています")
        _tap(page, "入力フォームを開く")

        form = page.frame_locator("#overlay-frame")
        form.locator("input[name=name]").fill("見本 花子", timeout=WAIT)
        form.locator("input[name=number]").fill("02040-00001234")
        form.locator("input[name=phone]").fill("090-1111-2222")
        form.locator("button[type=submit]").click()
        form.get_by_text("保存しました").first.wait_for(timeout=WAIT)
        page.click("#overlay-close")
        _see(page, "ご登録内容を保存しました")

        _tap(page, "職業相談")
        _tap(page, "同席者なし")
        _tap(page, "この日を選ぶ")
        page.locator(".fx-button", has_text=":").first.click(timeout=WAIT)
        _see(page, "お申し込み内容の確認")
        _tap(page, "確定する")
        _see(page, "お申し込みを受け付けました")
        _save(page, "chat-booking.png")
    finally:
        page.close()

    booking = _booking_of(live, user)
    assert booking.status == "requested"

    console = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    console.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        console.goto(f"{live.url}/staff/bookings/{booking.id}")
        console.fill("#login", _staff_login(live))
        console.fill("#password", PASSWORD)
        console.click("button[type=submit]")
        console.wait_for_selector("#confirm", timeout=WAIT)
        console.click("#confirm")
        console.wait_for_selector("text=確定しました", timeout=WAIT)
    finally:
        console.close()

    assert errors == []
    assert _booking_of(live, user).status == "confirmed"
    told = texts(live.messages(user))
    assert "ご予約が確定しました" in told
    assert "090-1111-2222" not in told and "見本 花子" not in told


def test_an_english_speaking_newcomer_books_in_english_from_the_chat_page(live, user, browser):
    """The header's language switch sets the user's LINE language; the whole booking, the
    form included, is then in English (the README shows it)."""
    page = browser.new_page(viewport={"width": 420, "height": 860}, locale="en-US")  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live.url}/emulator/chat?user_id={user}")
        page.wait_for_function("document.getElementById('line-language').value === 'ja'",
                               timeout=WAIT)
        page.select_option("#line-language", "en")
        _see(page, "LINEの言語設定: en")
        page.click("#follow")
        _see(page, "Do you agree to the terms of use?")
        _tap(page, "I agree")
        _see(page, "We have recorded that you agree")
        page.fill("#text", "Book")
        page.press("#text", "Enter")
        _tap(page, "Looking for a job")
        _tap(page, "Yes, registered")
        _tap(page, "Open the form")

        form = page.frame_locator("#overlay-frame")
        form.get_by_text("Enter your details").first.wait_for(timeout=WAIT)
        form.locator("input[name=name]").fill("Maria Santos", timeout=WAIT)
        form.locator("input[name=number]").fill("02040-00001234")
        form.locator("input[name=phone]").fill("090-1111-3333")
        form.locator("button[type=submit]").click()
        form.get_by_text("Your details have been saved").first.wait_for(timeout=WAIT)
        page.click("#overlay-close")
        _see(page, "Your details have been saved")

        _tap(page, "Job consultation")
        _tap(page, "An interpreter")
        _tap(page, "Choose this day")
        page.locator(".fx-button", has_text=":").first.click(timeout=WAIT)
        _see(page, "Please check your request")
        _tap(page, "Confirm")
        _see(page, "We have received your request.")
        _save(page, "chat-booking-en.png")
    finally:
        page.close()

    assert errors == []
    booking = _booking_of(live, user)
    assert booking.status == "requested" and booking.interpret_language == "en"
