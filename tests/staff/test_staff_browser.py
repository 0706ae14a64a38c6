"""The console in real headless Chromium: log in, confirm a request, the user is told in LINE."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from booking import format_slot
from storage.models import BookingStatus
from tests.browser import chromium
from tests.conftest import LOG_DIR
from tests.helpers import texts
from tests.staff.conftest import PASSWORD, add_booking, add_staff, add_user, booking_row

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "staff-day-board.png"
# The committed picture is refreshed on request only, so a test run leaves the tree clean.
UPDATE_DOCS = bool(os.environ.get("MADOGUCHI_UPDATE_SCREENSHOTS"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module, found by tests/browser.py (fails, never skips)."""
    with chromium() as launched:
        yield launched


def test_staff_logs_in_confirms_a_request_and_the_user_is_told(staff_app, slots, browser):
    login = add_staff(staff_app, "staff", name="窓口 花子")
    day = slots.day()
    user_id, user_line = add_user(staff_app, name="山田 太郎")
    other_id, _ = add_user(staff_app, name="見本商事株式会社")
    booking_id = add_booking(staff_app, user_id, day[2])
    add_booking(staff_app, other_id, day[4], status=BookingStatus.CONFIRMED,
                purpose="employer_consultation")
    add_booking(staff_app, other_id, day[9], purpose="interview")

    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{staff_app.url}/staff/queue")
        assert "/staff/login" in page.url
        page.fill("#login", login)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/staff/queue")

        page.click(f"a[href='/staff/bookings/{booking_id}']")
        page.wait_for_selector("#confirm")
        assert "山田 様" in page.content() and "山田 太郎" not in page.content()
        page.click("#confirm")
        page.wait_for_selector("text=確定しました。利用者にLINEでお知らせしました。")
        assert page.inner_text("#status") == "確定"

        page.goto(f"{staff_app.url}/staff/?day={day[0].date().isoformat()}")
        page.wait_for_selector("#board")
        assert page.locator("td.cell-confirmed").count() == 2
        assert page.locator("td.cell-requested").count() == 1
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(LOG_DIR / "staff-day-board.png"), full_page=True)
        if UPDATE_DOCS or not SCREENSHOT.exists():
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
    finally:
        page.close()

    assert errors == []
    assert booking_row(staff_app, booking_id).status == "confirmed"
    shown = texts(staff_app.messages(user_line))
    assert "ご予約が確定しました" in shown and format_slot(day[2]) in shown
    assert "録画・録音はできません" in shown
