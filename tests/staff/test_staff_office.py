"""Office-wide pages: closures, immediate use, settings, usage CSV, users (masked, block)."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import select

from storage.models import BookingStatus, Closure, Office
from tests.conftest import DEFAULT_NOW
from tests.flows.journeys import to_day_step
from tests.helpers import texts
from tests.staff.conftest import add_booking, add_user, audits, rows, user_row


def office(app) -> Office:
    (row,) = rows(app, select(Office))
    return row


def test_closures_are_added_shown_and_removed(staff_app, console, slots):
    day = slots.day()[0].date()
    response = console.form("/staff/closures", {"day": day.isoformat(), "reason": "庁舎点検"})
    assert response.status_code == 303
    page = console.page("/staff/closures", month=f"{day:%Y-%m}")
    assert "休業：庁舎点検" in page.text
    assert rows(staff_app, select(Closure.day).where(Closure.day == day)) == [day]
    board = console.page("/staff/", day=day.isoformat())
    assert "閉庁日" in board.text
    twice = console.api("/staff/closures", {"day": day.isoformat()})
    assert twice.status_code == 409 and "すでに休業日" in twice.json()["detail"]
    removed = console.form(f"/staff/closures/{day.isoformat()}/delete")
    assert removed.status_code == 303
    # Re-opened, not erased: the record of the closure and who re-opened it stays.
    assert rows(staff_app, select(Closure.day).where(
        Closure.day == day, Closure.reopened_at.is_(None))) == []
    (kept,) = rows(staff_app, select(Closure).where(Closure.day == day))
    assert kept.reopened_by is not None and kept.created_by == kept.reopened_by
    assert "休業：庁舎点検" not in console.page("/staff/closures", month=f"{day:%Y-%m}").text
    assert {"day": day.isoformat()} in [a.detail for a in audits(staff_app, "closure.add")]


def test_a_day_with_bookings_needs_a_reason_and_a_past_or_closed_day_cannot_be_closed(
        staff_app, console, slots):
    user_id, _ = add_user(staff_app)
    start = slots.next()
    add_booking(staff_app, user_id, start)
    busy = console.api("/staff/closures", {"day": start.date().isoformat()})
    assert busy.status_code == 422 and "有効な予約が1件" in busy.json()["detail"]
    assert "理由" in busy.json()["detail"]
    past = console.api("/staff/closures", {"day": "2026-11-30"})
    assert past.status_code == 422 and "過ぎた日時" in past.json()["detail"]
    saturday = console.api("/staff/closures", {"day": "2027-01-09"})
    assert saturday.status_code == 409 and "閉庁日" in saturday.json()["detail"]
    bad = console.api("/staff/closures", {"day": "tomorrow"})
    assert bad.status_code == 422 and "日付" in bad.json()["detail"]


def test_immediate_use_is_switched_on_and_off(staff_app, console):
    assert console.form("/staff/immediate", {"enabled": "true"}).status_code == 303
    assert office(staff_app).immediate_use_enabled is True
    assert "受付中" in console.page("/staff/").text
    assert console.api("/staff/immediate", {"enabled": "false"}).json()["ok"] is True
    assert office(staff_app).immediate_use_enabled is False
    assert [a.detail for a in audits(staff_app, "office.immediate")][-2:] == [
        {"enabled": True}, {"enabled": False}]


def test_admin_changes_settings_and_the_bot_uses_the_new_phone(staff_app, admin, console):
    before = office(staff_app)
    form = {"name": before.name, "phone": "0173-11-2222", "booths": 2, "cutoff_hour": 14,
            "no_show_limit": 3, "max_active_requests": 2, "address": before.address,
            "hours": before.hours}
    assert console.form("/staff/settings", form).status_code == 403
    try:
        assert admin.form("/staff/settings", form).status_code == 303
        after = office(staff_app)
        assert (after.phone, after.booths, after.cutoff_hour) == ("0173-11-2222", 2, 14)
        assert "0173-11-2222" in texts(staff_app.send("U" + "a" * 32, text="問い合わせ"))
        assert "ブース2" in admin.page("/staff/").text
        assert audits(staff_app, "office.settings")[-1].detail["changed"] == [
            "booths", "cutoff_hour", "max_active_requests", "no_show_limit", "phone"]
        bad = admin.api("/staff/settings", {**form, "phone": "not a phone"})
        assert bad.status_code == 422 and "電話番号" in bad.json()["detail"]
        out_of_range = admin.api("/staff/settings", {**form, "booths": 0})
        assert out_of_range.status_code == 422
    finally:
        restore = {**form, "phone": before.phone, "booths": before.booths,
                   "cutoff_hour": before.cutoff_hour, "no_show_limit": before.no_show_limit,
                   "max_active_requests": before.max_active_requests}
        assert admin.form("/staff/settings", restore).status_code == 303


def test_booths_with_bookings_cannot_be_removed(staff_app, admin, slots):
    before = office(staff_app)
    form = {"name": before.name, "phone": before.phone, "cutoff_hour": before.cutoff_hour,
            "no_show_limit": before.no_show_limit,
            "max_active_requests": before.max_active_requests}
    admin.form("/staff/settings", {**form, "booths": 2})
    user_id, _ = add_user(staff_app)
    booking_id = add_booking(staff_app, user_id, slots.next(), booth=2,
                             status=BookingStatus.CONFIRMED)
    refused = admin.api("/staff/settings", {**form, "booths": 1})
    assert refused.status_code == 409 and "ブースに有効な予約" in refused.json()["detail"]
    assert office(staff_app).booths == 2
    # One booth again for the other tests, once booth 2 is free.
    admin.api(f"/staff/bookings/{booking_id}/decline", {"version": 1, "reason": "調整"})
    assert admin.form("/staff/settings", {**form, "booths": 1}).status_code == 303
    assert office(staff_app).booths == 1


def test_usage_csv_has_time_slots_only(staff_app, console, slots):
    user_id, _ = add_user(staff_app, name="秘密 花子")
    day = slots.day()
    add_booking(staff_app, user_id, day[0], status=BookingStatus.CONFIRMED)
    add_booking(staff_app, user_id, day[1], status=BookingStatus.NO_SHOW)
    response = console.page("/staff/usage.csv", first=day[0].date().isoformat(),
                            last=day[0].date().isoformat())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["date", "start", "end", "booth", "kind", "status", "reason"]
    assert table[1:] == [
        [day[0].date().isoformat(), "9:00", "9:30", "1", "reserved", "confirmed", ""],
        [day[0].date().isoformat(), "9:30", "10:00", "1", "reserved", "no_show", ""]]
    assert (
        "秘密" not in response.text and "+81" not in response.text
        and "02040" not in response.text
    )
    assert audits(staff_app, "usage.export")[-1].detail["rows"] == 2
    backwards = console.get_json("/staff/usage.csv", first="2027-02-01", last="2027-01-01")
    assert backwards.status_code == 422
    assert "CSVを出力" in console.page("/staff/usage").text


def test_users_are_masked_and_showing_them_is_audited(staff_app, console):
    user_id, _ = add_user(staff_app, name="高橋 三郎")
    listing = console.page("/staff/users")
    assert "高橋 様" in listing.text and "高橋 三郎" not in listing.text
    assert "090-1234-5678" not in listing.text and "***-****-5678" in listing.text
    page = console.page(f"/staff/users/{user_id}")
    assert "高橋 三郎" not in page.text and "個人情報を表示" in page.text
    shown = console.form(f"/staff/users/{user_id}/reveal")
    assert shown.status_code == 200
    assert "高橋 三郎" in shown.text and "090-1234-5678" in shown.text
    assert "02040-12345678" in shown.text
    (entry,) = [a for a in audits(staff_app, "user.reveal") if a.detail == {"user": str(user_id)}]
    assert entry.actor.startswith("staff-")
    unsafe = console.http.get(f"/staff/users/{user_id}/reveal")
    assert unsafe.status_code == 405  # showing is a POST: it needs the CSRF token


def test_only_admins_block_and_unblock_with_a_reason(staff_app, console, admin):
    user_id, _ = add_user(staff_app)
    staff_try = console.api(f"/staff/users/{user_id}/block", {"reason": "暴言"})
    assert staff_try.status_code == 403
    no_reason = admin.api(f"/staff/users/{user_id}/block", {"reason": ""})
    assert no_reason.status_code == 422
    assert admin.form(
        f"/staff/users/{user_id}/block", {"reason": "暴言が続いたため"}
    ).status_code == 303
    user = user_row(staff_app, user_id)
    assert user.blocked and user.blocked_reason == "暴言が続いたため"
    assert "利用停止中" in admin.page(f"/staff/users/{user_id}").text
    assert "利用停止</span>" in console.page("/staff/users", blocked="true").text
    twice = admin.api(f"/staff/users/{user_id}/block", {"reason": "再度"})
    assert twice.status_code == 409
    assert admin.form(
        f"/staff/users/{user_id}/unblock", {"reason": "面談で確認"}
    ).status_code == 303
    assert user_row(staff_app, user_id).blocked is False
    details = [
        a.detail for a in audits(staff_app, "user.block") + audits(staff_app, "user.unblock")
    ]
    assert {"user": str(user_id)} in details and all("暴言" not in str(d) for d in details)


def test_the_audit_page_lists_actions_for_admins(staff_app, admin, console):
    console.form("/staff/immediate", {"enabled": "false"})
    page = admin.page("/staff/audit")
    assert page.status_code == 200 and "今すぐ相談の切替" in page.text


def test_closures_calendar_moves_between_months(console):
    page = console.page("/staff/closures", month="2027-01")
    assert "2027年1月" in page.text and "元日" in page.text
    assert "month=2026-12" in page.text and "month=2027-02" in page.text


def test_a_cutoff_hour_changed_in_the_settings_moves_the_chats_first_bookable_day(
        staff_app, admin, sclock):
    sclock.set(DEFAULT_NOW)  # Tuesday 1 December, 10:00
    before = office(staff_app)
    form = {"name": before.name, "phone": before.phone, "booths": before.booths,
            "cutoff_hour": 15, "no_show_limit": before.no_show_limit,
            "max_active_requests": before.max_active_requests, "address": before.address,
            "hours": before.hours}
    try:
        assert admin.form("/staff/settings", form).status_code == 303
        days = texts(to_day_step(staff_app, "U" + uuid.uuid4().hex))
        assert "12月2日(水)" in days  # tomorrow still open until 15:00 today
        assert admin.form("/staff/settings", {**form, "cutoff_hour": 9}).status_code == 303
        days = texts(to_day_step(staff_app, "U" + uuid.uuid4().hex))
        assert "12月2日(水)" not in days and "12月3日(木)" in days  # closed at 9:00 today
    finally:
        restore = {**form, "cutoff_hour": before.cutoff_hour}
        assert admin.form("/staff/settings", restore).status_code == 303
