"""Emergency closure in the console, in real headless Chromium (DESIGN §13): staff close a
morning with bookings in one action, each user is told in LINE at once, the closure's page shows
who answered (moved / cancelled) and whom to phone, and re-opening keeps what was answered."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import BookingStatus, ClosureNotice
from tests.browser import chromium
from tests.conftest import LOG_DIR
from tests.helpers import actions, tap, texts
from tests.staff.conftest import (
    PASSWORD,
    add_booking,
    add_staff,
    add_user,
    booking_row,
    rows,
)

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "staff-closure.png"
UPDATE_DOCS = bool(os.environ.get("MADOGUCHI_UPDATE_SCREENSHOTS"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_staff_close_a_morning_in_one_action_and_follow_up_who_answered(staff_app, slots,
                                                                        browser):
    login = add_staff(staff_app, "staff", name="窓口 花子")
    day = slots.day()
    people = [add_user(staff_app, name=name) for name in ("山田 太郎", "佐藤 花子", "鈴木 一郎")]
    booked = [add_booking(staff_app, people[0][0], day[2], status=BookingStatus.CONFIRMED),
              add_booking(staff_app, people[1][0], day[3]),
              add_booking(staff_app, people[2][0], day[4])]
    later = add_booking(staff_app, people[0][0], day[12])  # 15:00: outside the range, kept

    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{staff_app.url}/staff/closures?month={day[0]:%Y-%m}")
        page.fill("#login", login)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/staff/closures**")

        page.fill("#day", day[0].date().isoformat())
        page.fill("#starts", "10:00")
        page.fill("#ends", "12:00")
        page.click("button:has-text('休止する')")
        page.wait_for_selector("text=理由（例：大雪のため）を入力してください")  # no reason
        assert booking_row(staff_app, booked[0]).status == "confirmed"

        page.go_back()
        page.fill("#day", day[0].date().isoformat())
        page.fill("#starts", "10:00")
        page.fill("#ends", "12:00")
        page.fill("#reason", "大雪のため")
        page.click("button:has-text('休止する')")
        page.wait_for_selector("text=予約していた3人にLINEでお知らせしました")
        assert page.locator("#affected tbody tr").count() == 3
        content = page.content()
        assert "山田 様" in content and "山田 太郎" not in content and "大雪のため" in content
        assert content.count("返事なし") == 3

        notice = staff_app.messages(people[0][1])[-1:]
        assert "大雪のため" in texts(notice) and "取り消す" in texts(notice)
        option = [a["label"] for a in actions(notice)][0]
        assert "お申し込みを受け付けました" in texts(tap(staff_app, people[0][1], notice, option))
        second = staff_app.messages(people[1][1])[-1:]
        assert "取り消しました" in texts(tap(staff_app, people[1][1], second, "取り消す"))

        page.reload()
        page.wait_for_selector("#affected")
        answers = page.inner_text("#affected")
        assert "変更" in answers and "取消" in answers and answers.count("返事なし") == 1
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(LOG_DIR / "staff-closure.png"), full_page=True)
        if UPDATE_DOCS or not SCREENSHOT.exists():
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

        page.click("button:has-text('休止をやめて再開する')")
        page.wait_for_selector("text=再開しました。この時間帯は再び予約できます。")
        assert "再開済み" in page.content()
    finally:
        page.close()

    assert errors == []
    assert [booking_row(staff_app, b).status for b in booked] == ["closed"] * 3
    assert booking_row(staff_app, later).status == "requested"
    answered = {n.booking_id: n.answer for n in rows(staff_app, select(ClosureNotice).where(
        ClosureNotice.booking_id.in_(booked)))}
    assert answered == {booked[0]: "moved", booked[1]: "cancelled", booked[2]: None}
    (moved_to,) = rows(staff_app, select(ClosureNotice.moved_to_id).where(
        ClosureNotice.booking_id == booked[0]))
    assert abs((booking_row(staff_app, moved_to).starts_at - day[0]).days) <= 7
